/**
 * Every DMA property holds on mainline, is not vacuous (its witness occurs),
 * and fails on each mutant it declares: seeds are in the test names.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinPolicy } from '../../../models/policies/index.ts';
import { dmaProperties } from '../../../properties/dma/index.ts';
import { checkProperties } from '../../../src/harness/check.ts';
import { makePlan, runOps } from '../../../src/harness/run.ts';
import { dmaOpArbitrary } from '../../../src/systems/dma/ops.ts';
import { type DmaScenarioConfig, makeDmaSystem } from '../../../src/systems/dma/system.ts';
import { dmaMutant } from '../../mutants/dma/index.ts';
import { scaledRuns } from '../../setup/budget.ts';

const SEED = 42;
const sev: DmaScenarioConfig = {
  machine: '4G',
  cc: 'sev-guest',
  devices: [
    { name: 'nvme0', mask_bits: 64 },
    { name: 'e1000', mask_bits: 32 },
    { name: 'b43', mask_bits: 30 },
    { name: 'floppy', mask_bits: 24 },
  ],
};
// searching a correct model scales (POOLCHECK_TEST_SCALE); finding a mutant does not
const budget = { seed: SEED, runs: 150, maxSteps: 40 };
const holdBudget = { ...budget, runs: scaledRuns(budget.runs) };

describe(`DMA properties on mainline (seed ${SEED})`, () => {
  const mainline = builtinPolicy('mainline');
  if (!mainline) throw new Error('no mainline');
  const system = makeDmaSystem(sev, mainline);

  it('all hold', () => {
    const r = checkProperties(system, dmaProperties, holdBudget);
    for (const x of r.results) expect(`${x.property} ${x.status}`).toBe(`${x.property} held`);
  });

  it('every witness occurs (no property is vacuous), in each design', () => {
    for (const id of ['mainline', 'reserve-pool-2019']) {
      const policy = builtinPolicy(id);
      if (!policy) throw new Error(`no ${id}`);
      const sys = makeDmaSystem(sev, policy);
      const withWitness = dmaProperties.filter(
        (p) => p.witness && (p.designs === undefined || p.designs.includes(policy.design)),
      );
      const plan = makePlan(withWitness);
      const seen = new Set<string>();
      for (const ops of fc.sample(fc.array(dmaOpArbitrary, { minLength: 40, maxLength: 40 }), {
        seed: SEED,
        numRuns: 200,
      }))
        for (const w of runOps(sys, plan, ops, { witness: true }).witnessed) seen.add(w);
      expect(`${id}: ${[...seen].sort().join(' ')}`).toBe(
        `${id}: ${withWitness
          .map((p) => p.id)
          .sort()
          .join(' ')}`,
      );
    }
  });
});

describe(`each DMA property catches its mutants (seed ${SEED})`, () => {
  for (const p of dmaProperties)
    for (const c of p.catches)
      it(`${p.id} catches ${c.mutant}${c.zoo ? ` (${c.zoo})` : ''}`, () => {
        const m = dmaMutant(c.mutant);
        const system = makeDmaSystem(m.config ?? sev, m.policy, m.variant ?? {});
        const r = checkProperties(system, [p], budget);
        const res = r.results[0];
        expect(res?.status).toBe('violated');
        expect(res?.counterexample?.failure.property).toBe(p.id);
        expect(res?.counterexample?.steps.length).toBeLessThanOrEqual(12);
      });
});
