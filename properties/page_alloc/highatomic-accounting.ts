/**
 * Highatomic accounting (I16): nr_reserved_highatomic stays within
 * [0, bound] (after every step) and counts exactly the pageblocks typed
 * MIGRATE_HIGHATOMIC, 512 pages each (a scan of the pageblocks, at the end
 * of each run).
 */
import type { PageAlloc, Zone } from '../../models/page_alloc/state.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { MIGRATE_HIGHATOMIC, zoneViolation } from './spec.ts';

const PAGEBLOCK = 512;

/** The cap reserve_highatomic_pageblock() compares with (6.1: managed/100 + 512; 6.18: ALIGN(managed/100, 512), 0 below 512). */
export function highatomicCap(pa: PageAlloc, z: Zone): number {
  const pct = Math.floor(z.managed_pages / 100);
  if (pa.rules.id !== '6.18') return pct + PAGEBLOCK;
  if (pct < PAGEBLOCK) return 0;
  return Math.ceil(pct / PAGEBLOCK) * PAGEBLOCK;
}

/**
 * The most nr_reserved_highatomic can reach: the cap is checked before a
 * block is added (nr < cap, then + 512), so up to the next multiple of 512
 * at or above the cap; 6.18 adds 2^order for order >= pageblock_order, one
 * more block past its aligned cap.
 */
export function highatomicBound(pa: PageAlloc, z: Zone): number {
  const cap = highatomicCap(pa, z);
  if (cap === 0) return 0;
  if (pa.rules.id === '6.18') return cap + PAGEBLOCK;
  return Math.ceil(cap / PAGEBLOCK) * PAGEBLOCK;
}

function bounds(pa: PageAlloc): Violation | null {
  for (const z of pa.zones) {
    const bound = highatomicBound(pa, z);
    if (z.nr_reserved_highatomic < 0 || z.nr_reserved_highatomic > bound)
      return zoneViolation(
        pa,
        z,
        `nr_reserved_highatomic ${z.nr_reserved_highatomic} outside [0, ${bound}] (cap ${highatomicCap(pa, z)} checked before each block)`,
      );
  }
  return null;
}

/** HIGHATOMIC pageblocks per zone in a boot image (scanned once per image). */
const bootTyped = new WeakMap<object, number[]>();

function countTyped(pa: PageAlloc, mt: Uint8Array, blocks: Iterable<number>): number[] {
  const counts = pa.zones.map(() => 0);
  for (const b of blocks) {
    if (mt[b] !== MIGRATE_HIGHATOMIC) continue;
    const pfn = b * PAGEBLOCK;
    // the zone the block overlaps (a zone may start inside its first block, at pfn 1)
    const z = pa.zones.find(
      (x) =>
        // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: zones are searched in ascending order and an empty one is [0, 0): neither it nor the lower bound below ever decides
        x.spanned_pages > 0 &&
        // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
        pfn + PAGEBLOCK > x.zone_start_pfn &&
        pfn < x.zone_start_pfn + x.spanned_pages,
    );
    // Stryker disable next-line ConditionalExpression: every pageblock the model types HIGHATOMIC lies in a zone
    if (z) counts[z.idx] = (counts[z.idx] as number) + 1;
  }
  return counts;
}

/** The pageblocks whose first 256-pfn chunk this state touched (every retyping touches it). */
function* touchedBlocks(pa: PageAlloc): Iterable<number> {
  const { dirtyList, ndirty } = pa.pages;
  for (let i = 0; i < ndirty; i++) {
    const first = (dirtyList[i] as number) * 256;
    // Stryker disable next-line ConditionalExpression: a chunk inside a block gives a fractional index, whose type reads undefined
    if (first % PAGEBLOCK === 0) yield first / PAGEBLOCK;
  }
}

/**
 * Counts HIGHATOMIC pageblocks per zone and compares with
 * nr_reserved_highatomic: the boot image's count (scanned once) plus the
 * pageblocks this state retyped, so the cost follows what the run touched.
 */
export function typedBlocks(pa: PageAlloc): Violation | null {
  const image = pa.machine.image.pages;
  let boot = bootTyped.get(image);
  // Stryker disable next-line ConditionalExpression: a cache; scanning the image again gives the same counts
  if (!boot) {
    boot = countTyped(pa, image.pageblock_mt, image.pageblock_mt.keys());
    bootTyped.set(image, boot);
  }
  const now = countTyped(pa, pa.pages.pageblock_mt, touchedBlocks(pa));
  const then = countTyped(pa, image.pageblock_mt, touchedBlocks(pa));
  for (const z of pa.zones) {
    // Stryker disable next-line ConditionalExpression: an empty zone counts 0 blocks and holds 0 reserved pages
    if (z.spanned_pages === 0) continue;
    const typed = (boot[z.idx] as number) - (then[z.idx] as number) + (now[z.idx] as number);
    if (typed * PAGEBLOCK !== z.nr_reserved_highatomic)
      return zoneViolation(
        pa,
        z,
        `nr_reserved_highatomic ${z.nr_reserved_highatomic} but ${typed} pageblocks typed HIGHATOMIC (${typed * PAGEBLOCK} pages)`,
      );
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/highatomic-accounting',
  ref: 'I16',
  statement:
    'nr_reserved_highatomic equals 512 x the pageblocks typed MIGRATE_HIGHATOMIC and stays in [0, B]: blocks are added while it is below the cap (managed/100 + 512 up to 6.1, so B = the cap rounded up to 512; 6.18: ALIGN(managed/100, 512), none below 512, B = cap + 512 as order >= 9 adds 2^order).',
  system: 'page-alloc',
  after: ['alloc_pages', '__free_pages', 'filemap_add_folio'],
  check: ({ state }) => bounds(state.pa),
  atEnd: (state) => bounds(state.pa) ?? typedBlocks(state.pa),
  witness: ({ state }) => state.pa.zones.some((z) => z.nr_reserved_highatomic > 0),
  catches: [{ mutant: 'highatomic-no-cap' }],
});
