/**
 * Per-page state (struct page, as far as this model needs it) kept in typed
 * arrays indexed by pfn, so that a 4 GiB machine (1M pfns) costs the same
 * per step as a small one.
 *
 * Per pfn: the buddy order of a free block's head (PageBuddy +
 * page_private), the free-list links and list migratetype of that head, the
 * owner (free, allocated, page cache, pool chunk, leaked, reserved, hole) and
 * the encryption state. Per pageblock: its migratetype
 * (include/linux/pageblock-flags.h). Pages inside a free block carry no
 * buddy order, as in the kernel.
 *
 * Speed: a *boot image* holds the arrays as they are after boot and is built
 * once per machine. An *arena* is a working copy. Every write goes through
 * the helpers below, which mark the 256-pfn chunk they touch; resetting an
 * arena to the image copies back only the touched chunks. So a run start is
 * O(pages touched by the previous run), never O(pages of the machine).
 */

/** Owner of a page. */
export const PG_FREE = 0;
export const PG_HOLE = 1;
export const PG_RESERVED = 2;
export const PG_ALLOCATED = 3;
export const PG_PAGECACHE = 4;
export const PG_POOL = 5;
export const PG_LEAKED = 6;
export const OWNER_NAMES: readonly string[] = [
  'buddy-free',
  'hole',
  'reserved',
  'allocated',
  'page-cache',
  'pool-chunk',
  'leaked',
];
export type PageOwner =
  | 'buddy-free'
  | 'hole'
  | 'reserved'
  | 'allocated'
  | 'page-cache'
  | 'pool-chunk'
  | 'leaked';

/** Encryption state of a page (bug-zoo's PRIVATE / SHARED / UNKNOWN). */
export const ENC_ENCRYPTED = 0;
export const ENC_DECRYPTED = 1;
export const ENC_UNKNOWN = 2;
export type EncState = 'encrypted' | 'decrypted' | 'unknown';
export const ENC_NAMES: readonly EncState[] = ['encrypted', 'decrypted', 'unknown'];

/** Migratetypes (6.1 enum migratetype; CMA and ISOLATE are not modelled). */
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;
export const MIGRATE_HIGHATOMIC = 3;
export const MIGRATE_TYPES = 4;
/** MIGRATE_PCPTYPES: unmovable, movable, reclaimable (the mergeable types). */
export const MIGRATE_PCPTYPES = 3;

/** Orders 0..10: 6.1 MAX_ORDER 11 exclusive = mainline MAX_PAGE_ORDER 10 inclusive. */
export const NR_PAGE_ORDERS = 11;
export const MAX_PAGE_ORDER = 10;
export const pageblock_order = 9;
export const pageblock_nr_pages = 512;

const CHUNK_SHIFT = 8;

/** The per-page arrays. */
export interface PageArrays {
  /** One past the highest pfn. */
  readonly npfn: number;
  /** order + 1 at the head of a free block, 0 elsewhere. */
  readonly buddy: Uint8Array;
  /** Free-list links of a free block's head (-1 ends the list). */
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** The migratetype list a free head is on. */
  readonly list_mt: Uint8Array;
  readonly owner: Uint8Array;
  readonly enc: Uint8Array;
  /** Migratetype per pageblock (pfn / 512). */
  readonly pageblock_mt: Uint8Array;
}

/** A working copy of the per-page arrays, with the chunks it touched. */
export interface PageArena extends PageArrays {
  readonly dirty: Uint8Array;
  readonly dirtyList: Int32Array;
  ndirty: number;
}

/** Zeroed per-page arrays for pfns 0..npfn-1. */
export function allocPageArrays(npfn: number): PageArrays {
  const nblocks = Math.ceil(npfn / pageblock_nr_pages);
  return {
    npfn,
    buddy: new Uint8Array(npfn),
    next: new Int32Array(npfn),
    prev: new Int32Array(npfn),
    list_mt: new Uint8Array(npfn),
    owner: new Uint8Array(npfn),
    enc: new Uint8Array(npfn),
    pageblock_mt: new Uint8Array(nblocks),
  };
}

/** A new arena holding a full copy of `image` (once per arena, O(pages)). */
export function arenaFromImage(image: PageArrays): PageArena {
  const a = allocPageArrays(image.npfn);
  a.buddy.set(image.buddy);
  a.next.set(image.next);
  a.prev.set(image.prev);
  a.list_mt.set(image.list_mt);
  a.owner.set(image.owner);
  a.enc.set(image.enc);
  a.pageblock_mt.set(image.pageblock_mt);
  const nchunks = (image.npfn >> CHUNK_SHIFT) + 1;
  return { ...a, dirty: new Uint8Array(nchunks), dirtyList: new Int32Array(nchunks), ndirty: 0 };
}

/** Restores `arena` to `image` by copying back the chunks it touched. */
export function resetArena(arena: PageArena, image: PageArrays): void {
  const size = 1 << CHUNK_SHIFT;
  // Restoring a chunk nobody touched is a no-op (it equals the image), so the marked
  // mutants here only copy more: one more chunk, or everything up to the end
  // Stryker disable next-line EqualityOperator: see above
  for (let i = 0; i < arena.ndirty; i++) {
    const c = arena.dirtyList[i] as number;
    const from = c << CHUNK_SHIFT;
    // Stryker disable next-line MethodExpression: see above
    const to = Math.min(from + size, image.npfn);
    arena.buddy.set(image.buddy.subarray(from, to), from);
    arena.next.set(image.next.subarray(from, to), from);
    arena.prev.set(image.prev.subarray(from, to), from);
    arena.list_mt.set(image.list_mt.subarray(from, to), from);
    arena.owner.set(image.owner.subarray(from, to), from);
    arena.enc.set(image.enc.subarray(from, to), from);
    arena.dirty[c] = 0;
  }
  arena.ndirty = 0;
  arena.pageblock_mt.set(image.pageblock_mt);
}

/** Marks the chunk of `pfn` touched (the image is not an arena: no-op there). */
export function touch(a: PageArrays, pfn: number): void {
  const arena = a as PageArena;
  if (arena.dirty === undefined) return;
  const c = pfn >> CHUNK_SHIFT;
  if (arena.dirty[c] === 0) {
    arena.dirty[c] = 1;
    arena.dirtyList[arena.ndirty++] = c;
  }
}

/** Marks every chunk of pfns [pfn, pfn + n) touched. */
export function touchRange(a: PageArrays, pfn: number, n: number): void {
  // touch() ignores the image too: this only spares the loop over the range's chunks
  // Stryker disable next-line ConditionalExpression: see above
  if ((a as PageArena).dirty === undefined) return;
  // Stryker disable next-line ArithmeticOperator: marking a chunk too many only restores it needlessly
  const last = (pfn + n - 1) >> CHUNK_SHIFT;
  for (let c = pfn >> CHUNK_SHIFT; c <= last; c++) touch(a, c << CHUNK_SHIFT);
}

/** Sets the owner of pfns [pfn, pfn + n). */
export function setOwner(a: PageArrays, pfn: number, n: number, owner: number): void {
  touchRange(a, pfn, n);
  a.owner.fill(owner, pfn, pfn + n);
}

/** Sets the encryption state of pfns [pfn, pfn + n). */
export function setEnc(a: PageArrays, pfn: number, n: number, enc: number): void {
  touchRange(a, pfn, n);
  a.enc.fill(enc, pfn, pfn + n);
}

/** get_pageblock_migratetype(). */
export function get_pageblock_migratetype(a: PageArrays, pfn: number): number {
  return a.pageblock_mt[Math.floor(pfn / pageblock_nr_pages)] ?? MIGRATE_MOVABLE;
}

/** set_pageblock_migratetype(); the pageblock's first chunk is marked touched (checks scan only those). */
export function set_pageblock_migratetype(a: PageArrays, pfn: number, mt: number): void {
  const b = Math.floor(pfn / pageblock_nr_pages);
  touch(a, b * pageblock_nr_pages);
  a.pageblock_mt[b] = mt;
}

/** buddy_order() of a free head, or -1 when `pfn` heads no free block (PageBuddy clear). */
export function buddy_order(a: PageArrays, pfn: number): number {
  if (pfn < 0 || pfn >= a.npfn) return -1;
  return (a.buddy[pfn] as number) - 1;
}
