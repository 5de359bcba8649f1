/**
 * include/linux/gfp_types.h and include/linux/gfp.h (x86_64): gfp bit
 * values, the composite masks per version, gfp_zone() and the few gfp
 * predicates the allocator uses, and the names %pGg prints. Bit positions
 * are the same in 5.4, 6.1 and 6.18; __GFP_ATOMIC (0x200) exists until 6.2
 * and is kept in late 6.1.y.
 *
 * Left out: __GFP_ACCOUNT's memcg charge, __GFP_WRITE's dirty spreading,
 * __GFP_THISNODE's node list (one node only), __GFP_ZERO's clearing.
 */
import type { PageAllocRules } from './rules.ts';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from './zone.ts';

export const __GFP_DMA = 0x1;
export const __GFP_HIGHMEM = 0x2;
export const __GFP_DMA32 = 0x4;
export const __GFP_MOVABLE = 0x8;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
/** Until 6.2 (and in every 6.1.y): "harder" reserves, asserted non-blocking. */
export const __GFP_ATOMIC = 0x200;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_WRITE = 0x1000;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NOFAIL = 0x8000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_MEMALLOC = 0x20000;
export const __GFP_COMP = 0x40000;
export const __GFP_NOMEMALLOC = 0x80000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_THISNODE = 0x200000;
export const __GFP_ACCOUNT = 0x400000;

export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
const GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE;
const GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;

/** The composite masks of one version (include/linux/gfp_types.h). */
export interface GfpComposites {
  readonly GFP_ATOMIC: number;
  readonly GFP_NOWAIT: number;
  readonly GFP_NOIO: number;
  readonly GFP_NOFS: number;
  readonly GFP_KERNEL: number;
  readonly GFP_USER: number;
  readonly GFP_HIGHUSER_MOVABLE: number;
  readonly GFP_DMA: number;
  readonly GFP_DMA32: number;
}

/** The composite masks under `rules` (GFP_ATOMIC loses __GFP_ATOMIC in 6.3; GFP_NOWAIT gains NOWARN in 6.8). */
export function gfpComposites(rules: PageAllocRules): GfpComposites {
  const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
  const GFP_USER = GFP_KERNEL | __GFP_HARDWALL;
  return {
    GFP_ATOMIC:
      __GFP_HIGH | __GFP_KSWAPD_RECLAIM | (rules.gfp_atomic_has_atomic_bit ? __GFP_ATOMIC : 0),
    GFP_NOWAIT: __GFP_KSWAPD_RECLAIM | (rules.gfp_nowait_has_nowarn ? __GFP_NOWARN : 0),
    GFP_NOIO: __GFP_RECLAIM,
    GFP_NOFS: __GFP_RECLAIM | __GFP_IO,
    GFP_KERNEL,
    GFP_USER,
    GFP_HIGHUSER_MOVABLE: GFP_USER | __GFP_HIGHMEM | __GFP_MOVABLE,
    GFP_DMA: __GFP_DMA,
    GFP_DMA32: __GFP_DMA32,
  };
}

/** include/linux/gfp.h gfp_zone() (GFP_ZONE_TABLE on x86_64), 6.1; -1 for an invalid combination. */
export function gfp_zone(gfp: number): number {
  switch (gfp & GFP_ZONEMASK) {
    case 0:
    case __GFP_HIGHMEM:
    case __GFP_MOVABLE:
      return ZONE_NORMAL;
    case __GFP_DMA:
    case __GFP_DMA | __GFP_MOVABLE:
      return ZONE_DMA;
    case __GFP_DMA32:
    case __GFP_DMA32 | __GFP_MOVABLE:
      return ZONE_DMA32;
    case __GFP_MOVABLE | __GFP_HIGHMEM:
      return ZONE_MOVABLE;
    default:
      // two zone modifiers at once: GFP_ZONE_BAD, a VM_BUG_ON in the kernel
      return -1;
  }
}

/** include/linux/gfp.h gfpflags_allow_blocking(), 6.1: the allocator's only notion of "may sleep". */
export function gfpflags_allow_blocking(gfp: number): boolean {
  return (gfp & __GFP_DIRECT_RECLAIM) !== 0;
}

/** include/linux/gfp.h gfp_migratetype(), 6.1 (mobility grouping on). */
export function gfp_migratetype(gfp: number): number {
  // __GFP_MOVABLE -> MIGRATE_MOVABLE (1), __GFP_RECLAIMABLE -> MIGRATE_RECLAIMABLE (2)
  return (gfp & GFP_MOVABLE_MASK) >> 3;
}

/** 5.14+ (arm64 MTE); the model never sets it, but %pGg names it in 6.1 and 6.18. */
const __GFP_ZEROTAGS = 0x800000;

/** Every mask a %pGg names table can hold, by name, under `rules`. */
function pggMasks(rules: PageAllocRules) {
  const c = gfpComposites(rules);
  // the KASAN bits in 6.1's GFP_HIGHUSER_MOVABLE are 0 without CONFIG_KASAN_HW_TAGS (x86_64)
  const GFP_TRANSHUGE_LIGHT =
    (c.GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM;
  return {
    GFP_TRANSHUGE: GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM,
    GFP_TRANSHUGE_LIGHT,
    GFP_HIGHUSER_MOVABLE: c.GFP_HIGHUSER_MOVABLE,
    GFP_HIGHUSER: c.GFP_USER | __GFP_HIGHMEM,
    GFP_USER: c.GFP_USER,
    GFP_KERNEL_ACCOUNT: c.GFP_KERNEL | __GFP_ACCOUNT,
    GFP_KERNEL: c.GFP_KERNEL,
    GFP_NOFS: c.GFP_NOFS,
    GFP_ATOMIC: c.GFP_ATOMIC,
    GFP_NOIO: c.GFP_NOIO,
    GFP_NOWAIT: c.GFP_NOWAIT,
    GFP_DMA: c.GFP_DMA,
    GFP_DMA32: c.GFP_DMA32,
    __GFP_RECLAIM,
    __GFP_DMA,
    __GFP_HIGHMEM,
    __GFP_DMA32,
    __GFP_MOVABLE,
    __GFP_RECLAIMABLE,
    __GFP_HIGH,
    __GFP_IO,
    __GFP_FS,
    __GFP_ZERO,
    __GFP_ATOMIC,
    __GFP_DIRECT_RECLAIM,
    __GFP_KSWAPD_RECLAIM,
    __GFP_WRITE,
    __GFP_NOWARN,
    __GFP_RETRY_MAYFAIL,
    __GFP_NOFAIL,
    __GFP_NORETRY,
    __GFP_MEMALLOC,
    __GFP_COMP,
    __GFP_NOMEMALLOC,
    __GFP_HARDWALL,
    __GFP_THISNODE,
    __GFP_ACCOUNT,
    __GFP_ZEROTAGS,
  };
}

type PggName = keyof ReturnType<typeof pggMasks>;

// Composites come first, the ones with most bits first, so a mask is named by
// the largest composites it contains; the order is the same in all three versions.
const COMPOSITES: readonly PggName[] = [
  'GFP_TRANSHUGE',
  'GFP_TRANSHUGE_LIGHT',
  'GFP_HIGHUSER_MOVABLE',
  'GFP_HIGHUSER',
  'GFP_USER',
  'GFP_KERNEL_ACCOUNT',
  'GFP_KERNEL',
  'GFP_NOFS',
  'GFP_ATOMIC',
  'GFP_NOIO',
  'GFP_NOWAIT',
];

// Until 6.14 the single bits follow in an order of their own (not bit order),
// with the zone composites in between; __GFP_RECLAIM sits among them.
const LISTED_BITS: readonly PggName[] = [
  'GFP_DMA',
  '__GFP_HIGHMEM',
  'GFP_DMA32',
  '__GFP_HIGH',
  '__GFP_ATOMIC',
  '__GFP_IO',
  '__GFP_FS',
  '__GFP_NOWARN',
  '__GFP_RETRY_MAYFAIL',
  '__GFP_NOFAIL',
  '__GFP_NORETRY',
  '__GFP_COMP',
  '__GFP_ZERO',
  '__GFP_NOMEMALLOC',
  '__GFP_MEMALLOC',
  '__GFP_HARDWALL',
  '__GFP_THISNODE',
  '__GFP_RECLAIMABLE',
  '__GFP_MOVABLE',
  '__GFP_ACCOUNT',
  '__GFP_WRITE',
  // Stryker disable next-line StringLiteral: never printed, GFP_NOIO is the same mask and comes first
  '__GFP_RECLAIM',
  '__GFP_DIRECT_RECLAIM',
  // Stryker disable next-line StringLiteral: never printed, GFP_NOWAIT is the same mask (0x800) and comes first
  '__GFP_KSWAPD_RECLAIM',
];

// 6.15+ lists the bits from the gfp bit enum (TRACE_GFP_FLAGS), so they come in
// bit order (0x200 is unused); __GFP_DMA and __GFP_DMA32 never match after GFP_DMA(32).
const ENUM_BITS: readonly PggName[] = [
  'GFP_DMA',
  'GFP_DMA32',
  // Stryker disable next-line StringLiteral: never printed, GFP_NOIO is the same mask and comes first
  '__GFP_RECLAIM',
  // Stryker disable next-line StringLiteral: never printed, GFP_DMA is the same mask and comes first
  '__GFP_DMA',
  '__GFP_HIGHMEM',
  // Stryker disable next-line StringLiteral: never printed, GFP_DMA32 is the same mask and comes first
  '__GFP_DMA32',
  '__GFP_MOVABLE',
  '__GFP_RECLAIMABLE',
  '__GFP_HIGH',
  '__GFP_IO',
  '__GFP_FS',
  '__GFP_ZERO',
  '__GFP_DIRECT_RECLAIM',
  '__GFP_KSWAPD_RECLAIM',
  '__GFP_WRITE',
  '__GFP_NOWARN',
  '__GFP_RETRY_MAYFAIL',
  '__GFP_NOFAIL',
  '__GFP_NORETRY',
  '__GFP_MEMALLOC',
  '__GFP_COMP',
  '__GFP_NOMEMALLOC',
  '__GFP_HARDWALL',
  '__GFP_THISNODE',
  '__GFP_ACCOUNT',
  '__GFP_ZEROTAGS',
];

/**
 * include/trace/events/mmflags.h __def_gfpflag_names per version, x86_64 with
 * neither KASAN_HW_TAGS nor LOCKDEP. No rule field says which layout a version
 * has, so this keys on the version itself.
 */
const PGG_NAMES: Readonly<Record<PageAllocRules['id'], readonly PggName[]>> = {
  '5.4': [...COMPOSITES, ...LISTED_BITS],
  '6.1.0': [...COMPOSITES, ...LISTED_BITS, '__GFP_ZEROTAGS'],
  '6.1': [...COMPOSITES, ...LISTED_BITS, '__GFP_ZEROTAGS'],
  '6.18': [...COMPOSITES, ...ENUM_BITS],
};

const pggTables = new WeakMap<PageAllocRules, readonly (readonly [number, string])[]>();

function pggTable(rules: PageAllocRules): readonly (readonly [number, string])[] {
  let table = pggTables.get(rules);
  // Stryker disable next-line ConditionalExpression: a cache; building the table again gives the same one
  if (!table) {
    const masks = pggMasks(rules);
    table = PGG_NAMES[rules.id].map((name) => [masks[name], name] as const);
    pggTables.set(rules, table);
  }
  return table;
}

/** lib/vsprintf.c format_flags() with gfpflag_names (%pGg) in 5.4, 6.1 and 6.18. */
export function gfpName(gfp: number, rules: PageAllocRules): string {
  const parts: string[] = [];
  // gfp_t is unsigned: keep bit 31 positive
  let rest = gfp >>> 0;
  for (const [mask, name] of pggTable(rules))
    if ((rest & mask) === mask) {
      parts.push(name);
      rest = (rest & ~mask) >>> 0;
    }
  // unnamed bits print together as one %#lx number; an empty mask prints nothing
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}
