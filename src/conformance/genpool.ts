/**
 * gen_pool conformance: replays a kernel `.ops` sequence (one token a line)
 * through the gen_pool model and prints what the kernel's test module prints
 * (`<index> <token> -> <result>`), so the text can be compared line for line
 * with the kernel's `.out`. The token language is described in
 * data/ground-truth/README.md; the model is models/genpool.
 *
 * This file parses, replays and compares; it never reads files and never
 * renders reports (the `conformance` command does both).
 */
import {
  type GenPool,
  type GenPoolAlgo,
  type GenPoolData,
  gen_pool_add,
  gen_pool_alloc,
  gen_pool_alloc_algo,
  gen_pool_avail,
  gen_pool_best_fit,
  gen_pool_create,
  gen_pool_first_fit_align,
  gen_pool_first_fit_order_align,
  gen_pool_fixed_alloc,
  gen_pool_free,
  gen_pool_size,
} from '../../models/genpool/index.ts';

import { ConformanceInputError } from './errors.ts';

export { ConformanceInputError };

/** One parsed `.ops` token. */
export type GenpoolToken =
  | { readonly kind: 'P'; readonly order: number }
  | { readonly kind: 'C'; readonly addr: number; readonly size: number }
  | { readonly kind: 'A' | 'O' | 'B'; readonly size: number }
  | { readonly kind: 'N'; readonly size: number; readonly align: number }
  | { readonly kind: 'X'; readonly size: number; readonly offset: number }
  | { readonly kind: 'F'; readonly index: number }
  | { readonly kind: 'S' };

export interface ParsedOp {
  /** The token as written (echoed in the output line). */
  readonly text: string;
  readonly token: GenpoolToken;
}

const NUM = '(0x[0-9a-fA-F]+|[0-9]+)';
const PATTERNS: readonly [RegExp, (m: RegExpExecArray, line: number) => GenpoolToken][] = [
  [/^P([0-9]+)$/, (m, l) => ({ kind: 'P', order: order(m[1], l) })],
  [
    new RegExp(`^C${NUM}\\+${NUM}$`),
    (m, l) => ({ kind: 'C', addr: num(m[1], l), size: num(m[2], l) }),
  ],
  [new RegExp(`^([AOB])${NUM}$`), (m, l) => ({ kind: letter(m[1]), size: num(m[2], l) })],
  [
    new RegExp(`^N${NUM}@(-?[0-9]+)$`),
    (m, l) => ({ kind: 'N', size: num(m[1], l), align: cInt(m[2], l) }),
  ],
  [
    new RegExp(`^X${NUM}@${NUM}$`),
    (m, l) => ({ kind: 'X', size: num(m[1], l), offset: num(m[2], l) }),
  ],
  [/^F([0-9]+)$/, (m, l) => ({ kind: 'F', index: num(m[1], l) })],
  [/^S$/, () => ({ kind: 'S' })],
];

function letter(s: string | undefined): 'A' | 'O' | 'B' {
  return s === 'O' ? 'O' : s === 'B' ? 'B' : 'A';
}

/** A non-negative integer (decimal or 0x hex) the model holds exactly (below 2^52). */
function num(s: string | undefined, line: number): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v >= 2 ** 52)
    throw new ConformanceInputError(`genpool ops line ${line}: number ${s} is 2^52 or more`);
  return v;
}

function order(s: string | undefined, line: number): number {
  const v = Number(s);
  if (v > 40) throw new ConformanceInputError(`genpool ops line ${line}: order ${s} above 40`);
  return v;
}

/** The align field is a C int. */
function cInt(s: string | undefined, line: number): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)
    throw new ConformanceInputError(`genpool ops line ${line}: align ${s} is not a C int`);
  return v;
}

/** Parses `.ops` text; blank lines are ignored; throws ConformanceInputError. */
export function parseGenpoolOps(opsText: string): ParsedOp[] {
  const out: ParsedOp[] = [];
  opsText.split('\n').forEach((raw, i) => {
    const text = raw.trim();
    if (text === '') return;
    for (const [re, make] of PATTERNS) {
      const m = re.exec(text);
      if (m) {
        out.push({ text, token: make(m, i + 1) });
        return;
      }
    }
    throw new ConformanceInputError(`genpool ops line ${i + 1}: malformed token '${text}'`);
  });
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** `addr - base` as the module prints it: unsigned long, modulo 2^64. */
function offHex(addr: number, base: number): string {
  const d = BigInt(addr) - BigInt(base);
  return `0x${(d < 0n ? d + 2n ** 64n : d).toString(16)}`;
}

function algoOf(token: GenpoolToken): { algo: GenPoolAlgo; data: GenPoolData | undefined } | null {
  switch (token.kind) {
    case 'O':
      return { algo: gen_pool_first_fit_order_align, data: undefined };
    case 'B':
      return { algo: gen_pool_best_fit, data: undefined };
    case 'N':
      return { algo: gen_pool_first_fit_align, data: { align: token.align } };
    case 'X':
      return { algo: gen_pool_fixed_alloc, data: { offset: token.offset } };
    default:
      return null;
  }
}

/**
 * Replays `.ops` text through the model: the kernel's `.out` lines. The
 * kernel oopses on a gen_pool BUG and prints nothing more; the replay then
 * prints `BUG <what>` for that token and stops. Throws ConformanceInputError
 * for a malformed token, or one before the first `P`.
 */
export function replayGenpoolOps(opsText: string): string[] {
  const ops = parseGenpoolOps(opsText);
  const lines: string[] = [];
  let pool: GenPool | null = null;
  let base: number | null = null;
  /** What each op index allocated and still holds: its address and requested size. */
  const live = new Map<number, { addr: number; size: number }>();
  for (const [index, { text, token }] of ops.entries()) {
    if (token.kind === 'P') {
      pool = gen_pool_create(token.order);
      base = null;
      live.clear();
      lines.push(`${index} ${text} -> ok`);
      continue;
    }
    if (pool === null)
      throw new ConformanceInputError(`genpool ops token ${index}: '${text}' before any P token`);
    const say = (result: string) => lines.push(`${index} ${text} -> ${result}`);
    const avail = () => gen_pool_avail(pool as GenPool);
    if (token.kind === 'C') {
      const ret = gen_pool_add(pool, token.addr, token.size);
      base ??= token.addr;
      say(`${ret} avail=${avail()} size=${gen_pool_size(pool)}`);
    } else if (token.kind === 'S') {
      say(`avail=${avail()} size=${gen_pool_size(pool)}`);
    } else if (token.kind === 'F') {
      const block = live.get(token.index);
      if (block === undefined) {
        say('error not-allocated');
        continue;
      }
      const bug = gen_pool_free(pool, block.addr, block.size);
      if (bug !== null) {
        say(`BUG ${bug.bug}`);
        break;
      }
      live.delete(token.index);
      say(`freed ${hex(block.addr)}+${block.size} avail=${avail()}`);
    } else {
      const a = algoOf(token);
      const addr =
        a === null
          ? gen_pool_alloc(pool, token.size)
          : gen_pool_alloc_algo(pool, token.size, a.algo, a.data);
      if (addr === 0 || base === null) say(`0x0 off=none avail=${avail()}`);
      else {
        live.set(index, { addr, size: token.size });
        say(`${hex(addr)} off=${offHex(addr, base)} avail=${avail()}`);
      }
    }
  }
  return lines;
}

/** The result of comparing a replay with the kernel's `.out`. */
export interface GenpoolConformance {
  /** Lines equal in both, position by position. */
  readonly matched: number;
  /** Lines compared: the longer of the two outputs. */
  readonly total: number;
  /** The first line that differs: `line` is its 0-based line (the op index, as the spec counts). */
  readonly firstDivergence?: {
    readonly line: number;
    readonly kernel: string;
    readonly model: string;
  };
}

function outLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Replays `opsText` and compares it with the kernel's `outText`, line by line. */
export function compareGenpoolOut(opsText: string, outText: string): GenpoolConformance {
  const model = replayGenpoolOps(opsText);
  const kernel = outLines(outText);
  const total = Math.max(model.length, kernel.length);
  let matched = 0;
  let first: GenpoolConformance['firstDivergence'];
  for (let i = 0; i < total; i++) {
    const k = kernel[i] ?? '(no line)';
    const m = model[i] ?? '(no line)';
    if (k === m) matched += 1;
    else first ??= { line: i, kernel: k, model: m };
  }
  return first === undefined ? { matched, total } : { matched, total, firstDivergence: first };
}

/**
 * Only the fields that differ between a kernel and a model line (fields are
 * separated by spaces), for stacked `kernel:` / `model:` report lines.
 */
export function divergentFields(kernel: string, model: string): { kernel: string; model: string } {
  const k = kernel.split(' ');
  const m = model.split(' ');
  const ks: string[] = [];
  const ms: string[] = [];
  for (let i = 0; i < Math.max(k.length, m.length); i++)
    if (k[i] !== m[i]) {
      if (k[i] !== undefined) ks.push(k[i] as string);
      if (m[i] !== undefined) ms.push(m[i] as string);
    }
  return { kernel: ks.join(' '), model: ms.join(' ') };
}
