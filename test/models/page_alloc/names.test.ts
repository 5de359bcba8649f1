/**
 * The names counterexamples and warnings print: alloc_flags as the kernel's
 * ALLOC_* bits (5.4 calls two of them HIGH and HARDER) and gfp masks as
 * %pGg prints them, largest composite first, then the remaining bits.
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

  it('bits without a name print in hex, and an empty mask as 0', () => {
    expect(gfpName(g.GFP_ATOMIC | (1 << 30), r)).toBe('GFP_ATOMIC|0x40000000');
    expect(gfpName(0, r)).toBe('0');
  });
});
