/**
 * Trace files: a counterexample as versioned JSON, replayable by
 * `poolcheck replay` without our random generator.
 */
import type { Op } from '../harness/system.ts';
import type { Outcome } from './witness.ts';

export const TRACE_SCHEMA = 'poolcheck-trace';
export const TRACE_VERSION = 1;

export interface TraceFile {
  readonly schema: typeof TRACE_SCHEMA;
  readonly version: number;
  readonly scenario: string;
  /** Scenario config as run (so a trace replays even if the shipped scenario changes). */
  readonly system: string;
  readonly config: unknown;
  /** Policy id, or the module path a user policy was loaded from. */
  readonly policy: string;
  readonly property: { readonly id: string; readonly ref: string; readonly statement: string };
  readonly seed: number;
  readonly token: string;
  readonly originalSteps: number;
  readonly ops: readonly Op[];
  readonly steps: readonly {
    readonly n: number;
    readonly context: string;
    readonly call: string;
    readonly result: string;
    readonly notes?: readonly string[];
  }[];
  readonly violation: {
    readonly step: number;
    readonly subject: string;
    readonly message: string;
    readonly details?: readonly string[];
  };
}

export function traceOf(
  o: Outcome,
  system: string,
  config: unknown,
  policySpec: string,
): TraceFile {
  const cx = o.counterexample;
  if (!cx) throw new Error('no counterexample to write');
  return {
    schema: TRACE_SCHEMA,
    version: TRACE_VERSION,
    scenario: o.scenario,
    system,
    config,
    policy: policySpec,
    property: { id: o.property.id, ref: o.property.ref, statement: o.property.statement },
    seed: o.seed,
    token: cx.token,
    originalSteps: cx.originalSteps,
    ops: cx.ops,
    steps: cx.steps.map((s) => ({ n: s.n, ...s.outcome })),
    violation: { step: cx.failure.step, ...cx.failure.violation },
  };
}

/** File name: property, policy and seed, safe on any file system. */
export function traceName(o: Outcome): string {
  const slug = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-');
  return `${slug(o.property.id)}-${slug(o.policy)}-${o.seed}.json`;
}
