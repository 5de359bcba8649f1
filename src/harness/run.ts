/**
 * Executes operations against a system and checks properties as it goes.
 *
 * This file runs and checks; it never generates (see `check.ts`) and never
 * renders (see `../report/`). A *checked step* is one executed operation
 * followed by every property that declares it can be broken by that kind of
 * operation; whole-state (`atEnd`) properties run once at the end of the run.
 */
import type { Property, Violation } from '../../properties/property.ts';
import { EXECUTED, type Op, type Outcome, type System } from './system.ts';

/** One executed step, as recorded when it ran. */
export interface StepRecord<O extends Op = Op> {
  /** 1-based step number among executed steps. */
  readonly n: number;
  readonly op: O;
  readonly outcome: Outcome;
  /** The system's gauges after the step (recorded runs only). */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** The first broken invariant of a run. */
export interface Failure {
  readonly property: string;
  /** The executed step after which it broke; 0 when found by an end-of-run check. */
  readonly step: number;
  readonly violation: Violation;
}

export interface RunResult<S, O extends Op> {
  readonly state: S;
  /** Executed steps (recorded only when asked; otherwise empty). */
  readonly steps: readonly StepRecord<O>[];
  /** For each input op, whether it executed (false: not enabled, skipped). */
  readonly executed: readonly boolean[];
  readonly failure: Failure | null;
  /** Number of executed steps whose properties were checked. */
  readonly checkedSteps: number;
  /** Property ids whose `witness` condition occurred in this run. */
  readonly witnessed: ReadonlySet<string>;
}

/** Properties indexed by the op kinds after which they run: built once per check. */
export interface CheckPlan<S, O extends Op> {
  readonly byKind: ReadonlyMap<string, readonly Property<S, O>[]>;
  readonly everyStep: readonly Property<S, O>[];
  readonly atEnd: readonly Property<S, O>[];
  readonly withWitness: readonly Property<S, O>[];
}

export function makePlan<S, O extends Op>(props: readonly Property<S, O>[]): CheckPlan<S, O> {
  const byKind = new Map<string, Property<S, O>[]>();
  const everyStep: Property<S, O>[] = [];
  for (const p of props) {
    if (!p.check) continue;
    if (p.after === 'every-step') everyStep.push(p);
    else
      for (const kind of p.after) {
        const list = byKind.get(kind) ?? [];
        list.push(p);
        byKind.set(kind, list);
      }
  }
  // every-step properties run after the kind-specific ones, in catalogue order
  for (const [kind, list] of byKind) byKind.set(kind, [...list, ...everyStep]);
  return {
    byKind,
    everyStep,
    atEnd: props.filter((p) => p.atEnd !== undefined),
    withWitness: props.filter((p) => p.witness !== undefined),
  };
}

export interface RunOptions {
  /** Record every executed step (for reports and replay); off while searching. */
  readonly record?: boolean;
  /** Evaluate witness conditions (tests of non-vacuity). */
  readonly witness?: boolean;
  /** Op kinds disabled for this run (swarm testing): such ops are skipped. */
  readonly disabled?: ReadonlySet<string>;
}

/** The witnesses of a run that does not look for them (never added to). */
const NO_WITNESSES: ReadonlySet<string> = new Set<string>();

/** Runs `ops` from a fresh state, checking the planned properties; stops at the first failure. */
export function runOps<S, O extends Op>(
  system: System<S, O>,
  plan: CheckPlan<S, O>,
  ops: readonly O[],
  options: RunOptions = {},
): RunResult<S, O> {
  const state = system.init();
  const steps: StepRecord<O>[] = [];
  const executed: boolean[] = [];
  const witnessed = options.witness ? new Set<string>() : NO_WITNESSES;
  const record = options.record === true;
  const disabled = options.disabled;
  let n = 0;
  // what a checkpoint inside the current op checks (one closure per run, not per op)
  let current = ops[0] as O;
  let props: readonly Property<S, O>[] = plan.everyStep;
  let early: Failure | null = null;
  /** Checks `props` after the current step (or a repetition inside it): the failure, or null. */
  const checkNow = (outcome: Outcome, step: number): Failure | null => {
    const ctx = { state, op: current, outcome, step };
    if (witnessed !== NO_WITNESSES)
      for (const p of plan.withWitness) if (p.witness?.(ctx)) (witnessed as Set<string>).add(p.id);
    for (const p of props) {
      const violation = p.check?.(ctx) ?? null;
      if (violation !== null) return { property: p.id, step, violation };
    }
    return null;
  };
  const checkpoint = (): boolean => {
    early = checkNow(EXECUTED, n + 1);
    return early !== null;
  };
  for (const op of ops) {
    if (disabled?.has(op.op)) {
      executed.push(false);
      continue;
    }
    current = op;
    props = plan.byKind.get(op.op) ?? plan.everyStep;
    early = null;
    const outcome = system.step(state, op, record, checkpoint);
    if (outcome === null) {
      executed.push(false);
      continue;
    }
    executed.push(true);
    n += 1;
    if (record) {
      const metrics = system.metrics?.(state);
      steps.push(metrics ? { n, op, outcome, metrics } : { n, op, outcome });
    }
    // a repetition inside the op broke a property: the op stopped there, already checked
    // (a cast: TypeScript does not see the checkpoint closure assign `early`)
    const failure = (early as Failure | null) ?? checkNow(outcome, n);
    if (failure !== null) return { state, steps, executed, failure, checkedSteps: n, witnessed };
  }
  for (const p of plan.atEnd) {
    const violation = p.atEnd?.(state) ?? null;
    if (violation !== null)
      return {
        state,
        steps,
        executed,
        failure: { property: p.id, step: 0, violation },
        checkedSteps: n,
        witnessed,
      };
  }
  return { state, steps, executed, failure: null, checkedSteps: n, witnessed };
}
