/**
 * Where an allocation *may* go, worked out naively from the caller's view:
 * the granules a chunk has (floor(size / g) of the size the caller added),
 * its bitmap read bit by bit (whole words skipped when all set or all clear),
 * and each algorithm's placement rule as genalloc.md states it. Shared by the
 * completeness, first-fitting-chunk and placement properties; it never calls
 * the model's algorithms.
 */

import type { AddedChunk, GenpoolEvent, GenpoolState } from '../../src/systems/genpool/system.ts';
import type { Violation } from '../property.ts';

type AllocEvent = Extract<GenpoolEvent, { kind: 'alloc' }>;

/** A placement rule: start bits p with (p + off) % step === 0, or exactly `at`. */
export interface FitRule {
  readonly nbits: number;
  readonly step: number;
  readonly off: number;
  /** fixed_alloc: the only allowed bit (-1: none, an unaligned offset). */
  readonly at?: number;
  /** best_fit: the shortest fitting run wins, the lowest on a tie. */
  readonly best?: boolean;
}

const isPow2 = (n: number) => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;

/** The smallest power of two >= n (n >= 1). */
function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The rule an allocation follows in `chunk`, or null where genalloc.md makes
 * no simple claim (first_fit_align with an align that is 0, negative or not a
 * power of two: the literal mask arithmetic then decides).
 */
export function ruleFor(ev: AllocEvent, chunk: AddedChunk, g: number): FitRule | null {
  const nbits = ev.nbits;
  switch (ev.algo) {
    case 'first_fit':
      return { nbits, step: 1, off: 0 };
    case 'best_fit':
      return { nbits, step: 1, off: 0, best: true };
    case 'first_fit_order_align':
      return { nbits, step: pow2AtLeast(nbits), off: 0 };
    case 'first_fit_align': {
      const align = ev.data !== undefined && 'align' in ev.data ? ev.data.align : 0;
      if (!isPow2(align)) return null;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: for a power of two align <= g the general rule below is the same (step 1 or a fraction of one, offset 0)
      if (align <= g) return { nbits, step: 1, off: 0 };
      // the chunk start's misalignment, in whole granules (truncated)
      return { nbits, step: align / g, off: Math.floor((chunk.virt % align) / g) };
    }
    case 'fixed_alloc': {
      const offset = ev.data !== undefined && 'offset' in ev.data ? ev.data.offset : 0;
      return { nbits, step: 1, off: 0, at: offset % g === 0 ? offset / g : -1 };
    }
  }
}

/** Whether granule `b` is allocated; `[clearFrom, clearTo)` reads as free (the block just placed). */
function allocated(bits: Uint32Array, b: number, clearFrom: number, clearTo: number): boolean {
  if (b >= clearFrom && b < clearTo) return false;
  return Math.floor((bits[Math.floor(b / 32)] ?? 0) / 2 ** (b % 32)) % 2 === 1;
}

/** Word `w` of the bitmap with the granules of `[clearFrom, clearTo)` read as free. */
function wordAt(bits: Uint32Array, w: number, clearFrom: number, clearTo: number): number {
  let word = bits[w] ?? 0;
  const lo = Math.max(clearFrom, w * 32);
  const hi = Math.min(clearTo, w * 32 + 32);
  // Stryker disable next-line ArithmeticOperator: a JS shift count is taken mod 32, and b + 32w == b - 32w (mod 32)
  for (let b = lo; b < hi; b++) word &= ~(1 << (b - w * 32));
  return word >>> 0;
}

/**
 * The maximal free runs [s, e) of a chunk's first `usable` granules, in
 * order, reading one bit at a time (whole words skipped when all set or all
 * clear); stops when `visit` returns true.
 */
function forEachFreeRun(
  bits: Uint32Array,
  usable: number,
  clearFrom: number,
  clearTo: number,
  visit: (s: number, e: number) => boolean,
): void {
  let runStart = -1;
  // Stryker disable next-line EqualityOperator: one more word past usable has n = 0 granules and visits nothing
  for (let w = 0; w * 32 < usable; w++) {
    const word = wordAt(bits, w, clearFrom, clearTo);
    const n = Math.min(32, usable - w * 32);
    // Stryker disable next-line ConditionalExpression: a short last word that is all clear or all set gives the same runs read whole or bit by bit
    if (n === 32 && (word === 0 || word === 0xffffffff)) {
      // Stryker disable next-line ConditionalExpression: starting a run at an all-set word only visits an empty run, which no rule of nbits >= 1 takes (every caller passes a size > 0)
      if (word === 0 && runStart < 0) runStart = w * 32;
      if (word === 0xffffffff && runStart >= 0) {
        if (visit(runStart, w * 32)) return;
        runStart = -1;
      }
      continue;
    }
    for (let q = 0; q < n; q++) {
      if ((word >>> q) & 1) {
        if (runStart >= 0 && visit(runStart, w * 32 + q)) return;
        runStart = -1;
      } else if (runStart < 0) runStart = w * 32 + q;
    }
  }
  if (runStart >= 0) visit(runStart, usable);
}

/**
 * The bit the rule places the block at in `chunk` (the block at
 * `[clearFrom, clearTo)` counted as free), or null when nothing fits.
 */
export function expectedBit(
  chunk: AddedChunk,
  g: number,
  rule: FitRule,
  clearFrom = 0,
  clearTo = 0,
): number | null {
  const usable = Math.floor(chunk.size / g);
  const bits = chunk.chunk.bits;
  if (rule.at !== undefined) {
    const at = rule.at;
    if (at < 0 || at + rule.nbits > usable) return null;
    for (let b = at; b < at + rule.nbits; b++)
      if (allocated(bits, b, clearFrom, clearTo)) return null;
    return at;
  }
  let found: number | null = null;
  let bestLen = Number.POSITIVE_INFINITY;
  forEachFreeRun(bits, usable, clearFrom, clearTo, (s, e) => {
    if (rule.best) {
      if (e - s >= rule.nbits && e - s < bestLen) {
        bestLen = e - s;
        found = s;
      }
      // Stryker disable next-line ConditionalExpression: an early stop; no later run can be shorter than an exact fit
      return bestLen === rule.nbits;
    }
    // the first p >= s with (p + off) a multiple of step
    const p = s + ((rule.step - ((s + rule.off) % rule.step)) % rule.step);
    if (p + rule.nbits <= e) {
      found = p;
      return true;
    }
    return false;
  });
  return found;
}

/** The alloc event of the last step, if the last step was an allocation. */
export function lastAlloc(state: GenpoolState): AllocEvent | null {
  return state.last?.kind === 'alloc' ? state.last : null;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** A violation about a chunk, with the chunk's state as details. */
export function chunkViolation(chunk: AddedChunk, message: string): Violation {
  return {
    subject: `chunk ${chunk.id} ${hex(chunk.virt)}+${chunk.size}`,
    message,
    details: [
      `start ${hex(chunk.chunk.start_addr)} end ${hex(chunk.chunk.end_addr)} end_bit ${chunk.chunk.end_bit}`,
      `avail ${chunk.chunk.avail}`,
    ],
  };
}

/** How an allocation reads in a message: `3 granules (first_fit_align, align 16384)`. */
export function requestText(ev: AllocEvent): string {
  const d = ev.data;
  const extra =
    d === undefined ? '' : 'align' in d ? `, align ${d.align}` : `, offset ${hex(d.offset)}`;
  return `${ev.size} bytes = ${ev.nbits} granules (${ev.algo}${extra})`;
}
