/**
 * The harness's view of a model: a *system* is a model state, the operations
 * that drive it, and how each executed operation reads in a report.
 *
 * Operations are plain JSON data. A system never sees fast-check: the
 * arbitraries that generate operations live beside it (`ops` below) and the
 * runner in `run.ts` applies them. An operation that is not enabled in the
 * current state (a free with nothing allocated) is *skipped*: it leaves the
 * state untouched and is not a step of the trace.
 */
import type { Arbitrary } from 'fast-check';

/** An operation: plain data, `op` names the kernel entry point it drives. */
export interface Op {
  readonly op: string;
}

/** What one executed step did, recorded as it executed (never re-derived). */
export interface Outcome {
  /** Who ran it: `cpu0 atomic`, `cpu1 task`, `worker`, `kswapd`, `test`. */
  readonly context: string;
  /** The kernel call in kernel terms: `gen_pool_alloc(pool, 8 KiB)`. */
  readonly call: string;
  /** What the call observed or returned: `0x100000 (chunk 0 +0x2000)`. */
  readonly result: string;
  /** Sub-steps or observations worth a line of their own in a report. */
  readonly notes?: readonly string[];
}

/** The outcome of a step executed in a search run, where no text is read. */
export const EXECUTED: Outcome = Object.freeze({ context: '', call: '', result: '' });

/** A compact table of the state that matters, for reports. */
export interface StateTable {
  readonly title: string;
  readonly rows: readonly string[];
}

/**
 * A system under test. `S` is the model state, mutated in place by `step`.
 * Everything is deterministic: the same operations give the same outcomes.
 */
export interface System<S, O extends Op> {
  /** Short name: `genpool`, `page-alloc`, `dma`. */
  readonly name: string;
  /** One line describing the configuration, for the report's `setup:` line. */
  readonly setup: string;
  /** A fresh initial state. */
  init(): S;
  /**
   * Executes `op`; returns null when the op is not enabled (skipped). With
   * `describe` false (a search run, nobody reads it) a system may return a
   * bare `EXECUTED` outcome instead of formatting text.
   *
   * An op that repeats a call (a burst of one request, several sub-steps of
   * a worker) is one step, but each repetition is checked as if it were
   * one: the op calls `checkpoint` after every repetition but the last,
   * and the harness checks the op's properties on the state as that
   * repetition left it. When one broke there (`checkpoint` returns true)
   * the op stops at once and returns what it did so far; the harness then
   * reports the violation at this step. Without `checkpoint` (nobody
   * checks) the op runs to its end.
   */
  step(state: S, op: O, describe?: boolean, checkpoint?: () => boolean): Outcome | null;
  /** The state that matters, as rows (zones in show_mem layout, pools, ...). */
  snapshot(state: S): readonly StateTable[];
  /**
   * Numeric gauges for timelines, grouped by the part before the first dot:
   * `pool dma32.avail`, `pool dma32.size`, `zone DMA32.free`, `zone DMA32.min`.
   * Recorded after every step of a counterexample.
   */
  metrics?(state: S): Readonly<Record<string, number>>;
  /**
   * Op kinds that swarm testing may switch off for a whole run (some runs
   * have no frees, no kswapd, no faults). Absent: every run enables all.
   */
  readonly opKinds?: readonly string[];
  /** Generates one operation (state-independent; `step` resolves picks). */
  readonly ops: Arbitrary<O>;
}
