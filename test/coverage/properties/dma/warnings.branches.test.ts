/**
 * dma/pool-warnings, branch by branch (I17, dma.md §2.3): after a worker
 * step, no "page allocation failure"; after dma_alloc_coherent with pools, a
 * served request logs no pool warning ("DMA pool exhausted" or "Failed to get
 * suitable pool"); a failed atomic request on an encrypted platform logs one
 * without __GFP_NOWARN and none with it.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/warnings.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, pagesOp, run, runMutant, work } from './world.ts';

const check = (w: World, op: DmaOp) => prop.check?.(ctx(w, op)) ?? null;
const big = (nowarn: boolean) => coherent(1 << 20, true, nowarn);

describe('pool-warnings after a worker step', () => {
  it('a page-allocation-failure splat is reported with its text', () => {
    const w = run([coherent(8192, true), work()]);
    expect(check(w, work())).toBeNull();
    w.events.push({ kind: 'warn', text: 'kworker: page allocation failure: order:10' });
    expect(check(w, work())).toEqual({
      subject: 'atomic_pool_expand',
      message: 'warned on a failed order: kworker: page allocation failure: order:10',
    });
  });

  it('another warning (a pool message) is not judged on the worker path', () => {
    const w = run([coherent(8192, true), work()]);
    w.events.push({ kind: 'warn', text: 'DMA pool exhausted for nvme0' });
    expect(check(w, work())).toBeNull();
  });

  it('a splat text in a non-warning event is not one', () => {
    const w = run([coherent(8192, true), work()]);
    w.events.push({ kind: 'bug', detail: 'page allocation failure' });
    expect(check(w, work())).toBeNull();
  });
});

describe('pool-warnings after dma_alloc_coherent', () => {
  it('without pools (v5.4) nothing is judged', () => {
    const w = run([big(false)], { policy: 'v5.4' });
    expect(w.pools).toBeNull();
    w.stepBuffer = null;
    w.context = 'atomic';
    w.events = [];
    expect(check(w, big(false))).toBeNull();
  });

  it('dma_alloc_pages is not judged', () => {
    const op = pagesOp(1 << 20, true);
    const w = run([big(false)]);
    w.events = [];
    expect(check(w, op)).toBeNull();
  });

  it.each(['DMA pool exhausted for nvme0', 'Failed to get suitable pool for nvme0'])(
    'a served request logging "%s" is reported',
    (text) => {
      const w = run([coherent(8192, true)]);
      expect(w.stepBuffer).not.toBeNull();
      w.events.push({ kind: 'warn', text });
      expect(check(w, coherent(8192, true))).toEqual({
        subject: 'dma_alloc_from_pool',
        message: 'a served request logged a pool warning',
      });
    },
  );

  it('a served request may log another warning (not a pool one)', () => {
    const w = run([coherent(8192, true)]);
    w.events.push({ kind: 'warn', text: 'page allocation failure: order:5' });
    expect(check(w, coherent(8192, true))).toBeNull();
  });

  it('a failed task request is not judged by the pool rules', () => {
    const w = run([big(false)]);
    w.stepBuffer = null;
    w.context = 'task';
    w.events = [];
    expect(check(w, big(false))).toBeNull();
    w.context = 'atomic';
    expect(check(w, big(false))?.message).toBe('pool exhausted without a warning');
  });

  it('with pools existing but none created, a failed request is not judged', () => {
    const w = run([big(false)]);
    expect(w.stepBuffer).toBeNull();
    w.events = [];
    const s = w.pools;
    if (!s) throw new Error('no pools');
    s.atomic_pool_dma = null;
    s.atomic_pool_dma32 = null;
    expect(check(w, big(false))).not.toBeNull();
    s.atomic_pool_kernel = null;
    expect(check(w, big(false))).toBeNull();
  });

  it('__GFP_NOWARN failure without a warning holds; with one it is reported (warn-ignores-nowarn)', () => {
    const ok = run([big(true)]);
    expect(ok.stepBuffer).toBeNull();
    expect(check(ok, big(true))).toBeNull();
    const w = runMutant('warn-ignores-nowarn', [big(true)]);
    expect(w.stepBuffer).toBeNull();
    const v = check(w, big(true));
    expect(v?.subject).toBe('dma_alloc_from_pool');
    expect(v?.message).toBe('warned despite __GFP_NOWARN');
    expect(v?.details?.length).toBeGreaterThan(0);
  });

  it('__GFP_NOWARN: a "Failed to get suitable pool" warning counts too', () => {
    const w = run([big(true)]);
    w.events.push({ kind: 'warn', text: 'Failed to get suitable pool for nvme0' });
    expect(check(w, big(true))?.details).toEqual(['Failed to get suitable pool for nvme0']);
  });

  it('__GFP_NOWARN: a warning that is not a pool one is allowed', () => {
    const w = run([big(true)]);
    w.events.push({ kind: 'warn', text: 'page allocation failure: order:8' });
    expect(check(w, big(true))).toBeNull();
  });

  it('without __GFP_NOWARN a "Failed to get suitable pool" warning is enough', () => {
    const w = run([big(false)]);
    w.events = [{ kind: 'warn', text: 'Failed to get suitable pool for nvme0' }];
    expect(check(w, big(false))).toBeNull();
    w.events = [{ kind: 'warn', text: 'page allocation failure' }];
    expect(check(w, big(false))?.message).toBe('pool exhausted without a warning');
  });
});

describe('pool-warnings witness', () => {
  const wit = (w: World, op: DmaOp) => prop.witness?.(ctx(w, op));

  it('a failed atomic __GFP_NOWARN coherent request', () => {
    expect(wit(run([big(true)]), big(true))).toBe(true);
  });

  it('not without __GFP_NOWARN, nor served, nor in task context, nor another op', () => {
    expect(wit(run([big(false)]), big(false))).toBe(false);
    expect(wit(run([coherent(8192, true, true)]), coherent(8192, true, true))).toBe(false);
    const t = run([big(true)]);
    t.context = 'task';
    expect(wit(t, big(true))).toBe(false);
    expect(wit(run([big(true)]), pagesOp(1 << 20, true))).toBe(false);
  });
});
