/**
 * src/harness/run.ts: an op that repeats a call (a burst) is one step, but
 * each repetition is checked as if it were one: a violation in the middle
 * of a burst is found there, the burst stops, and the step reports it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { property } from '../../properties/property.ts';
import { makePlan, runOps } from '../../src/harness/run.ts';
import type { System } from '../../src/harness/system.ts';

type BurstOp = { op: 'take'; n: number; count: number } | { op: 'reset' };

interface BurstState {
  /** Units taken by the last request, and in total. */
  last: number;
  total: number;
  requests: number;
}

/** `take` asks for n units `count` times; the 3rd request of a run takes 100 (the bug). */
const burstSystem: System<BurstState, BurstOp> = {
  name: 'burst',
  setup: 'toy burst',
  init: () => ({ last: 0, total: 0, requests: 0 }),
  step(s, op, _describe, checkpoint) {
    if (op.op === 'reset') {
      s.total = 0;
      s.last = 0;
      return { context: 'test', call: 'reset()', result: 'ok' };
    }
    let made = 0;
    for (;;) {
      s.requests += 1;
      s.last = s.requests === 3 ? 100 : op.n;
      s.total += s.last;
      made += 1;
      if (made >= op.count || checkpoint?.() === true) break;
    }
    return { context: 'test', call: `take(${op.n}) x${op.count}`, result: `${made} made` };
  },
  snapshot: (s) => [{ title: 'burst', rows: [`total ${s.total}`] }],
  ops: fc.constant({ op: 'reset' as const }),
};

/** No single request takes more than 10 units (it reads only the last request). */
const smallRequests = property<BurstState, BurstOp>({
  id: 'toy/small-requests',
  ref: 'T4',
  statement: 'Every request takes at most 10 units.',
  system: 'burst',
  after: ['take'],
  check: ({ state }) =>
    state.last <= 10 ? null : { subject: 'request', message: `took ${state.last}` },
  witness: ({ state }) => state.last > 0,
  catches: [],
});

describe('runOps with repeating ops', () => {
  it('finds a violation in the middle of a burst and stops the burst there', () => {
    const r = runOps(burstSystem, makePlan([smallRequests]), [{ op: 'take', n: 1, count: 5 }], {
      record: true,
    });
    expect(r.failure?.property).toBe('toy/small-requests');
    expect(r.failure?.step).toBe(1);
    expect(r.failure?.violation.message).toBe('took 100');
    // the burst stopped at its third request: nothing ran after the broken one
    expect(r.state.requests).toBe(3);
    expect(r.steps.map((s) => s.outcome.result)).toEqual(['3 made']);
    expect(r.checkedSteps).toBe(1);
  });

  it('a violation left behind by a later request would be missed without the checkpoints', () => {
    // the same burst, nobody checking in between: only the last request is seen
    const s = burstSystem.init();
    burstSystem.step(s, { op: 'take', n: 1, count: 5 });
    expect(s.requests).toBe(5);
    expect(s.last).toBe(1);
  });

  it('a burst that breaks nothing runs to its end, one step', () => {
    const r = runOps(
      burstSystem,
      makePlan([smallRequests]),
      [{ op: 'take', n: 2, count: 2 }, { op: 'reset' }],
      { witness: true },
    );
    expect(r.failure).toBeNull();
    expect(r.state.requests).toBe(2);
    expect(r.checkedSteps).toBe(2);
    expect([...r.witnessed]).toEqual(['toy/small-requests']);
  });

  it('later steps are numbered after the burst', () => {
    const r = runOps(burstSystem, makePlan([smallRequests]), [
      { op: 'take', n: 1, count: 2 },
      { op: 'reset' },
      { op: 'take', n: 1, count: 4 },
    ]);
    expect(r.failure?.step).toBe(3);
    expect(r.state.requests).toBe(3);
  });
});
