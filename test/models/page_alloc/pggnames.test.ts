/**
 * gfpName() against what %pGg prints in each version. lib/vsprintf.c
 * format_flags() walks mm/debug.c's gfpflag_names (the __def_gfpflag_names of
 * include/trace/events/mmflags.h) in table order, takes every entry whose whole
 * mask is still set, and prints what is left as one %#lx number (nothing for 0).
 * Masks are spelled in hex as include/linux/gfp.h (5.4) and gfp_types.h (6.1,
 * 6.18) define them on x86_64, without KASAN_HW_TAGS or LOCKDEP.
 */
import { describe, expect, it } from 'vitest';
import { gfpName } from '../../../models/page_alloc/gfp.ts';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';

/** The three table layouts (6.1.0 shares 6.1's, tested at the end). */
type Layout = Exclude<PageAllocVersion, '6.1.0'>;
const VERSIONS: readonly Layout[] = ['5.4', '6.1', '6.18'];
const name = (v: PageAllocVersion, gfp: number) => gfpName(gfp, pageAllocRules[v]);

/** Per version: [mask, %pGg text]. */
type Cases = Readonly<Record<Layout, readonly (readonly [number, string])[]>>;

function check(cases: Cases) {
  for (const v of VERSIONS)
    for (const [gfp, text] of cases[v])
      expect(name(v, gfp), `${v} 0x${(gfp >>> 0).toString(16)}`).toBe(text);
}

describe('%pGg: each composite alone prints its own name', () => {
  // gfp.h / gfp_types.h: the composites are the same in all three versions except
  // GFP_ATOMIC (__GFP_ATOMIC 0x200 gone in 6.3) and GFP_NOWAIT (+__GFP_NOWARN in 6.8)
  const common: (readonly [number, string])[] = [
    [0x1c24ca, 'GFP_TRANSHUGE'],
    [0x1c20ca, 'GFP_TRANSHUGE_LIGHT'],
    [0x100cca, 'GFP_HIGHUSER_MOVABLE'],
    [0x100cc2, 'GFP_HIGHUSER'],
    [0x100cc0, 'GFP_USER'],
    [0x400cc0, 'GFP_KERNEL_ACCOUNT'],
    [0xcc0, 'GFP_KERNEL'],
    [0xc40, 'GFP_NOFS'],
    // __GFP_RECLAIM is GFP_NOIO, and GFP_NOIO comes first
    [0xc00, 'GFP_NOIO'],
    [0x1, 'GFP_DMA'],
    [0x4, 'GFP_DMA32'],
  ];
  it('5.4 and 6.1: GFP_ATOMIC 0xa20, GFP_NOWAIT 0x800', () => {
    const old = [...common, [0xa20, 'GFP_ATOMIC'], [0x800, 'GFP_NOWAIT']] as const;
    check({ '5.4': old, '6.1': old, '6.18': [] });
  });
  it('6.18: GFP_ATOMIC 0x820, GFP_NOWAIT 0x2800', () => {
    check({
      '5.4': [],
      '6.1': [],
      '6.18': [...common, [0x820, 'GFP_ATOMIC'], [0x2800, 'GFP_NOWAIT']],
    });
  });
});

describe('%pGg: composites that contain other composites', () => {
  // mmflags.h lists the larger composite first in every version
  const all = [
    // GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM
    [0x1c24ca, 'GFP_TRANSHUGE'],
    [0x1c20ca, 'GFP_TRANSHUGE_LIGHT'],
    // GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM; without HIGHMEM only GFP_USER fits
    [0x100cc2, 'GFP_HIGHUSER'],
    [0x100cc8, 'GFP_USER|__GFP_MOVABLE'],
    // GFP_KERNEL_ACCOUNT = GFP_KERNEL | __GFP_ACCOUNT, but GFP_USER comes before it
    [0x400dc0, 'GFP_KERNEL_ACCOUNT|__GFP_ZERO'],
    [0x500cc0, 'GFP_USER|__GFP_ACCOUNT'],
  ] as const;
  it('the same in all three versions', () => check({ '5.4': all, '6.1': all, '6.18': all }));
});

describe('%pGg: matching goes on after the first composite', () => {
  it('GFP_TRANSHUGE_LIGHT | __GFP_KSWAPD_RECLAIM: GFP_NOWAIT is still whole until 6.8', () => {
    const old = [[0x1c28ca, 'GFP_TRANSHUGE_LIGHT|GFP_NOWAIT']] as const;
    // 6.18's GFP_NOWAIT needs __GFP_NOWARN, which GFP_TRANSHUGE_LIGHT already took
    check({
      '5.4': old,
      '6.1': old,
      '6.18': [[0x1c28ca, 'GFP_TRANSHUGE_LIGHT|__GFP_KSWAPD_RECLAIM']],
    });
  });
  it('GFP_TRANSHUGE | __GFP_KSWAPD_RECLAIM', () => {
    const old = [[0x1c2cca, 'GFP_TRANSHUGE|GFP_NOWAIT']] as const;
    check({ '5.4': old, '6.1': old, '6.18': [[0x1c2cca, 'GFP_TRANSHUGE|__GFP_KSWAPD_RECLAIM']] });
  });
  it('GFP_ATOMIC | __GFP_DMA prints GFP_ATOMIC|GFP_DMA (lib/test_printf.c)', () => {
    check({
      '5.4': [[0xa21, 'GFP_ATOMIC|GFP_DMA']],
      '6.1': [[0xa21, 'GFP_ATOMIC|GFP_DMA']],
      '6.18': [[0x821, 'GFP_ATOMIC|GFP_DMA']],
    });
  });
});

describe('%pGg: single bits in table order, which is bit order only from 6.15', () => {
  it('__GFP_COMP, __GFP_ZERO, __GFP_NOWARN, __GFP_IO, __GFP_WRITE, __GFP_HIGHMEM', () => {
    // 5.4/6.1 mmflags.h: HIGHMEM, DMA32, HIGH, ATOMIC, IO, FS, NOWARN, RETRY_MAYFAIL,
    // NOFAIL, NORETRY, COMP, ZERO, ..., RECLAIMABLE, MOVABLE, ACCOUNT, WRITE, ...
    const old = [
      [0x40100, '__GFP_COMP|__GFP_ZERO'],
      [0x2dc0, 'GFP_KERNEL|__GFP_NOWARN|__GFP_ZERO'],
      [0x50, '__GFP_IO|__GFP_RECLAIMABLE'],
      [0x1400, '__GFP_WRITE|__GFP_DIRECT_RECLAIM'],
      [0x6, '__GFP_HIGHMEM|GFP_DMA32'],
    ] as const;
    // 6.18 (6.15+): TRACE_GFP_FLAGS in ___GFP_*_BIT order, after GFP_DMA and GFP_DMA32
    const enumOrder = [
      [0x40100, '__GFP_ZERO|__GFP_COMP'],
      [0x2dc0, 'GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN'],
      [0x50, '__GFP_RECLAIMABLE|__GFP_IO'],
      [0x1400, '__GFP_DIRECT_RECLAIM|__GFP_WRITE'],
      [0x6, 'GFP_DMA32|__GFP_HIGHMEM'],
    ] as const;
    check({ '5.4': old, '6.1': old, '6.18': enumOrder });
  });
  it('the kswapd bit alone is GFP_NOWAIT until 6.8, then its own name', () => {
    check({
      '5.4': [[0x800, 'GFP_NOWAIT']],
      '6.1': [[0x800, 'GFP_NOWAIT']],
      '6.18': [[0x800, '__GFP_KSWAPD_RECLAIM']],
    });
  });
});

describe('%pGg: every bit alone', () => {
  // each gfp bit of gfp.h / gfp_types.h on its own: its table name, a composite with the same
  // mask where one comes first (0x800 is GFP_NOWAIT until 6.8), or a bare number where the
  // version has no name for it
  const bits: readonly (readonly [number, string])[] = [
    [0x1, 'GFP_DMA'],
    [0x2, '__GFP_HIGHMEM'],
    [0x4, 'GFP_DMA32'],
    [0x8, '__GFP_MOVABLE'],
    [0x10, '__GFP_RECLAIMABLE'],
    [0x20, '__GFP_HIGH'],
    [0x40, '__GFP_IO'],
    [0x80, '__GFP_FS'],
    [0x100, '__GFP_ZERO'],
    [0x400, '__GFP_DIRECT_RECLAIM'],
    [0x1000, '__GFP_WRITE'],
    [0x2000, '__GFP_NOWARN'],
    [0x4000, '__GFP_RETRY_MAYFAIL'],
    [0x8000, '__GFP_NOFAIL'],
    [0x10000, '__GFP_NORETRY'],
    [0x20000, '__GFP_MEMALLOC'],
    [0x40000, '__GFP_COMP'],
    [0x80000, '__GFP_NOMEMALLOC'],
    [0x100000, '__GFP_HARDWALL'],
    [0x200000, '__GFP_THISNODE'],
    [0x400000, '__GFP_ACCOUNT'],
  ];
  it('5.4, 6.1 and 6.18 name the same 21 bits alike; 0x200, 0x800 and 0x800000 differ', () => {
    check({
      '5.4': [...bits, [0x200, '__GFP_ATOMIC'], [0x800, 'GFP_NOWAIT'], [0x800000, '0x800000']],
      '6.1': [
        ...bits,
        [0x200, '__GFP_ATOMIC'],
        [0x800, 'GFP_NOWAIT'],
        [0x800000, '__GFP_ZEROTAGS'],
      ],
      '6.18': [
        ...bits,
        [0x200, '0x200'],
        [0x800, '__GFP_KSWAPD_RECLAIM'],
        [0x800000, '__GFP_ZEROTAGS'],
      ],
    });
  });
});

describe('%pGg: the DMA atomic pools (ground truth, Debian 6.1.192 dmesg)', () => {
  it('GFP_KERNEL, GFP_KERNEL|GFP_DMA, GFP_KERNEL|GFP_DMA32 in every version', () => {
    const pools = [
      [0xcc0, 'GFP_KERNEL'],
      [0xcc1, 'GFP_KERNEL|GFP_DMA'],
      [0xcc4, 'GFP_KERNEL|GFP_DMA32'],
    ] as const;
    check({ '5.4': pools, '6.1': pools, '6.18': pools });
  });
});

describe('%pGg: empty masks and bits without a name', () => {
  it('0 prints nothing (warn_alloc: mode:0x0())', () => {
    for (const v of VERSIONS) expect(name(v, 0)).toBe('');
  });
  it('unnamed bits print last, together, as one 0x number', () => {
    const all = [
      [0x40000000, '0x40000000'],
      [0x60 | 0x40000000, '__GFP_HIGH|__GFP_IO|0x40000000'],
      // gfp_t is unsigned
      [2 ** 31, '0x80000000'],
    ] as const;
    check({ '5.4': all, '6.1': all, '6.18': all });
  });
  it('__GFP_ATOMIC (0x200) is named until 6.2; 6.18 leaves the bit unused', () => {
    check({
      '5.4': [[0xec0, 'GFP_KERNEL|__GFP_ATOMIC']],
      '6.1': [[0xec0, 'GFP_KERNEL|__GFP_ATOMIC']],
      '6.18': [
        [0xec0, 'GFP_KERNEL|0x200'],
        [0x40000ec0, 'GFP_KERNEL|0x40000200'],
      ],
    });
  });
  it('0x800000 is __GFP_ZEROTAGS in 6.1 and 6.18; 5.4 has no such bit (NOLOCKDEP is 0)', () => {
    check({
      '5.4': [[0x800000, '0x800000']],
      '6.1': [[0x800000, '__GFP_ZEROTAGS']],
      '6.18': [[0x800000, '__GFP_ZEROTAGS']],
    });
  });
  it('lib/test_printf.c: a bit with a name, then every bit above __GFP_BITS_MASK', () => {
    // __GFP_BITS_SHIFT without LOCKDEP: 23 in 5.4, 27 in 6.1; 6.18 ends below bit 25
    check({
      '5.4': [[0xff800000 | 0x200, '__GFP_ATOMIC|0xff800000']],
      '6.1': [[0xf8000000 | 0x200, '__GFP_ATOMIC|0xf8000000']],
      '6.18': [[0xfe000000 | 0x20, '__GFP_HIGH|0xfe000000']],
    });
  });
});

describe('%pGg: the v6.1 release', () => {
  it('6.1.0 (the page-allocator rules of v5.8) prints as late 6.1.y: the table did not change in stable', () => {
    for (const gfp of [
      0xa20,
      0x800,
      0x1c24ca,
      0x41 | 0x40000 | 0x100,
      0x800000 | 0x2000,
      0x80000000,
    ])
      expect(name('6.1.0', gfp)).toBe(name('6.1', gfp));
    expect(name('6.1.0', 0x800000)).toBe('__GFP_ZEROTAGS');
  });
});
