/**
 * Catch families, not instances: the DMA generator, as `check` samples it
 * (runs of up to 40 ops, swarm runs included), reaches the corners the
 * known bugs live in: pools of several chunks, expansion error paths,
 * multi-page and odd-sized buffers, refused conversions everywhere, and,
 * with a CMA area outside the DMA zones, CMA chunks and unaddressable CMA
 * blocks. A corner never reached would make a whole family of bugs invisible.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinPolicy } from '../../models/policies/index.ts';
import type { Policy } from '../../models/policy.ts';
import type { World } from '../../models/world/world.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_SEED } from '../../src/cli/budget.ts';
import { runInputArbitrary } from '../../src/harness/check.ts';
import { makePlan, runOps } from '../../src/harness/run.ts';
import { DMA_OP_KINDS, type DmaOp } from '../../src/systems/dma/ops.ts';
import { type DmaScenarioConfig, makeDmaSystem } from '../../src/systems/dma/system.ts';
import { zooScenarioConfig } from '../../src/zoo/scenarios.ts';

const RUNS = 300;
const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

type Corner = (w: World, op: DmaOp) => boolean;

const pools = (w: World) =>
  w.pools ? [w.pools.atomic_pool_dma, w.pools.atomic_pool_dma32, w.pools.atomic_pool_kernel] : [];
const refused = (w: World, what: string) =>
  w.events.some((e) => e.kind === 'convert' && !e.ok && e.op === what);
const isAlloc = (op: DmaOp) => op.op === 'dma_alloc_coherent' || op.op === 'dma_alloc_pages';
const isFree = (op: DmaOp) => op.op === 'dma_free_coherent' || op.op === 'dma_free_pages';

const dmaCorners: Readonly<Record<string, Corner>> = {
  'a pool with two chunks': (w) => pools(w).some((p) => (p?.chunks.length ?? 0) >= 2),
  'a chunk smaller than asked (order fallback)': (w) =>
    pools(w).some((p) =>
      (p?.chunks ?? []).some((c, i, all) => {
        const before = all.slice(0, i).reduce((a, x) => a + x.size, 0);
        return i > 0 && c.size < Math.min(4 << 20, 4096 * 2 ** Math.ceil(Math.log2(before / 4096)));
      }),
    ),
  'a multi-page buffer': (w) => (w.stepBuffer?.size ?? 0) > 4096,
  'a multi-page pool block': (w) => w.stepBuffer?.source === 'pool' && w.stepBuffer.size > 4096,
  'a request of a non-power-of-two size': (w, op) =>
    w.stepBuffer !== null && 'size' in op && !isPow2(op.size),
  'a buffer of a non-power-of-two page count': (w) =>
    w.stepBuffer !== null && !isPow2(Math.ceil(w.stepBuffer.size / 4096)),
  'an atomic request the pools cannot serve': (w, op) =>
    op.op === 'dma_alloc_coherent' && op.atomic && w.stepBuffer === null,
  'a refused decrypt in dma-direct': (w, op) => isAlloc(op) && refused(w, 'set_memory_decrypted'),
  'a refused re-encrypt on free': (w, op) => isFree(op) && refused(w, 'set_memory_encrypted'),
  'a refused decrypt in atomic_pool_expand': (w, op) =>
    op.op === 'atomic_pool_work_fn' && refused(w, 'set_memory_decrypted'),
  'a refused re-encrypt in atomic_pool_expand': (w, op) =>
    op.op === 'atomic_pool_work_fn' && refused(w, 'set_memory_encrypted'),
  'a gen_pool_add_virt failure in atomic_pool_expand': (w) =>
    w.events.some((e) => e.kind === 'fault' && e.at === 'gen_pool_add'),
  'a pool block freed back to its pool': (w, op) =>
    isFree(op) && w.events.length > 0 && !w.events.some((e) => e.kind === 'free'),
};

const cmaCorners: Readonly<Record<string, Corner>> = {
  'a pool chunk grown from CMA': (w, op) =>
    op.op === 'atomic_pool_work_fn' && w.events.some((e) => e.kind === 'alloc' && e.cma === true),
  'a dma-direct buffer from CMA': (w) => w.stepBuffer?.source === 'cma',
  'an unaddressable CMA block given back': (w, op) =>
    isAlloc(op) && w.events.some((e) => e.kind === 'free' && e.into === 'cma'),
};

/** How many of `RUNS` generated runs reach each corner. */
function reach(scenario: string, corners: Readonly<Record<string, Corner>>) {
  const base = makeDmaSystem(
    zooScenarioConfig(scenario) as DmaScenarioConfig,
    builtinPolicy('mainline') as Policy,
  );
  let seen = new Set<string>();
  const system = {
    ...base,
    step(w: World, op: DmaOp) {
      const out = base.step(w, op);
      if (out !== null)
        for (const [name, hit] of Object.entries(corners)) if (hit(w, op)) seen.add(name);
      return out;
    },
  };
  const count: Record<string, number> = Object.fromEntries(Object.keys(corners).map((k) => [k, 0]));
  const arb = runInputArbitrary(system, DMA_OP_KINDS, DEFAULT_MAX_STEPS);
  for (const input of fc.sample(arb, { seed: DEFAULT_SEED, numRuns: RUNS })) {
    seen = new Set();
    const disabled = new Set(
      DMA_OP_KINDS.filter((_, i) => Math.floor(input.swarm / 2 ** i) % 2 === 1),
    );
    runOps(system, makePlan([]), input.ops, { disabled });
    for (const name of seen) count[name] = (count[name] ?? 0) + 1;
  }
  return count;
}

describe(`the DMA generator reaches the bugs' corners (seed ${DEFAULT_SEED}, ${RUNS} runs)`, () => {
  it('sev-4g-nvme: chunks, sizes, exhaustion and refused conversions', () => {
    const count = reach('sev-4g-nvme', dmaCorners);
    expect(Object.entries(count).filter(([, n]) => n === 0)).toEqual([]);
  });

  it('sev-4g-cma: CMA chunks and unaddressable CMA blocks', () => {
    const count = reach('sev-4g-cma', cmaCorners);
    expect(Object.entries(count).filter(([, n]) => n === 0)).toEqual([]);
  });
});
