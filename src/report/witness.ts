/**
 * The data behind every report: one property's outcome under one policy and
 * scenario, with its counterexample. Renderers (text, JSON, SVG) are pure
 * functions of this.
 */
import type { Expectation } from '../../models/policy.ts';
import type { Counterexample } from '../harness/check.ts';
import type { Op } from '../harness/system.ts';
import type { PropertyInfo } from '../registry/kind.ts';

export interface Outcome {
  readonly scenario: string;
  readonly setup: string;
  readonly policy: string;
  readonly property: PropertyInfo;
  readonly status: 'held' | 'violated';
  readonly expected: Expectation;
  readonly runs: number;
  readonly steps: number;
  readonly seed: number;
  readonly counterexample?: Counterexample<Op>;
  /** Trace file written for the counterexample, if any. */
  traceFile?: string;
  /** SVG timeline written beside the trace, if any. */
  svgFile?: string;
}

/** Whether the outcome is what the policy declares. */
export function asExpected(o: Outcome): boolean {
  return o.expected === 'holds' ? o.status === 'held' : o.status === 'violated';
}

export function expectationText(e: Expectation): string {
  return e === 'holds' ? 'holds' : `fails ${e.fails}`;
}

/** `known BZ-nn` when the policy declares this violation, `new` otherwise. */
export function violationTag(o: Outcome): string {
  return o.expected === 'holds' ? 'new' : `known ${o.expected.fails}`;
}
