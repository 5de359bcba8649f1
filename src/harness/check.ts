/**
 * Generates operation sequences with fast-check, runs them, and turns the
 * first failure of each property into a minimal counterexample.
 *
 * Search: every still-unbroken property is checked on every run. When a run
 * breaks property P, fast-check replays that run and shrinks it with P alone
 * as the predicate (so the counterexample is P's, not a neighbour's), a short
 * breadth-first search over the shrunk steps removes any step the shrinker
 * left, and the search goes on for the remaining properties from the same
 * seed. Budgets count runs and steps, never time, unless `timeLimitMs` is set.
 */
import fc from 'fast-check';
import type { Property } from '../../properties/property.ts';
import {
  type CheckPlan,
  type Failure,
  makePlan,
  type RunOptions,
  runOps,
  type StepRecord,
} from './run.ts';
import type { Op, StateTable, System } from './system.ts';

export interface CheckOptions {
  readonly seed: number;
  /** Runs per search (fast-check numRuns). */
  readonly runs: number;
  /** Most operations in one run. */
  readonly maxSteps: number;
  /** Stop searching after this long (the report then says it was time-bound). */
  readonly timeLimitMs?: number;
  /** Most candidate runs the breadth-first minimisation may spend. */
  readonly bfsBudget?: number;
  /** fast-check's path of one run: reproduces exactly that run (then shrinks it). */
  readonly path?: string;
  /** Called after every run (progress display). */
  readonly onRun?: (runsDone: number) => void;
}

/** A generated run: ops, and the op kinds switched off for it (swarm testing). */
export interface RunInput<O extends Op> {
  readonly swarm: number;
  readonly ops: readonly O[];
}

export interface Counterexample<O extends Op> {
  readonly failure: Failure;
  /** The executed steps of the minimal run, as recorded. */
  readonly steps: readonly StepRecord<O>[];
  /** The same operations as plain data: the replayable trace. */
  readonly ops: readonly O[];
  /** Executed steps of the first failing run, before any shrinking. */
  readonly originalSteps: number;
  /** `seed/path/indices`: reproduces the run through fast-check (see `replayToken`). */
  readonly token: string;
  /** The state that matters after the failing step. */
  readonly snapshot: readonly StateTable[];
}

export interface PropertyResult<O extends Op> {
  readonly property: string;
  readonly status: 'held' | 'violated';
  /** Runs until detection (violated) or runs searched (held). */
  readonly runs: number;
  /** Checked steps until detection, or in the whole search. */
  readonly steps: number;
  readonly counterexample?: Counterexample<O>;
}

/** A model or policy threw while executing a step: a bug, not a violation. */
export class StepError extends Error {
  override readonly name = 'StepError';
}

export interface CheckResult<O extends Op> {
  readonly results: readonly PropertyResult<O>[];
  /** True when `timeLimitMs` cut a search short. */
  readonly timeBound: boolean;
}

function swarmDisabled(kinds: readonly string[], swarm: number): ReadonlySet<string> | undefined {
  if (swarm === 0) return undefined;
  const off = new Set<string>();
  kinds.forEach((k, i) => {
    if (Math.floor(swarm / 2 ** i) % 2 === 1) off.add(k);
  });
  return off;
}

/** The run options of each swarm value, built once per search (a search sees few values, many times). */
function swarmOptions(kinds: readonly string[]): (swarm: number) => RunOptions {
  const cache = new Map<number, RunOptions>();
  return (swarm) => {
    let o = cache.get(swarm);
    if (o === undefined) {
      const disabled = swarmDisabled(kinds, swarm);
      o = disabled ? { disabled } : {};
      cache.set(swarm, o);
    }
    return o;
  };
}

/** The arbitrary of one run. Swarm bits shrink towards 0: every kind enabled. */
export function runInputArbitrary<S, O extends Op>(
  system: System<S, O>,
  kinds: readonly string[],
  maxSteps: number,
): fc.Arbitrary<RunInput<O>> {
  return fc.record({
    // a third of the runs switch some op kinds off; the rest enable all
    swarm: fc.oneof(
      { weight: 2, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** kinds.length - 1 }) },
    ),
    ops: fc.array(system.ops, { maxLength: maxSteps, size: 'max' }),
  });
}

/** The executed ops of a run input, with their indices in the input. */
function executedOps<S, O extends Op>(
  system: System<S, O>,
  plan: CheckPlan<S, O>,
  kinds: readonly string[],
  input: RunInput<O>,
): { ops: O[]; indices: number[]; firstSteps: number } {
  const disabled = swarmDisabled(kinds, input.swarm);
  const r = runOps(system, plan, input.ops, disabled ? { disabled } : {});
  const ops: O[] = [];
  const indices: number[] = [];
  r.executed.forEach((e, i) => {
    const op = input.ops[i];
    if (e && op !== undefined) {
      ops.push(op);
      indices.push(i);
    }
  });
  return { ops, indices, firstSteps: r.checkedSteps };
}

/**
 * Shortest failing sequence over the steps of `ops`, by breadth-first search
 * from the start state up to `ops.length - 1` steps; `ops` when none is shorter.
 * Returns indices into `ops`.
 */
export function bfsMinimise<S, O extends Op>(
  system: System<S, O>,
  plan: CheckPlan<S, O>,
  propertyId: string,
  ops: readonly O[],
  budget: number,
  extra: readonly O[] = [],
): { indices: number[]; ops: O[] } {
  // the alphabet: the run's own steps first, then a few other generated ops
  const pool: O[] = [...ops, ...extra];
  const alphabet: number[] = [];
  const seen = new Set<string>();
  pool.forEach((op, i) => {
    const key = JSON.stringify(op);
    if (!seen.has(key)) {
      seen.add(key);
      alphabet.push(i);
    }
  });
  const whole = { indices: ops.map((_, j) => j), ops: [...ops] };
  const done = (seq: number[]) => ({ indices: seq, ops: seq.map((j) => pool[j] as O) });
  let spent = 0;
  let frontier: number[][] = [[]];
  for (let depth = 1; depth < ops.length; depth++) {
    const next: number[][] = [];
    for (const prefix of frontier)
      for (const i of alphabet) {
        if (spent >= budget) return whole;
        spent += 1;
        const seq = [...prefix, i];
        const r = runOps(
          system,
          plan,
          seq.map((j) => pool[j] as O),
        );
        if (r.failure?.property === propertyId && r.executed.every(Boolean)) return done(seq);
        // a prefix whose steps did not all execute is no shorter run: drop it
        if (r.executed.every(Boolean) && r.failure === null) next.push(seq);
      }
    frontier = next;
  }
  return whole;
}

/** Generated ops the BFS may use beside the run's own (drawn from the seed). */
const BFS_EXTRA_OPS = 48;

/** Encodes seed, fast-check path and the executed-step indices as one token. */
export function encodeToken(seed: number, path: string, indices: readonly number[]): string {
  return `${seed}/${path}/${indices.join('.')}`;
}

export interface Token {
  readonly seed: number;
  readonly path: string;
  readonly indices: readonly number[];
}

/** Parses a replay token; throws an Error with a one-line message when malformed. */
export function decodeToken(token: string): Token {
  const m = /^(-?\d+)\/(\d+(?::\d+)*)\/(-?\d+(?:\.-?\d+)*)?$/.exec(token);
  if (!m) throw new Error(`malformed replay token '${token}' (expected seed/path/indices)`);
  const indices = m[3] ? m[3].split('.').map(Number) : [];
  return { seed: Number(m[1]), path: m[2] ?? '', indices };
}

/** The ops a token designates: the fast-check value at its path, then its indices. */
export function opsFromToken<S, O extends Op>(
  system: System<S, O>,
  kinds: readonly string[],
  maxSteps: number,
  token: Token,
): O[] {
  let captured: RunInput<O> | undefined;
  fc.check(
    fc.property(runInputArbitrary(system, kinds, maxSteps), (input) => {
      captured = input;
      return false;
    }),
    { seed: token.seed, path: token.path, endOnFailure: true },
  );
  if (!captured) throw new Error(`replay token path ${token.path} selects no run`);
  const { ops } = captured;
  const extra = fc.sample(system.ops, { seed: token.seed, numRuns: BFS_EXTRA_OPS });
  return token.indices.map((i) => {
    const op = i >= 0 ? ops[i] : extra[-1 - i];
    if (op === undefined) throw new Error(`replay token index ${i} is past the run's ops`);
    return op;
  });
}

/** Checks every property in `props` against `system`; one result per property. */
export function checkProperties<S, O extends Op>(
  system: System<S, O>,
  props: readonly Property<S, O>[],
  options: CheckOptions,
): CheckResult<O> {
  const kinds = system.opKinds ?? [];
  const arb = runInputArbitrary(system, kinds, options.maxSteps);
  const results = new Map<string, PropertyResult<O>>();
  const optionsFor = swarmOptions(kinds);
  let active = [...props];
  let timeBound = false;
  let totalRuns = 0;
  while (active.length > 0) {
    const plan = makePlan(active);
    let runs = 0;
    let steps = 0;
    let broke: Failure | null = null;
    let thrown: unknown;
    const details = fc.check(
      fc.property(arb, (input) => {
        runs += 1;
        options.onRun?.(totalRuns + runs);
        let r: ReturnType<typeof runOps<S, O>>;
        try {
          r = runOps(system, plan, input.ops, optionsFor(input.swarm));
        } catch (e) {
          thrown = e;
          return false;
        }
        steps += r.checkedSteps;
        if (r.failure) broke = r.failure;
        return r.failure === null;
      }),
      {
        seed: options.seed,
        numRuns: options.runs,
        ...(options.path !== undefined ? { path: options.path } : {}),
        endOnFailure: true,
        ...(options.timeLimitMs !== undefined
          ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }
          : {}),
      },
    );
    totalRuns = Math.max(totalRuns, runs);
    if (details.interrupted) timeBound = true;
    if (thrown !== undefined) {
      const msg = thrown instanceof Error ? thrown.message : String(thrown);
      throw new StepError(`${system.name}: a step threw: ${msg.split('\n')[0]}`);
    }
    const failure = broke as Failure | null;
    if (!details.failed || failure === null) {
      for (const p of active) results.set(p.id, { property: p.id, status: 'held', runs, steps });
      break;
    }
    const prop = active.find((p) => p.id === failure.property);
    if (!prop) throw new Error(`unknown property ${failure.property}`);
    const cx = minimise(system, prop, kinds, options, details.counterexamplePath ?? '');
    results.set(prop.id, {
      property: prop.id,
      status: 'violated',
      runs,
      steps,
      counterexample: cx,
    });
    active = active.filter((p) => p !== prop);
  }
  return { results: props.map((p) => results.get(p.id) as PropertyResult<O>), timeBound };
}

/** Replays the failing run at `path` and shrinks it for `prop` alone, then BFS. */
function minimise<S, O extends Op>(
  system: System<S, O>,
  prop: Property<S, O>,
  kinds: readonly string[],
  options: CheckOptions,
  path: string,
): Counterexample<O> {
  const plan = makePlan([prop]);
  const arb = runInputArbitrary(system, kinds, options.maxSteps);
  let originalSteps = -1;
  const optionsFor = swarmOptions(kinds);
  const details = fc.check(
    fc.property(arb, (input) => {
      const r = runOps(system, plan, input.ops, optionsFor(input.swarm));
      if (originalSteps < 0 && r.failure) originalSteps = r.checkedSteps;
      return r.failure?.property !== prop.id;
    }),
    { seed: options.seed, path },
  );
  const shrunk = details.counterexample?.[0];
  if (!details.failed || shrunk === undefined)
    throw new Error(`property ${prop.id}: failure at path ${path} did not reproduce`);
  const exec = executedOps(system, plan, kinds, shrunk);
  const extra = fc.sample(system.ops, { seed: options.seed, numRuns: BFS_EXTRA_OPS });
  const best = bfsMinimise(system, plan, prop.id, exec.ops, options.bfsBudget ?? 2_000, extra);
  const ops = best.ops;
  const final = runOps(system, plan, ops, { record: true });
  if (!final.failure) throw new Error(`property ${prop.id}: minimised run does not fail`);
  // indices >= the run's length name the extra ops, drawn from the same seed
  const token = encodeToken(
    options.seed,
    details.counterexamplePath ?? path,
    best.indices.map((i) =>
      i < exec.ops.length ? (exec.indices[i] as number) : -1 - (i - exec.ops.length),
    ),
  );
  return {
    failure: final.failure,
    steps: final.steps,
    ops,
    originalSteps,
    token,
    snapshot: system.snapshot(final.state),
  };
}
