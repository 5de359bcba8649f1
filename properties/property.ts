/**
 * What a property is: an invariant in kernel language, checked by the
 * harness after the steps that can break it, with the evidence it found.
 *
 * A property never shrinks, prints or generates: it looks at a state (and the
 * step just taken) and returns evidence or null. The harness decides when to
 * call it; renderers decide how the evidence reads.
 */
import type { Op, Outcome } from '../src/harness/system.ts';

/** Evidence that an invariant broke, naming the object it is about. */
export interface Violation {
  /** The page, zone, pool or chunk the violation is about: `pool dma32#1`. */
  readonly subject: string;
  /** One line of what was observed: `avail 8192 != size 16384 - 3 pages`. */
  readonly message: string;
  /** The state of the subject, a row a line (show_mem style for zones). */
  readonly details?: readonly string[];
}

/** What a per-step check sees. */
export interface StepContext<S, O extends Op> {
  readonly state: S;
  readonly op: O;
  readonly outcome: Outcome;
  /** 1-based number of the executed step. */
  readonly step: number;
}

export interface Property<S, O extends Op> {
  /** `<area>/<kebab-slug>`, stable forever. */
  readonly id: string;
  /** The spec's invariant number (`I10`). */
  readonly ref: string;
  /** One sentence a kernel reviewer would accept, naming the exact predicate. */
  readonly statement: string;
  /** The system whose state this property reads (`genpool`, `page-alloc`, `dma`). */
  readonly system: string;
  /** Op kinds after which `check` runs; `every-step` for all. */
  readonly after: readonly string[] | 'every-step';
  /** Checks the state after one step; null when the invariant holds. */
  readonly check?: (ctx: StepContext<S, O>) => Violation | null;
  /** Whole-state check at the end of each run. */
  readonly atEnd?: (state: S) => Violation | null;
  /**
   * A situation that must occur in some run for the property to mean anything
   * (a `sometimes` property): an order-aligned allocation from a chunk whose
   * start is not aligned, say. Used by tests to show the property is not vacuous.
   */
  readonly witness?: (ctx: StepContext<S, O>) => boolean;
  /** Which designs it applies to (default: every design). */
  readonly designs?: readonly ('atomic-pool' | 'reserve-pool')[];
  /** The broken variants (test mutants) it is known to catch, and zoo bugs. */
  readonly catches: readonly { readonly mutant: string; readonly zoo?: string }[];
}

/** Identity helper that fixes the type parameters at the definition site. */
export function property<S, O extends Op>(p: Property<S, O>): Property<S, O> {
  return p;
}
