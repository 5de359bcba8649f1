/**
 * The page cache as reclaim sees it (mm/filemap.c filemap_add_folio() and
 * the file LRU of mm/vmscan.c, 6.1), in the abstraction of
 * reclaim-and-gfp.md §9: per zone, clean folios (reclaimable now) and dirty
 * folios (reclaimable after writeback), each a FIFO, oldest first, with a
 * node-wide age so that reclaim takes the oldest eligible folio first.
 *
 * Left out: active/inactive aging and referenced bits (replaced by FIFO
 * order), anon memory and swap, mapped folios, slab shrinkers, MGLRU.
 * Context: the page cache grows in process context; reclaim runs in the
 * reclaimer's context (kswapd, or a task in direct reclaim: may sleep).
 */
import type { FolioQueue, Zone } from '../page_alloc/state.ts';

/** An empty queue with room for `capacity` folios. */
export function newFolioQueue(capacity = 64): FolioQueue {
  return {
    pfn: new Int32Array(capacity),
    order: new Uint8Array(capacity),
    seq: new Float64Array(capacity),
    head: 0,
    tail: 0,
  };
}

/** A copy of `q` (its live entries keep their positions). */
export function copyFolioQueue(q: FolioQueue): FolioQueue {
  return {
    pfn: q.pfn.slice(),
    order: q.order.slice(),
    seq: q.seq.slice(),
    head: q.head,
    tail: q.tail,
  };
}

/** Appends a folio at the young end. Entries are never rewritten, so resets restore head/tail only. */
export function folioQueuePush(q: FolioQueue, pfn: number, order: number, seq: number): void {
  if (q.tail === q.pfn.length) {
    const cap = q.pfn.length * 2;
    const pfns = new Int32Array(cap);
    pfns.set(q.pfn);
    const orders = new Uint8Array(cap);
    orders.set(q.order);
    const seqs = new Float64Array(cap);
    seqs.set(q.seq);
    q.pfn = pfns;
    q.order = orders;
    q.seq = seqs;
  }
  q.pfn[q.tail] = pfn;
  q.order[q.tail] = order;
  q.seq[q.tail] = seq;
  q.tail += 1;
}

/** The oldest eligible queue among zones 0..reclaim_idx (smallest age at its head), or null. */
export function oldestQueue(
  zones: readonly Zone[],
  reclaim_idx: number,
  which: 'lru_clean' | 'lru_dirty',
): Zone | null {
  let best: Zone | null = null;
  let bestSeq = Number.POSITIVE_INFINITY;
  for (let i = 0; i <= reclaim_idx && i < zones.length; i++) {
    const z = zones[i] as Zone;
    const q = z[which];
    if (q.head === q.tail) continue;
    const s = q.seq[q.head] as number;
    // Stryker disable next-line EqualityOperator: ages never tie (each folio gets a fresh one; writeback keeps it)
    if (s < bestSeq) {
      bestSeq = s;
      best = z;
    }
  }
  return best;
}
