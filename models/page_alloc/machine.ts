/**
 * A machine: its memory map, the zones it gets (arch/x86/mm/init.c
 * zone_sizes_init(), mm/mm_init.c free_area_init()), the state its page
 * allocator boots into (memblock_free_all() freeing every managed range in
 * max-order blocks to the list tails, init_per_zone_wmark_min(), the THP
 * raise), and what boot left allocated (kernel memory and page cache).
 *
 * Plain data in, state out. The boot image is built once per machine and
 * rule set (O(pages), cached); an allocator state is a working copy of it,
 * and renewing a state copies back only what the last run touched.
 *
 * Left out: the kernel image layout (reserved ranges are given, not
 * derived), deferred struct page init, memory hot-plug, ZONE_MOVABLE set up
 * by kernelcore=/movablecore= (Movable and Device stay empty).
 */

import { copyFolioQueue, folioQueuePush, newFolioQueue } from '../vmscan/lru.ts';
import { __free_one_page, __rmqueue } from './buddy.ts';
import { kernelFns, type PageAllocVariant, withVariant } from './fns.ts';
import { gfpComposites } from './gfp.ts';
import {
  allocPageArrays,
  arenaFromImage,
  MAX_PAGE_ORDER,
  MIGRATE_MOVABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  NR_PAGE_ORDERS,
  type PageArrays,
  PG_ALLOCATED,
  PG_FREE,
  PG_HOLE,
  PG_PAGECACHE,
  PG_RESERVED,
  resetArena,
  setOwner,
} from './pages.ts';
import { type PageAllocRules, pageAllocRules } from './rules.ts';
import type { BootImage, PageAlloc, Pgdat, Zone } from './state.ts';
import {
  calculate_totalreserve_pages,
  init_per_zone_wmark_min_and_thp,
  setup_per_zone_wmarks,
} from './watermark_setup.ts';
import {
  defaultSysctls,
  MAX_DMA_PFN,
  MAX_DMA32_PFN,
  MAX_NR_ZONES,
  type VmSysctls,
  ZONE_NAMES,
} from './zone.ts';

/** Pfns [start, end). */
export interface PfnRange {
  readonly start: number;
  readonly end: number;
}

/** What boot left in use in one zone. */
export interface ZoneUse {
  readonly zone: string;
  /** Kernel memory (slab, page tables...): allocated, never freed. */
  readonly unmovable: number;
  /** Clean page cache (reclaimable). */
  readonly pagecache: number;
  /** Dirty page cache (reclaimable after writeback). */
  readonly dirty: number;
}

/** A machine as plain data. */
export interface MachineConfig {
  readonly name: string;
  /** Present memory (e820 RAM), pfn ranges, ascending. */
  readonly memory: readonly PfnRange[];
  /** memblock-reserved pfn ranges inside `memory` (never managed). */
  readonly reserved: readonly PfnRange[];
  /** The boot default of vm.min_free_kbytes as measured; computed by the boot sequence when absent. */
  readonly min_free_kbytes?: number;
  /** Memory in use after boot. */
  readonly boot_use?: readonly ZoneUse[];
}

/** A booted machine: the image every allocator state of it starts from. */
export interface Machine {
  readonly config: MachineConfig;
  readonly rules: PageAllocRules;
  readonly npfn: number;
  readonly image: BootImage;
  /** The sysctls after boot. */
  readonly sysctl: Readonly<VmSysctls>;
  readonly totalreserve_pages: number;
  readonly zonelist: readonly number[];
}

function overlap(a: PfnRange, start: number, end: number): PfnRange | null {
  const s = Math.max(a.start, start);
  const e = Math.min(a.end, end);
  // Stryker disable next-line EqualityOperator: an empty overlap adds 0 pages either way
  return s < e ? { start: s, end: e } : null;
}

function emptyZone(
  idx: number,
  start: number,
  spanned: number,
  present: number,
  managed: number,
): Zone {
  const lists = NR_PAGE_ORDERS * MIGRATE_TYPES;
  return {
    idx,
    name: ZONE_NAMES[idx] as string,
    zone_start_pfn: start,
    spanned_pages: spanned,
    present_pages: present,
    managed_pages: managed,
    // Stryker disable next-line ArrayDeclaration: every entry is written by __setup_per_zone_wmarks before any read
    _watermark: [0, 0, 0, 0],
    watermark_boost: 0,
    lowmem_reserve: [0, 0, 0, 0, 0],
    nr_free_pages: 0,
    nr_free: new Int32Array(NR_PAGE_ORDERS),
    free_head: new Int32Array(lists).fill(-1),
    free_tail: new Int32Array(lists).fill(-1),
    nr_free_mt: new Int32Array(MIGRATE_TYPES),
    nr_reserved_highatomic: 0,
    boosted_watermark: false,
    nr_allocated: 0,
    nr_leaked: 0,
    lru_clean: newFolioQueue(),
    lru_dirty: newFolioQueue(),
    nr_clean: 0,
    nr_dirty: 0,
  };
}

/** Validates a machine config; throws an Error with a one-line message. */
export function checkMachineConfig(c: MachineConfig): void {
  let last = 0;
  for (const r of c.memory) {
    if (
      !Number.isSafeInteger(r.start) ||
      !Number.isSafeInteger(r.end) ||
      r.start < last ||
      r.end <= r.start
    )
      throw new Error(`machine ${c.name}: memory ranges must be ascending, non-empty pfn ranges`);
    last = r.end;
  }
  if (last === 0) throw new Error(`machine ${c.name}: no memory`);
  // buddy arithmetic uses 32-bit operations on pfns: 8 TiB at most
  if (last > 2 ** 31) throw new Error(`machine ${c.name}: more than 2^31 pfns (8 TiB)`);
  let reservedEnd = 0;
  let reserved = 0;
  for (const r of c.reserved) {
    if (!c.memory.some((m) => r.start >= m.start && r.end <= m.end && r.start < r.end))
      throw new Error(
        `machine ${c.name}: reserved range ${r.start}-${r.end} is not inside one memory range`,
      );
    // the zone sizes subtract each reserved page once
    if (r.start < reservedEnd)
      throw new Error(`machine ${c.name}: reserved ranges must be ascending and disjoint`);
    reservedEnd = r.end;
    reserved += r.end - r.start;
  }
  // the watermarks divide by the managed pages below ZONE_HIGHMEM (no kernel boots without)
  if (reserved === c.memory.reduce((n, r) => n + r.end - r.start, 0))
    throw new Error(`machine ${c.name}: every page is reserved`);
  for (const u of c.boot_use ?? []) {
    if (ZONE_NAMES.indexOf(u.zone) < 0)
      throw new Error(`machine ${c.name}: boot_use names no zone ${u.zone}`);
    if (![u.unmovable, u.pagecache, u.dirty].every((n) => Number.isSafeInteger(n) && n >= 0))
      throw new Error(
        `machine ${c.name}: boot_use counts of ${u.zone} must be whole numbers of pages`,
      );
  }
}

/** A small deterministic generator for the boot-time layout. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

function buildImage(c: MachineConfig, rules: PageAllocRules): Machine {
  checkMachineConfig(c);
  const npfn = (c.memory[c.memory.length - 1] as PfnRange).end;
  const pages = allocPageArrays(npfn);
  pages.owner.fill(PG_HOLE);
  for (const r of c.memory) pages.owner.fill(PG_FREE, r.start, r.end);
  for (const r of c.reserved) pages.owner.fill(PG_RESERVED, r.start, r.end);
  pages.pageblock_mt.fill(MIGRATE_MOVABLE);

  // zone spans: DMA below 16 MiB, DMA32 below 4 GiB, Normal above; Movable, Device empty
  const first = (c.memory[0] as PfnRange).start;
  const bounds: [number, number][] = [
    [first, Math.min(MAX_DMA_PFN, npfn)],
    [Math.min(MAX_DMA_PFN, npfn), Math.min(MAX_DMA32_PFN, npfn)],
    [Math.min(MAX_DMA32_PFN, npfn), npfn],
  ];
  const zones: Zone[] = [];
  for (let i = 0; i < MAX_NR_ZONES; i++) {
    // Stryker disable next-line ArrayDeclaration: Movable and Device overlap nothing either way
    const [s, e] = bounds[i] ?? [npfn, npfn];
    let present = 0;
    let reserved = 0;
    for (const r of c.memory) {
      const o = overlap(r, s, e);
      if (o) present += o.end - o.start;
    }
    for (const r of c.reserved) {
      const o = overlap(r, s, e);
      if (o) reserved += o.end - o.start;
    }
    const spanned = present > 0 ? e - s : 0;
    zones.push(emptyZone(i, present > 0 ? s : 0, spanned, present, present - reserved));
  }

  const sysctl = defaultSysctls();
  // Stryker disable next-line ObjectLiteral: boot reads only watermark_boost_factor, and undefined boosts no more than 0
  const boot = { ...defaultSysctls(), watermark_boost_factor: 0 };
  const ctx = {
    pages,
    rules,
    touched: new Int32Array(0),
    ntouched: 0,
    // Stryker disable next-line BooleanLiteral: with no room in `touched` the first touch sets it anyway
    touched_overflow: false,
    sysctl: boot,
    fns: kernelFns(),
  };
  // memblock_free_all(): each managed range in max-order aligned blocks, to the tails
  for (const z of zones) {
    const ze = z.zone_start_pfn + z.spanned_pages;
    for (let p = z.zone_start_pfn; p < ze; ) {
      if (pages.owner[p] !== PG_FREE) {
        p += 1;
        continue;
      }
      let e = p;
      while (e < ze && pages.owner[e] === PG_FREE) e += 1;
      while (p < e) {
        let o = MAX_PAGE_ORDER;
        // (order 0 always fits: p < e)
        // Stryker disable next-line EqualityOperator: a last block freed as halves merges back into the same block
        while (p % 2 ** o !== 0 || p + 2 ** o > e) o -= 1;
        __free_one_page(ctx, z, p, o, MIGRATE_MOVABLE, true);
        p += 2 ** o;
      }
    }
  }

  // init_per_zone_wmark_min() and the THP raise, then the measured default if given
  init_per_zone_wmark_min_and_thp(zones, sysctl, rules);
  if (c.min_free_kbytes !== undefined) {
    sysctl.min_free_kbytes = c.min_free_kbytes;
    setup_per_zone_wmarks(zones, sysctl, rules);
  }

  // what boot left in use: kernel memory and page cache, interleaved so the lists fragment
  const rand = lcg(0x9e3779b9);
  let seq = 0;
  for (const u of c.boot_use ?? []) {
    const z = zones[ZONE_NAMES.indexOf(u.zone)] as Zone;
    let unmovable = Math.min(u.unmovable, z.nr_free_pages);
    let clean = u.pagecache;
    let dirty = u.dirty;
    while (unmovable + clean + dirty > 0) {
      // a whole number, so each count's share of the draw is exactly [lo, lo + count)
      const pick = Math.floor(rand() * (unmovable + clean + dirty));
      const kind =
        pick < unmovable
          ? 'k'
          : pick < unmovable + clean
            ? 'c'
            : // Stryker disable next-line StringLiteral: 'd' is only ever told apart as neither 'k' nor 'c'
              'd';
      const want = kind === 'k' ? unmovable : kind === 'c' ? clean : dirty;
      const choices = kind === 'k' ? [0, 0, 0, 1, 2, 3, 9] : [0, 0, 0, 0, 1, 2];
      let order = choices[Math.floor(rand() * choices.length)] as number;
      // want >= 1 here (the kind was picked for its count), so order 0 fits; the guard
      // keeps the loop finite should that ever change
      // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
      while (order > 0 && 2 ** order > want) order -= 1;
      const mt = kind === 'k' ? MIGRATE_UNMOVABLE : MIGRATE_MOVABLE;
      let pfn = __rmqueue(ctx, z, order, mt, 0);
      while (pfn < 0 && order > 0) pfn = __rmqueue(ctx, z, --order, mt, 0);
      if (pfn < 0) break;
      const n = 2 ** order;
      z.nr_free_pages -= n;
      if (kind === 'k') {
        setOwner(pages, pfn, n, PG_ALLOCATED);
        z.nr_allocated += n;
        unmovable -= n;
      } else {
        setOwner(pages, pfn, n, PG_PAGECACHE);
        seq += 1;
        if (kind === 'c') {
          folioQueuePush(z.lru_clean, pfn, order, seq);
          z.nr_clean += n;
          clean -= n;
        } else {
          folioQueuePush(z.lru_dirty, pfn, order, seq);
          z.nr_dirty += n;
          dirty -= n;
        }
      }
    }
  }
  // build_zonerefs_node(): populated zones, highest first. 6.1 and 5.4.y since April
  // 2022 (e553f62f10d9, backported to stable); older 5.4.y listed managed zones only,
  // which differs only for a zone whose present pages are all reserved
  const zonelist = zones
    .filter((z) => z.present_pages > 0)
    .map((z) => z.idx)
    .reverse();
  return {
    config: c,
    rules,
    npfn,
    image: { pages, zones, lru_seq: seq },
    sysctl,
    totalreserve_pages: calculate_totalreserve_pages(zones),
    zonelist,
  };
}

const machines = new Map<MachineConfig, WeakMap<PageAllocRules, Machine>>();

/** The booted machine for `config` under `rules` (built once, then cached). */
export function bootMachine(
  config: MachineConfig,
  rules: PageAllocRules = pageAllocRules['6.1'],
): Machine {
  let byRules = machines.get(config);
  if (!byRules) {
    byRules = new WeakMap();
    machines.set(config, byRules);
  }
  let m = byRules.get(rules);
  if (!m) {
    m = buildImage(config, rules);
    byRules.set(rules, m);
  }
  return m;
}

function copyZone(z: Zone): Zone {
  return {
    ...z,
    _watermark: [...z._watermark],
    lowmem_reserve: [...z.lowmem_reserve],
    nr_free: z.nr_free.slice(),
    free_head: z.free_head.slice(),
    free_tail: z.free_tail.slice(),
    nr_free_mt: z.nr_free_mt.slice(),
    lru_clean: copyFolioQueue(z.lru_clean),
    lru_dirty: copyFolioQueue(z.lru_dirty),
  };
}

function restoreZone(z: Zone, from: Zone): void {
  const w = z as { -readonly [K in keyof Zone]: Zone[K] };
  w.present_pages = from.present_pages;
  w.managed_pages = from.managed_pages;
  from._watermark.forEach((v, i) => {
    z._watermark[i] = v;
  });
  from.lowmem_reserve.forEach((v, i) => {
    z.lowmem_reserve[i] = v;
  });
  w.watermark_boost = from.watermark_boost;
  w.nr_free_pages = from.nr_free_pages;
  z.nr_free.set(from.nr_free);
  z.free_head.set(from.free_head);
  z.free_tail.set(from.free_tail);
  z.nr_free_mt.set(from.nr_free_mt);
  w.nr_reserved_highatomic = from.nr_reserved_highatomic;
  w.boosted_watermark = from.boosted_watermark;
  w.nr_allocated = from.nr_allocated;
  w.nr_leaked = from.nr_leaked;
  z.lru_clean.head = from.lru_clean.head;
  z.lru_clean.tail = from.lru_clean.tail;
  z.lru_dirty.head = from.lru_dirty.head;
  z.lru_dirty.tail = from.lru_dirty.tail;
  w.nr_clean = from.nr_clean;
  w.nr_dirty = from.nr_dirty;
}

function freshPgdat(m: Machine): Pgdat {
  return {
    kswapd_order: 0,
    kswapd_highest_zoneidx: MAX_NR_ZONES,
    kswapd_failures: 0,
    // after boot kswapd found the node balanced and went to sleep; when woken it reads its request (K3)
    kswapd: {
      position: 'full_sleep',
      pc: 'K3',
      highest_zoneidx: MAX_NR_ZONES - 1,
      alloc_order: 0,
      reclaim_order: 0,
      bal: null,
      kcompactd_requests: 0,
    },
    totalreserve_pages: m.totalreserve_pages,
    pfmemalloc_waiters: 0,
    lru_seq: m.image.lru_seq,
  };
}

/** How many free-block heads a state logs for incremental checks between clears. */
export const TOUCH_LOG = 4096;

/**
 * A fresh page allocator for `config` under `rules`, with `variant`'s
 * replacements for kernel functions. Costs one copy of the boot image.
 */
export function createPageAlloc(
  config: MachineConfig,
  rules: PageAllocRules = pageAllocRules['6.1'],
  variant: PageAllocVariant = {},
): PageAlloc {
  const m = bootMachine(config, rules);
  return {
    rules,
    fns: withVariant(variant),
    gfp: gfpComposites(rules),
    machine: m,
    zones: m.image.zones.map(copyZone),
    zonelist: m.zonelist,
    pages: arenaFromImage(m.image.pages),
    sysctl: { ...m.sysctl, lowmem_reserve_ratio: [...m.sysctl.lowmem_reserve_ratio] },
    pgdat: freshPgdat(m),
    fail_page_alloc: null,
    touched: new Int32Array(TOUCH_LOG),
    ntouched: 0,
    touched_overflow: false,
    retired: false,
  };
}

/**
 * The state `pa` booted into, reusing its arrays: copies back only what was
 * touched since. `pa` is retired (any further use of it throws); use the
 * returned state.
 */
export function renewPageAlloc(pa: PageAlloc): PageAlloc {
  const m = pa.machine;
  resetArena(pa.pages, m.image.pages as PageArrays);
  pa.zones.forEach((z, i) => {
    restoreZone(z, m.image.zones[i] as Zone);
  });
  pa.retired = true;
  return {
    ...pa,
    sysctl: { ...m.sysctl, lowmem_reserve_ratio: [...m.sysctl.lowmem_reserve_ratio] },
    pgdat: freshPgdat(m),
    fail_page_alloc: null,
    ntouched: 0,
    touched_overflow: false,
    retired: false,
  };
}
