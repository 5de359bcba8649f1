/**
 * mm/internal.h (6.1): the ALLOC_* bits of alloc_flags. The watermark
 * index sits in the low two bits. 0x10 and 0x20 carry two names: 5.4 and
 * 6.1.0 call them ALLOC_HARDER and ALLOC_HIGH, late 6.1.y and 6.3+
 * ALLOC_NON_BLOCK and ALLOC_MIN_RESERVE; the rules' `alloc_flags` scheme
 * says which meaning applies.
 */
export const ALLOC_WMARK_MIN = 0;
export const ALLOC_WMARK_LOW = 1;
export const ALLOC_WMARK_HIGH = 2;
export const ALLOC_WMARK_MASK = 3;
export const ALLOC_NO_WATERMARKS = 0x04;
export const ALLOC_OOM = 0x08;
/** Late 6.1.y / 6.3+: the caller cannot block. */
export const ALLOC_NON_BLOCK = 0x10;
/** 5.4 / 6.1.0: __GFP_ATOMIC or an RT task. */
export const ALLOC_HARDER = 0x10;
/** Late 6.1.y / 6.3+: __GFP_HIGH. */
export const ALLOC_MIN_RESERVE = 0x20;
/** 5.4 / 6.1.0: __GFP_HIGH. */
export const ALLOC_HIGH = 0x20;
export const ALLOC_CPUSET = 0x40;
export const ALLOC_CMA = 0x80;
export const ALLOC_NOFRAGMENT = 0x100;
/** Late 6.1.y / 6.3+: may use and reserve highatomic pageblocks. */
export const ALLOC_HIGHATOMIC = 0x200;
/** = __GFP_KSWAPD_RECLAIM. */
export const ALLOC_KSWAPD = 0x800;
/** The flags that let a caller below the plain watermark (late 6.1.y / 6.3+). */
export const ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM;

const NAMES_NON_BLOCK: readonly [number, string][] = [
  [ALLOC_NO_WATERMARKS, 'NO_WATERMARKS'],
  [ALLOC_OOM, 'OOM'],
  [ALLOC_NON_BLOCK, 'NON_BLOCK'],
  [ALLOC_MIN_RESERVE, 'MIN_RESERVE'],
  [ALLOC_CPUSET, 'CPUSET'],
  [ALLOC_CMA, 'CMA'],
  [ALLOC_NOFRAGMENT, 'NOFRAGMENT'],
  [ALLOC_HIGHATOMIC, 'HIGHATOMIC'],
  [ALLOC_KSWAPD, 'KSWAPD'],
];

/** alloc_flags as text: `WMARK_MIN|MIN_RESERVE|NON_BLOCK|KSWAPD` (5.4 names HIGH/HARDER when `harder`). */
export function allocFlagsName(flags: number, scheme: 'harder' | 'non_block'): string {
  const parts = [
    ['WMARK_MIN', 'WMARK_LOW', 'WMARK_HIGH', 'WMARK_PROMO'][flags & ALLOC_WMARK_MASK] as string,
  ];
  for (const [bit, name] of NAMES_NON_BLOCK) {
    if (!(flags & bit)) continue;
    if (scheme === 'harder' && bit === ALLOC_NON_BLOCK) parts.push('HARDER');
    else if (scheme === 'harder' && bit === ALLOC_MIN_RESERVE) parts.push('HIGH');
    else parts.push(name);
  }
  return parts.join('|');
}
