/**
 * What the DMA properties declare, as the harness uses it: `designs` (the
 * atomic-pool properties read the atomic pools, which the 2019 reserve-pool
 * design does not have; the reserve guarantee reads the reserve pools),
 * `after` (a violation a listed op makes is reported after that step, not
 * only at the end) and `catches` (every property catches some test mutant,
 * citing the zoo bug that mutant puts back).
 */
import { describe, expect, it } from 'vitest';
import { builtinPolicy } from '../../../../models/policies/index.ts';
import { dmaProperties } from '../../../../properties/dma/index.ts';
import zoneMembership from '../../../../properties/dma/pool-zone-membership.ts';
import { makePlan, runOps } from '../../../../src/harness/run.ts';
import { dmaKind } from '../../../../src/systems/dma/kind.ts';
import { dmaMutant } from '../../../mutants/dma/index.ts';
import { coherent, mutantSetup, sevGuest, systemOf, work } from './world.ts';

/** Properties about the atomic pools of kernel/dma/pool.c. */
const ATOMIC_POOL = [
  'dma/pool-zone-membership',
  'dma/pools-for-managed-zones',
  'dma/pool-sizing',
  'dma/expansion-queued',
  'dma/pool-accounting',
  'dma/worker-liveness',
  'dma/pool-warnings',
];
/** Properties about the 2019 proposal's reserve pools. */
const RESERVE_POOL = ['dma/reserve-high-order-guarantee'];

/** The properties the harness runs for a policy. */
function applicable(policy: string): string[] {
  const p = builtinPolicy(policy);
  if (!p) throw new Error(`no policy ${policy}`);
  return dmaKind.instantiate(sevGuest, p).properties.map((x) => x.id);
}

describe('designs', () => {
  it.each(['mainline', '6.1'])(
    '%s (atomic pools) runs every property but the reserve guarantee',
    (policy) => {
      expect(applicable(policy).sort()).toEqual(
        dmaProperties
          .map((p) => p.id)
          .filter((id) => !RESERVE_POOL.includes(id))
          .sort(),
      );
    },
  );

  it('reserve-pool-2019 runs every property but the atomic-pool ones', () => {
    expect(applicable('reserve-pool-2019').sort()).toEqual(
      dmaProperties
        .map((p) => p.id)
        .filter((id) => !ATOMIC_POOL.includes(id))
        .sort(),
    );
  });
});

describe('after', () => {
  it('pool-zone-membership is checked after the worker step, before the end of the run', () => {
    // expand-ignores-zone: the dma pool lies above 16 MiB from boot on; the allocation is not checked
    const ops = [coherent(8192, true), work()];
    const r = runOps(systemOf(mutantSetup('expand-ignores-zone')), makePlan([zoneMembership]), ops);
    expect(r.checkedSteps).toBe(2);
    expect(r.failure?.step).toBe(2);
    expect(r.failure?.violation.message).toMatch(/ends above 0x1000000$/);
  });
});

describe('catches', () => {
  it('every property catches some test mutant and cites the zoo bug that mutant is the twin of', () => {
    for (const p of dmaProperties) {
      expect(p.catches.length, p.id).toBeGreaterThan(0);
      for (const c of p.catches)
        expect(dmaMutant(c.mutant).zoo, `${p.id}: ${c.mutant}`).toBe(c.zoo);
    }
  });
});
