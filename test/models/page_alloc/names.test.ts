/**
 * The names counterexamples and warnings print: alloc_flags as the kernel's
 * ALLOC_* bits (5.4 calls two of them HIGH and HARDER) and gfp masks as
 * %pGg prints them (table order per version: pggnames.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOC_HIGHATOMIC,
  ALLOC_KSWAPD,
  ALLOC_MIN_RESERVE,
  ALLOC_NO_WATERMARKS,
  ALLOC_NON_BLOCK,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MIN,
  allocFlagsName,
} from '../../../models/page_alloc/alloc_flags.ts';
import * as G from '../../../models/page_alloc/gfp.ts';
import { __GFP_DMA32, gfpComposites, gfpName } from '../../../models/page_alloc/gfp.ts';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';

describe('allocFlagsName', () => {
  const atomic =
    ALLOC_WMARK_MIN | ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_KSWAPD;

  it('6.1 names GFP_ATOMIC slowpath flags NON_BLOCK and MIN_RESERVE', () => {
    expect(allocFlagsName(atomic, 'non_block')).toBe(
      'WMARK_MIN|NON_BLOCK|MIN_RESERVE|HIGHATOMIC|KSWAPD',
    );
  });

  it('5.4 names the same two bits (0x10, 0x20) HARDER and HIGH', () => {
    expect(allocFlagsName(atomic, 'harder')).toBe('WMARK_MIN|HARDER|HIGH|HIGHATOMIC|KSWAPD');
  });

  it('the watermark index comes first, and alone when no bit is set', () => {
    expect(allocFlagsName(ALLOC_WMARK_LOW, 'harder')).toBe('WMARK_LOW');
    expect(allocFlagsName(ALLOC_NO_WATERMARKS, 'non_block')).toBe('WMARK_MIN|NO_WATERMARKS');
  });
});

describe('gfpName (%pGg)', () => {
  const r = pageAllocRules['6.1'];
  const g = gfpComposites(r);

  it('a composite, then the named bits left over', () => {
    expect(gfpName(g.GFP_KERNEL | __GFP_DMA32, r)).toBe('GFP_KERNEL|GFP_DMA32');
  });

  it('each bit alone prints its own name', () => {
    const bits: [number, string][] = [
      [G.__GFP_DMA, 'GFP_DMA'],
      [G.__GFP_HIGHMEM, '__GFP_HIGHMEM'],
      [G.__GFP_DMA32, 'GFP_DMA32'],
      [G.__GFP_MOVABLE, '__GFP_MOVABLE'],
      [G.__GFP_RECLAIMABLE, '__GFP_RECLAIMABLE'],
      [G.__GFP_HIGH, '__GFP_HIGH'],
      [G.__GFP_IO, '__GFP_IO'],
      [G.__GFP_FS, '__GFP_FS'],
      [G.__GFP_ZERO, '__GFP_ZERO'],
      [G.__GFP_ATOMIC, '__GFP_ATOMIC'],
      [G.__GFP_DIRECT_RECLAIM, '__GFP_DIRECT_RECLAIM'],
      // 6.1's GFP_NOWAIT is this bit alone, and a composite is named first
      [G.__GFP_KSWAPD_RECLAIM, 'GFP_NOWAIT'],
      [G.__GFP_WRITE, '__GFP_WRITE'],
      [G.__GFP_NOWARN, '__GFP_NOWARN'],
      [G.__GFP_RETRY_MAYFAIL, '__GFP_RETRY_MAYFAIL'],
      [G.__GFP_NOFAIL, '__GFP_NOFAIL'],
      [G.__GFP_NORETRY, '__GFP_NORETRY'],
      [G.__GFP_MEMALLOC, '__GFP_MEMALLOC'],
      [G.__GFP_COMP, '__GFP_COMP'],
      [G.__GFP_NOMEMALLOC, '__GFP_NOMEMALLOC'],
      [G.__GFP_HARDWALL, '__GFP_HARDWALL'],
      [G.__GFP_THISNODE, '__GFP_THISNODE'],
      [G.__GFP_ACCOUNT, '__GFP_ACCOUNT'],
    ];
    for (const [bit, name] of bits) expect(gfpName(bit, r), name).toBe(name);
  });

  it('6.18: GFP_NOWAIT also carries __GFP_NOWARN, so the kswapd bit alone prints its own name', () => {
    expect(gfpName(G.__GFP_KSWAPD_RECLAIM, pageAllocRules['6.18'])).toBe('__GFP_KSWAPD_RECLAIM');
  });

  it('bits without a name print in hex, and an empty mask as nothing (mode:0x0())', () => {
    expect(gfpName(g.GFP_ATOMIC | (1 << 30), r)).toBe('GFP_ATOMIC|0x40000000');
    expect(gfpName(0, r)).toBe('');
  });
});
