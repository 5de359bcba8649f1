/**
 * Each page-allocator property fails on its broken twin: found by search
 * at a fixed seed within a small budget and shrunk to a short run, or, for
 * the one that needs a long setup, on a written trace.
 */
import { describe, expect, it } from 'vitest';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import { pageAllocProperties } from '../../../properties/page_alloc/index.ts';
import { checkProperties } from '../../../src/harness/check.ts';
import { makePlan, runOps } from '../../../src/harness/run.ts';
import { machine256M } from '../../../src/systems/page_alloc/machines.ts';
import type { PageAllocOp } from '../../../src/systems/page_alloc/ops.ts';
import { makePageAllocSystem } from '../../../src/systems/page_alloc/system.ts';
import { type PageAllocMutant, pageAllocMutants } from './mutants.ts';

/** Search budgets (runs at seed 42, 60 steps) for the mutants found by search. */
const budget: Record<string, number> = {
  'boost-in-atomic-min': 600,
  'kswapd-never-backs-off': 300,
  'highatomic-no-cap': 300,
};

function systemFor(m: PageAllocMutant) {
  return makePageAllocSystem(machine256M, { ...pageAllocRules['6.1'], ...m.rules }, m.variant);
}

function propertyOf(m: PageAllocMutant) {
  const p = pageAllocProperties.find((x) => x.id === m.property);
  if (!p) throw new Error(`mutant ${m.id} names no property ${m.property}`);
  return p;
}

describe('every page-alloc property has a mutant that breaks it', () => {
  it('the catalogue and the mutants agree', () => {
    for (const p of pageAllocProperties) {
      const mine = pageAllocMutants.filter((m) => m.property === p.id).map((m) => m.id);
      expect(mine.length, p.id).toBeGreaterThan(0);
      expect(p.catches.map((c) => c.mutant).sort()).toEqual([...mine].sort());
    }
  });
});

describe('mutants found by search (6.1 rules, 256M, seed 42)', () => {
  for (const m of pageAllocMutants.filter((x) => x.id !== 'throttle-ignores-backoff'))
    it(`${m.id} breaks ${m.property}`, () => {
      const r = checkProperties(systemFor(m), [propertyOf(m)], {
        seed: 42,
        runs: budget[m.id] ?? 100,
        maxSteps: 60,
        bfsBudget: 2000,
      });
      const res = r.results[0];
      expect(res?.status).toBe('violated');
      expect(res?.counterexample?.steps.length ?? 99).toBeLessThanOrEqual(12);
    });

  it('the real kernel passes the same searches', () => {
    const system = makePageAllocSystem(machine256M, pageAllocRules['6.1']);
    const r = checkProperties(system, pageAllocProperties, { seed: 42, runs: 600, maxSteps: 60 });
    expect(r.results.every((p) => p.status === 'held')).toBe(true);
  });
});

describe('throttle-ignores-backoff (BZ-34): reclaimers wait on a kswapd that gave up', () => {
  // watermarks far above free, a kswapd that reclaims nothing 16 times, then a reclaimer
  const trace: PageAllocOp[] = [
    { op: 'sysctl', name: 'min_free_kbytes', value: 67584 },
    { op: 'alloc_pages', gfp: 'GFP_KERNEL', order: 0, count: 1, reclaim: 0 },
    { op: 'kswapd', steps: 1024, reclaim: 0 },
    { op: 'alloc_pages', gfp: 'GFP_KERNEL', order: 0, count: 1, reclaim: 0 },
  ];
  const m = pageAllocMutants.find((x) => x.id === 'throttle-ignores-backoff') as PageAllocMutant;

  it('the mutant throttles with kswapd_failures at 16', () => {
    const r = runOps(systemFor(m), makePlan([propertyOf(m)]), trace);
    expect(r.failure?.property).toBe('page-alloc/kswapd-backs-off');
    expect(r.failure?.step).toBe(4);
    expect(r.failure?.violation.message).toMatch(/throttled with kswapd_failures 16/);
  });

  it('the kernel lets the reclaimer through', () => {
    const system = makePageAllocSystem(machine256M, pageAllocRules['6.1']);
    const r = runOps(system, makePlan(pageAllocProperties), trace);
    expect(r.failure).toBeNull();
    expect(r.checkedSteps).toBe(4);
  });
});
