/**
 * The operations that drive the gen_pool system, as plain JSON, and the
 * fast-check arbitrary that generates them for one configuration.
 *
 * This file generates; it never executes (system.ts) or checks (properties/genpool).
 * Ops are state-independent: a free names a live block by `pick` (taken
 * modulo the number of live blocks when it runs), a query names a chunk the
 * same way, and a new chunk is placed beside the existing ones by `gap`.
 */
import fc from 'fast-check';

/** The five gen_pool algorithms, by the suffix of their kernel names. */
export type GenpoolAlgoName =
  | 'first_fit'
  | 'first_fit_align'
  | 'first_fit_order_align'
  | 'best_fit'
  | 'fixed_alloc';

export const GENPOOL_ALGOS: readonly GenpoolAlgoName[] = [
  'first_fit',
  'first_fit_align',
  'first_fit_order_align',
  'best_fit',
  'fixed_alloc',
];

/** gen_pool_alloc_algo(pool, size, algo, data): `align` with first_fit_align, `offset` with fixed_alloc. */
export interface AllocAlgoOp {
  readonly op: 'gen_pool_alloc_algo';
  readonly algo: GenpoolAlgoName;
  readonly size: number;
  readonly align?: number;
  readonly offset?: number;
}

/** gen_pool_alloc(pool, size): the pool's own algorithm (see gen_pool_set_algo). */
export interface AllocOp {
  readonly op: 'gen_pool_alloc';
  readonly size: number;
}

/** gen_pool_set_algo(pool, algo, data). */
export interface SetAlgoOp {
  readonly op: 'gen_pool_set_algo';
  readonly algo: GenpoolAlgoName;
  readonly align?: number;
  readonly offset?: number;
}

/**
 * gen_pool_free of live block `pick mod n` with its full requested size, or,
 * with `part`, of a sub-range of its granules: `first mod nbits` granules in,
 * `1 + count mod (rest)` granules long. The rest stays live.
 */
export interface FreeOp {
  readonly op: 'gen_pool_free';
  readonly pick: number;
  readonly part?: { readonly first: number; readonly count: number };
}

/**
 * gen_pool_add_virt of a new chunk of `size` bytes, `gap` bytes above the
 * highest chunk or, with `below`, `gap` bytes below the lowest (gap 0: touching).
 */
export interface AddVirtOp {
  readonly op: 'gen_pool_add_virt';
  readonly size: number;
  readonly gap: number;
  readonly below: boolean;
}

/**
 * gen_pool_has_addr of `size` bytes placed on chunk `pick mod n` (oldest
 * first): starting `delta` bytes from its start (`at: 'start'`), ending
 * `delta` bytes from its last byte (`'end'`), or at `delta` per mille of it (`'inside'`).
 */
export interface HasAddrOp {
  readonly op: 'gen_pool_has_addr';
  readonly pick: number;
  readonly at: 'start' | 'end' | 'inside';
  readonly delta: number;
  readonly size: number;
}

export type GenpoolOp = AllocAlgoOp | AllocOp | SetAlgoOp | FreeOp | AddVirtOp | HasAddrOp;

export const GENPOOL_OP_KINDS: readonly GenpoolOp['op'][] = [
  'gen_pool_alloc_algo',
  'gen_pool_alloc',
  'gen_pool_free',
  'gen_pool_add_virt',
  'gen_pool_has_addr',
  'gen_pool_set_algo',
];

/** What the generator needs to know about a configuration. */
export interface GenpoolOpBounds {
  readonly min_alloc_order: number;
  /** Largest request, in granules: above the biggest chunk, so some requests fit nowhere. */
  readonly maxGranules: number;
  /** Largest chunk a gen_pool_add_virt step adds, in granules. */
  readonly maxChunkGranules: number;
}

/*
 * Generation cost matters (every checked step pays for it), so each op is
 * drawn from one or two integers and decoded by plain functions. Every
 * decoder maps 0 to the simplest value, so shrinking an integer towards 0
 * simplifies the op.
 */

/**
 * Granule counts from an index: half the indices give 1 .. 8 (equal sizes
 * recur, so frees leave equal holes), then 9 .. 39 by twos, then 24
 * log-spaced steps up to `max`.
 */
function granulesOf(idx: number, max: number): number {
  const n =
    idx < 40 ? 1 + (idx % 8) : idx < 56 ? 9 + (idx - 40) * 2 : 40 * (max / 40) ** ((idx - 55) / 24);
  return Math.max(1, Math.min(max, Math.round(n)));
}

const GRANULE_STEPS = 80;

/** Request sizes in bytes: granule multiples (half the time), odd sizes that round up, rarely 0. */
export function sizeArbitrary(b: GenpoolOpBounds): fc.Arbitrary<number> {
  const g = 2 ** b.min_alloc_order;
  return fc.integer({ min: 0, max: (GRANULE_STEPS + 1) * 2 * g - 1 }).map((u) => {
    const idx = Math.floor(u / (2 * g));
    const trim = (u % (2 * g)) - g;
    // index 0 decodes to one granule; size 0 comes from the top index, now and then
    if (idx === GRANULE_STEPS && trim >= 0) return 0;
    return Math.max(1, granulesOf(idx, b.maxGranules) * g - Math.max(0, trim));
  });
}

/** first_fit_align's align: g * 2^k (k <= 6), powers of two below a granule, and odd values. */
function alignOf(v: number, g: number): number {
  if (v < 14) return g * 2 ** (v % 7);
  if (v < 17) return Math.max(1, g / 2 ** (v - 13));
  return [0, 3 * g, g + 1][v - 17] as number;
}

/** fixed_alloc's offset: granule multiples inside and past a chunk, one time in seven unaligned. */
function offsetOf(v: number, g: number, m: number): number {
  return v < 6 * (m + 1) ? (v % (m + 1)) * g : 1 + (v % (4 * g));
}

function withData(
  algo: GenpoolAlgoName,
  align: number,
  offset: number,
): { algo: GenpoolAlgoName; align?: number; offset?: number } {
  if (algo === 'first_fit_align') return { algo, align };
  if (algo === 'fixed_alloc') return { algo, offset };
  return { algo };
}

/** The arbitrary of one gen_pool operation for a configuration. */
export function genpoolOpArbitrary(b: GenpoolOpBounds): fc.Arbitrary<GenpoolOp> {
  const g = 2 ** b.min_alloc_order;
  const m = b.maxChunkGranules;
  const size = sizeArbitrary(b);
  const plain = (algo: GenpoolAlgoName): fc.Arbitrary<GenpoolOp> =>
    size.map((n) => ({ op: 'gen_pool_alloc_algo', algo, size: n }));
  const align: fc.Arbitrary<GenpoolOp> = fc
    .tuple(size, fc.integer({ min: 0, max: 19 }))
    .map(([n, v]) => ({
      op: 'gen_pool_alloc_algo',
      algo: 'first_fit_align',
      size: n,
      align: alignOf(v, g),
    }));
  const fixed: fc.Arbitrary<GenpoolOp> = fc
    .tuple(size, fc.integer({ min: 0, max: 7 * (m + 1) - 1 }))
    .map(([n, v]) => ({
      op: 'gen_pool_alloc_algo',
      algo: 'fixed_alloc',
      size: n,
      offset: offsetOf(v, g, m),
    }));
  const alloc: fc.Arbitrary<GenpoolOp> = size.map((n) => ({ op: 'gen_pool_alloc', size: n }));
  const setAlgo: fc.Arbitrary<GenpoolOp> = fc
    .integer({ min: 0, max: 5 * 7 * (m + 1) - 1 })
    .map((u) => {
      const algo = GENPOOL_ALGOS[u % 5] as GenpoolAlgoName;
      const v = Math.floor(u / 5);
      return { op: 'gen_pool_set_algo', ...withData(algo, alignOf(v % 20, g), offsetOf(v, g, m)) };
    });
  // pick in the low digits; a sub-range free two times in five, its first/count above
  const free: fc.Arbitrary<GenpoolOp> = fc
    .integer({ min: 0, max: 1024 * 5 * 4096 - 1 })
    .map((u) => {
      const pick = u % 1024;
      const v = Math.floor(u / 1024);
      return v < 3 * 4096
        ? { op: 'gen_pool_free', pick }
        : { op: 'gen_pool_free', pick, part: { first: v % 64, count: Math.floor(v / 64) % 64 } };
    });
  const add: fc.Arbitrary<GenpoolOp> = fc
    .tuple(
      fc.integer({ min: 0, max: (GRANULE_STEPS + 1) * 4 * g - 1 }),
      fc.integer({ min: 0, max: 65 * 4 * g * 2 - 1 }),
    )
    .map(([u, v]) => {
      const n = granulesOf(Math.floor(u / (4 * g)), m);
      // a tail one time in four; now and then a chunk below one granule, or empty
      const t = u % (4 * g) < 3 * g ? 0 : u % g;
      const gapGranules = Math.floor(v / (8 * g)) % 65;
      const skew = v % (4 * g) < 3 * g ? 0 : v % g;
      return {
        op: 'gen_pool_add_virt',
        size: n === 1 && t > 0 && v % 2 === 1 ? Math.floor(t / 2) : n * g + t,
        gap: gapGranules * g + skew,
        below: Math.floor(v / (4 * g)) % 2 === 1,
      };
    });
  const ats = ['start', 'end', 'inside'] as const;
  const hasAddr: fc.Arbitrary<GenpoolOp> = fc
    .tuple(
      fc.integer({ min: 0, max: 3 * 1024 - 1 }),
      fc.integer({ min: 0, max: 2 * 4000 * (8 * g + 1) - 1 }),
    )
    .map(([u, v]) => {
      const at = ats[u % 3] as 'start' | 'end' | 'inside';
      const sz = v % (8 * g + 1);
      const w = Math.floor(v / (8 * g + 1));
      // small sizes and +-2 byte deltas half the time, to hit the boundaries exactly
      const small = w % 2 === 0;
      const d = Math.floor(w / 2);
      const delta = at === 'inside' ? d % 1000 : small ? (d % 5) - 2 : (d % (4 * g + 1)) - 2 * g;
      return {
        op: 'gen_pool_has_addr',
        pick: Math.floor(u / 3),
        at,
        delta,
        size: small ? sz % 4 : sz,
      };
    });
  return fc.oneof(
    { weight: 2, arbitrary: plain('first_fit') },
    { weight: 2, arbitrary: plain('first_fit_order_align') },
    { weight: 2, arbitrary: plain('best_fit') },
    { weight: 2, arbitrary: align },
    { weight: 1, arbitrary: fixed },
    { weight: 2, arbitrary: alloc },
    { weight: 7, arbitrary: free },
    { weight: 1, arbitrary: add },
    { weight: 2, arbitrary: hasAddr },
    { weight: 1, arbitrary: setAlgo },
  );
}
