/**
 * The gen_pool properties: each holds on the 6.1 model in every built-in
 * configuration, each is witnessed (not vacuously true), and each fails on
 * the mutants it declares, with a short counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { genpoolProperties } from '../../../properties/genpool/index.ts';
import { checkProperties } from '../../../src/harness/check.ts';
import { makePlan, runOps } from '../../../src/harness/run.ts';
import { GENPOOL_CONFIGS, makeGenpoolSystem } from '../../../src/systems/genpool/system.ts';
import { genpoolMutants } from '../../mutants/genpool/index.ts';
import { scaledRuns } from '../../setup/budget.ts';

// Runs of up to maxSteps ops: fast-check's default 'small' size caps arrays at 10,
// too short to fragment a pool (this file only; fast-check is loaded per test file).
fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'large' });

const configs = Object.entries(GENPOOL_CONFIGS);

describe('genpool properties hold on the 6.1 model (seed 42)', () => {
  for (const [name, config] of configs) {
    it(`config ${name}`, () => {
      const runs = scaledRuns(name === 'huge' ? 60 : 400);
      const r = checkProperties(makeGenpoolSystem(config), genpoolProperties, {
        seed: 42,
        runs,
        maxSteps: 80,
      });
      for (const res of r.results) {
        const cx = res.counterexample;
        const why = cx ? `${cx.failure.violation.subject}: ${cx.failure.violation.message}` : '';
        expect(res.status, `${res.property} ${why}`).toBe('held');
        expect(res.runs).toBe(runs);
      }
    });
  }
});

describe('every genpool property is witnessed (seed 1)', () => {
  it('each witness condition occurs in some run of some configuration', () => {
    const seen = new Set<string>();
    const plan = makePlan(genpoolProperties);
    for (const [name, config] of configs) {
      const sys = makeGenpoolSystem(config);
      const numRuns = name === 'huge' ? 20 : 150;
      for (const ops of fc.sample(fc.array(sys.ops, { maxLength: 60 }), { seed: 1, numRuns }))
        for (const id of runOps(sys, plan, ops, { witness: true }).witnessed) seen.add(id);
    }
    expect([...seen].sort()).toEqual(genpoolProperties.map((p) => p.id).sort());
  });
});

describe('every genpool property fails on its mutants (seed 42)', () => {
  const byId = new Map(genpoolMutants.map((m) => [m.variant.id, m]));

  for (const p of genpoolProperties)
    for (const { mutant: id } of p.catches)
      it(`${p.id} catches ${id}`, () => {
        const m = byId.get(id);
        if (m === undefined) throw new Error(`no mutant ${id} in test/mutants/genpool`);
        const sys = makeGenpoolSystem(GENPOOL_CONFIGS[m.config], m.variant);
        const [res] = checkProperties(sys, [p], { seed: 42, runs: 300, maxSteps: 60 }).results;
        expect(res?.status).toBe('violated');
        const cx = res?.counterexample;
        expect(cx?.failure.property).toBe(p.id);
        expect(cx?.steps.length).toBeLessThanOrEqual(10);
        expect(cx?.failure.violation.message.length).toBeGreaterThan(0);
      });

  it('each property declares at least one mutant, and every mutant is declared by some property', () => {
    for (const p of genpoolProperties) expect(p.catches.length, p.id).toBeGreaterThan(0);
    const declared = new Set(genpoolProperties.flatMap((p) => p.catches.map((c) => c.mutant)));
    expect([...declared].sort()).toEqual(genpoolMutants.map((m) => m.variant.id).sort());
  });
});
