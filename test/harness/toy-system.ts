/** A tiny system for testing the harness itself: a counter with takes and gives. */
import fc from 'fast-check';
import { property } from '../../properties/property.ts';
import type { Op, System } from '../../src/harness/system.ts';

export type ToyOp = { op: 'take'; n: number } | { op: 'give'; pick: number } | { op: 'noop' };
export interface ToyState {
  taken: number[];
}

export const toySystem: System<ToyState, ToyOp> = {
  name: 'toy',
  setup: 'toy counter, capacity 10',
  opKinds: ['take', 'give', 'noop'],
  init: () => ({ taken: [] }),
  step(state, op) {
    if (op.op === 'take') {
      const total = state.taken.reduce((a, b) => a + b, 0);
      if (total + op.n > 10) return null;
      state.taken.push(op.n);
      return { context: 'test', call: `take(${op.n})`, result: `total ${total + op.n}` };
    }
    if (op.op === 'give') {
      if (state.taken.length === 0) return null;
      const i = op.pick % state.taken.length;
      const [n] = state.taken.splice(i, 1);
      return { context: 'test', call: `give(#${i})`, result: `gave ${n}` };
    }
    return { context: 'test', call: 'noop()', result: 'ok' };
  },
  snapshot: (s) => [{ title: 'toy', rows: [`taken ${s.taken.join(' ')}`] }],
  ops: fc.oneof(
    fc.record({ op: fc.constant('take' as const), n: fc.integer({ min: 1, max: 4 }) }),
    fc.record({ op: fc.constant('give' as const), pick: fc.nat(7) }),
    fc.constant({ op: 'noop' as const }),
  ),
};

const total = (s: ToyState) => s.taken.reduce((a, b) => a + b, 0);

export const atMostSeven = property<ToyState, ToyOp>({
  id: 'toy/at-most-seven',
  ref: 'T1',
  statement: 'Never more than 7 units are taken.',
  system: 'toy',
  after: ['take'],
  check: ({ state }) =>
    total(state) <= 7 ? null : { subject: 'counter', message: `taken ${total(state)} > 7` },
  catches: [],
});

export const neverTen = property<ToyState, ToyOp>({
  id: 'toy/never-ten',
  ref: 'T2',
  statement: 'The counter never ends a run full.',
  system: 'toy',
  after: [],
  atEnd: (s) => (total(s) < 10 ? null : { subject: 'counter', message: 'full at end' }),
  catches: [],
});

export const holds = property<ToyState, ToyOp>({
  id: 'toy/holds',
  ref: 'T3',
  statement: 'The counter never exceeds its capacity.',
  system: 'toy',
  after: 'every-step',
  check: ({ state }) => (total(state) <= 10 ? null : { subject: 'counter', message: 'over' }),
  witness: ({ op }) => op.op === 'give',
  catches: [],
});

export type { Op };
