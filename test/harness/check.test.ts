import { describe, expect, it } from 'vitest';
import {
  bfsMinimise,
  checkProperties,
  decodeToken,
  opsFromToken,
} from '../../src/harness/check.ts';
import { makePlan, runOps } from '../../src/harness/run.ts';
import { atMostSeven, holds, neverTen, type ToyOp, toySystem } from './toy-system.ts';

describe('checkProperties (seed 42)', () => {
  const opts = { seed: 42, runs: 200, maxSteps: 30 };
  const result = checkProperties(toySystem, [atMostSeven, neverTen, holds], opts);
  const byId = new Map(result.results.map((r) => [r.property, r]));

  it('reports each property separately, in catalogue order', () => {
    expect(result.results.map((r) => r.property)).toEqual([
      'toy/at-most-seven',
      'toy/never-ten',
      'toy/holds',
    ]);
    expect(byId.get('toy/holds')?.status).toBe('held');
    expect(byId.get('toy/holds')?.runs).toBe(200);
    expect(result.timeBound).toBe(false);
  });

  it('shrinks a step violation to the shortest run (two takes)', () => {
    const cx = byId.get('toy/at-most-seven')?.counterexample;
    expect(cx?.failure.property).toBe('toy/at-most-seven');
    expect(cx?.steps.length).toBe(2);
    const sum = cx?.ops.reduce((a, o) => a + (o.op === 'take' ? o.n : 0), 0) ?? 0;
    expect(sum).toBeGreaterThan(7);
    expect(cx?.failure.step).toBe(2);
  });

  it('finds end-of-run violations with step 0', () => {
    const cx = byId.get('toy/never-ten')?.counterexample;
    expect(cx?.failure.step).toBe(0);
    expect(cx?.steps.length).toBe(3); // 4+4+2 is the shortest way to 10
  });

  it('gives byte-identical results for the same seed', () => {
    const again = checkProperties(toySystem, [atMostSeven, neverTen, holds], opts);
    expect(JSON.stringify(again)).toBe(JSON.stringify(result));
  });

  it('replays a counterexample from its token alone', () => {
    const cx = byId.get('toy/at-most-seven')?.counterexample;
    if (!cx) throw new Error('no counterexample');
    const ops = opsFromToken(toySystem, toySystem.opKinds ?? [], 30, decodeToken(cx.token));
    expect(ops).toEqual(cx.ops);
  });
});

describe('bfsMinimise', () => {
  it('uses extra ops to find a shorter run than the shrunk steps allow', () => {
    const plan = makePlan([atMostSeven]);
    const ops: ToyOp[] = [
      { op: 'take', n: 3 },
      { op: 'take', n: 3 },
      { op: 'take', n: 2 },
    ];
    const best = bfsMinimise(toySystem, plan, 'toy/at-most-seven', ops, 1000, [
      { op: 'take', n: 4 },
    ]);
    expect(best.ops).toEqual([
      { op: 'take', n: 4 },
      { op: 'take', n: 4 },
    ]);
  });

  it('removes a step the shrinker left', () => {
    const plan = makePlan([atMostSeven]);
    const ops: ToyOp[] = [
      { op: 'take', n: 1 },
      { op: 'take', n: 4 },
      { op: 'take', n: 4 },
    ];
    expect(runOps(toySystem, plan, ops).failure?.property).toBe('toy/at-most-seven');
    expect(bfsMinimise(toySystem, plan, 'toy/at-most-seven', ops, 1000).indices).toEqual([1, 1]);
  });

  it('keeps the input when the budget runs out', () => {
    const plan = makePlan([atMostSeven]);
    const ops: ToyOp[] = [
      { op: 'take', n: 1 },
      { op: 'take', n: 4 },
      { op: 'take', n: 4 },
    ];
    expect(bfsMinimise(toySystem, plan, 'toy/at-most-seven', ops, 1).indices).toEqual([0, 1, 2]);
  });
});

describe('decodeToken', () => {
  it('rejects malformed tokens with a one-line message', () => {
    expect(() => decodeToken('nonsense')).toThrow(/malformed replay token/);
    expect(decodeToken('42/3:1:0/0.2')).toEqual({ seed: 42, path: '3:1:0', indices: [0, 2] });
  });
});

describe('runOps', () => {
  it('records steps, skips disabled and unenabled ops, and tracks witnesses', () => {
    const plan = makePlan([holds]);
    const r = runOps(
      toySystem,
      plan,
      [{ op: 'give', pick: 0 }, { op: 'take', n: 2 }, { op: 'noop' }, { op: 'give', pick: 3 }],
      { record: true, witness: true, disabled: new Set(['noop']) },
    );
    expect(r.executed).toEqual([false, true, false, true]);
    expect(r.steps.map((s) => s.outcome.call)).toEqual(['take(2)', 'give(#0)']);
    expect(r.witnessed.has('toy/holds')).toBe(true);
  });
});
