/**
 * Page conservation: every managed page of a zone is free, held by a
 * caller (allocated or a pool chunk), page cache, or leaked; the counts
 * add up to managed_pages after every step, and at the end of a run they
 * match the free lists, the callers' blocks and the page-cache lists.
 */
import type { FolioQueue, PageAlloc, Zone } from '../../models/page_alloc/state.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { zoneViolation } from './spec.ts';

function counts(pa: PageAlloc): Violation | null {
  for (const z of pa.zones) {
    const sum = z.nr_free_pages + z.nr_allocated + z.nr_clean + z.nr_dirty + z.nr_leaked;
    if (sum !== z.managed_pages)
      return zoneViolation(
        pa,
        z,
        `free ${z.nr_free_pages} + allocated ${z.nr_allocated} + page cache ${z.nr_clean + z.nr_dirty} + leaked ${z.nr_leaked} = ${sum} != managed ${z.managed_pages}`,
      );
  }
  return null;
}

/** Prefix sums of the pages of a boot image's LRU entries (computed once per image queue). */
const bootPrefix = new WeakMap<FolioQueue, Float64Array>();

function prefixOf(boot: FolioQueue): Float64Array {
  let p = bootPrefix.get(boot);
  // Stryker disable next-line ConditionalExpression: a cache; summing the image again gives the same prefix
  if (!p) {
    p = new Float64Array(boot.tail + 1);
    // Stryker disable next-line EqualityOperator: `<=` writes one past the end of the Float64Array, which is ignored
    for (let i = 0; i < boot.tail; i++)
      p[i + 1] = (p[i] as number) + 2 ** (boot.order[i] as number);
    bootPrefix.set(boot, p);
  }
  return p;
}

/**
 * Pages on an LRU list. Entries below the boot image's tail are the
 * image's own (a state's list only appends past them), so their part is
 * read from prefix sums: O(entries added since boot), not O(page cache).
 */
function queuePages(z: Zone, boot: FolioQueue, which: 'lru_clean' | 'lru_dirty'): number {
  const q = z[which];
  const prefix = prefixOf(boot);
  const split = Math.min(Math.max(q.head, 0), boot.tail);
  let n = 0;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: from head >= tail on, split is tail and the term is prefix[tail] - prefix[tail] = 0
  if (q.head < boot.tail) n += (prefix[boot.tail] as number) - (prefix[split] as number);
  for (let i = Math.max(q.head, boot.tail); i < q.tail; i++) n += 2 ** (q.order[i] as number);
  return n;
}

function whole(state: PageAllocState): Violation | null {
  const pa = state.pa;
  const c = counts(pa);
  if (c) return c;
  const held = pa.zones.map(() => 0);
  for (const a of state.live) held[a.zone] = (held[a.zone] as number) + 2 ** a.order;
  for (const z of pa.zones) {
    let listed = 0;
    for (let i = 0; i < z.nr_free.length; i++) listed += (z.nr_free[i] as number) * 2 ** i;
    if (listed !== z.nr_free_pages)
      return zoneViolation(
        pa,
        z,
        `NR_FREE_PAGES ${z.nr_free_pages} but free_area holds ${listed} pages`,
      );
    const bootZone = pa.machine.image.zones[z.idx] as Zone;
    const boot = bootZone.nr_allocated;
    if (z.nr_allocated !== boot + (held[z.idx] as number))
      return zoneViolation(
        pa,
        z,
        `nr_allocated ${z.nr_allocated} != boot ${boot} + callers' blocks ${held[z.idx]}`,
      );
    if (
      queuePages(z, bootZone.lru_clean, 'lru_clean') !== z.nr_clean ||
      queuePages(z, bootZone.lru_dirty, 'lru_dirty') !== z.nr_dirty
    )
      return zoneViolation(pa, z, 'page-cache counts differ from the LRU lists');
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/page-conservation',
  ref: 'I5',
  statement:
    "For every zone, NR_FREE_PAGES + pages held by callers + page cache + leaked pages = managed_pages, and each count equals what its lists hold (free_area, the callers' blocks, the LRU).",
  system: 'page-alloc',
  after: 'every-step',
  check: ({ state }) => counts(state.pa),
  atEnd: whole,
  witness: ({ state, op }) =>
    op.op === 'kswapd' &&
    state.last.kind === 'kswapd' &&
    state.last.steps.some((s) => (s.round?.reclaimed ?? 0) > 0),
  catches: [{ mutant: 'free-drops-upper-half' }],
});
