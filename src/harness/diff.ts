/**
 * The refactor guard: run the same generated operations against two
 * policies and find the first observable divergence (a return value, an
 * address, a pool size, an event), shrunk to the shortest run that shows it.
 * An observation is a step's context, call and result as recorded, plus
 * whether the op was enabled at all.
 */
import fc from 'fast-check';
import type { CheckOptions } from './check.ts';
import { runInputArbitrary } from './check.ts';
import { makePlan, runOps, type StepRecord } from './run.ts';
import type { Op, System } from './system.ts';

export interface Divergence<O extends Op> {
  readonly ops: readonly O[];
  /** Executed steps of each side, up to and including the divergence. */
  readonly a: readonly StepRecord<O>[];
  readonly b: readonly StepRecord<O>[];
  /** Index (0-based) into `ops` of the first op whose observation differs. */
  readonly at: number;
  readonly originalOps: number;
}

export interface DiffResult<O extends Op> {
  readonly runs: number;
  readonly divergence?: Divergence<O>;
}

type Observation = string;

function observe<S, O extends Op>(system: System<S, O>, ops: readonly O[]): Observation[] {
  const r = runOps(system, makePlan([]), ops, { record: true });
  const obs: Observation[] = [];
  let k = 0;
  r.executed.forEach((e) => {
    if (!e) {
      obs.push('(not enabled)');
      return;
    }
    const s = r.steps[k++];
    obs.push(s ? `${s.outcome.context} ${s.outcome.call} -> ${s.outcome.result}` : '');
  });
  return obs;
}

/** First index where the two systems observe differently, or -1. */
export function firstDivergence<SA, SB, O extends Op>(
  a: System<SA, O>,
  b: System<SB, O>,
  ops: readonly O[],
): number {
  const oa = observe(a, ops);
  const ob = observe(b, ops);
  for (let i = 0; i < ops.length; i++) if (oa[i] !== ob[i]) return i;
  return -1;
}

/** Shortest prefix-closed sequence over `ops` (BFS) that still diverges. */
function shortest<SA, SB, O extends Op>(
  a: System<SA, O>,
  b: System<SB, O>,
  ops: readonly O[],
  budget: number,
): O[] {
  let spent = 0;
  let frontier: O[][] = [[]];
  for (let depth = 1; depth < ops.length; depth++) {
    const next: O[][] = [];
    for (const prefix of frontier)
      for (const op of ops) {
        if (spent++ >= budget) return [...ops];
        const seq = [...prefix, op];
        if (firstDivergence(a, b, seq) >= 0) return seq;
        next.push(seq);
      }
    frontier = next;
  }
  return [...ops];
}

export function diffSystems<SA, SB, O extends Op>(
  a: System<SA, O>,
  b: System<SB, O>,
  options: CheckOptions,
): DiffResult<O> {
  let runs = 0;
  const details = fc.check(
    fc.property(runInputArbitrary(a, [], options.maxSteps), (input) => {
      runs += 1;
      options.onRun?.(runs);
      return firstDivergence(a, b, input.ops) < 0;
    }),
    {
      seed: options.seed,
      numRuns: options.runs,
      ...(options.timeLimitMs !== undefined
        ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }
        : {}),
    },
  );
  const shrunk = details.counterexample?.[0];
  if (!details.failed || !shrunk) return { runs };
  // cut after the divergence, then look for a shorter run
  const cut = shrunk.ops.slice(0, firstDivergence(a, b, shrunk.ops) + 1);
  const ops = shortest(a, b, cut, options.bfsBudget ?? 5_000);
  const at = firstDivergence(a, b, ops);
  const upTo = ops.slice(0, at + 1);
  const ra = runOps(a, makePlan([]), upTo, { record: true });
  const rb = runOps(b, makePlan([]), upTo, { record: true });
  return {
    runs,
    divergence: {
      ops: upTo,
      a: ra.steps,
      b: rb.steps,
      at,
      originalOps: shrunk.ops.length,
    },
  };
}
