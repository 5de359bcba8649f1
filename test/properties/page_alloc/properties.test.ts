/**
 * Every page-allocator property holds on the real rule sets (5.4, 6.1,
 * 6.18) at 256 MiB and 4 GiB at a fixed seed, and none is vacuous: each
 * property's witness situation occurs in some run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import { pageAllocProperties } from '../../../properties/page_alloc/index.ts';
import { checkProperties } from '../../../src/harness/check.ts';
import { makePlan, runOps } from '../../../src/harness/run.ts';
import { machine4G, machine256M } from '../../../src/systems/page_alloc/machines.ts';
import { pageAllocOps } from '../../../src/systems/page_alloc/ops.ts';
import { makePageAllocSystem } from '../../../src/systems/page_alloc/system.ts';
import { scaledRuns } from '../../setup/budget.ts';

describe('page-alloc properties hold on the kernels (seed 42)', () => {
  const cases: [PageAllocVersion, typeof machine256M, number][] = [
    ['5.4', machine256M, 150],
    ['6.1', machine256M, 200],
    ['6.18', machine256M, 150],
    ['6.1', machine4G, 60],
    // 6.18 reserves highatomic blocks only in zones of 100 pageblocks or more: not at 256M
    ['6.18', machine4G, 60],
  ];
  for (const [version, machine, runs] of cases)
    it(`${version} on ${machine.name}`, () => {
      const system = makePageAllocSystem(machine, pageAllocRules[version]);
      const r = checkProperties(system, pageAllocProperties, {
        seed: 42,
        runs: scaledRuns(runs),
        maxSteps: 60,
      });
      const broken = r.results.filter((p) => p.status !== 'held');
      expect(
        broken.map((p) => `${p.property}: ${p.counterexample?.failure.violation.message}`),
      ).toEqual([]);
    });
});

describe('page-alloc properties are not vacuous (seed 7)', () => {
  it('each witness situation occurs in some 6.1 run at 256M', () => {
    const system = makePageAllocSystem(machine256M, pageAllocRules['6.1']);
    const plan = makePlan(pageAllocProperties);
    const runs = fc.sample(fc.array(pageAllocOps, { minLength: 40, maxLength: 80 }), {
      seed: 7,
      numRuns: 400,
    });
    const seen = new Set<string>();
    for (const ops of runs)
      for (const id of runOps(system, plan, ops, { witness: true }).witnessed) seen.add(id);
    const missing = pageAllocProperties
      .filter((p) => p.witness && !seen.has(p.id))
      .map((p) => p.id);
    expect(missing).toEqual([]);
  });
});

describe('highatomic accounting reads only the pageblocks a run retyped', () => {
  it('a pageblock typed HIGHATOMIC without being counted is found', async () => {
    const { createPageAlloc } = await import('../../../models/page_alloc/machine.ts');
    const { set_pageblock_migratetype, MIGRATE_HIGHATOMIC } = await import(
      '../../../models/page_alloc/pages.ts'
    );
    const { typedBlocks } = await import('../../../properties/page_alloc/highatomic-accounting.ts');
    const pa = createPageAlloc(machine4G, pageAllocRules['6.1']);
    expect(typedBlocks(pa)).toBeNull();
    set_pageblock_migratetype(pa.pages, 1100000, MIGRATE_HIGHATOMIC);
    expect(typedBlocks(pa)?.message).toMatch(/nr_reserved_highatomic 0 but 1 pageblocks/);
    (pa.zones[2] as { nr_reserved_highatomic: number }).nr_reserved_highatomic = 512;
    expect(typedBlocks(pa)).toBeNull();
  });
});
