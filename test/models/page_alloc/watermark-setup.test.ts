/** Boot arithmetic traps (page-alloc.md §14), one small case each, plus the sysctl handlers. */
import { describe, expect, it } from 'vitest';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import {
  __setup_per_zone_wmarks,
  calculate_min_free_kbytes,
  calculate_totalreserve_pages,
  init_per_zone_wmark_min_and_thp,
  int_sqrt,
  lowmem_reserve_ratio_sysctl_handler,
  min_free_kbytes_sysctl_handler,
  mult_frac,
  set_recommended_min_free_kbytes,
  setup_per_zone_lowmem_reserve,
  watermark_scale_factor_sysctl_handler,
} from '../../../models/page_alloc/watermark_setup.ts';
import { defaultSysctls, type ZoneCounts } from '../../../models/page_alloc/zone.ts';
import { zones } from './tiny.ts';

const R61 = pageAllocRules['6.1'];
const R54 = pageAllocRules['5.4'];
const R618 = pageAllocRules['6.18'];

describe('integer helpers', () => {
  it('int_sqrt is the exact floor, also next to large squares', () => {
    for (const r of [0, 1, 2, 3, 1079, 65535, 67108863]) {
      expect(int_sqrt(r * r)).toBe(r);
      if (r > 0) expect(int_sqrt(r * r - 1)).toBe(r - 1);
      expect(int_sqrt(r * r + 2 * r)).toBe(r);
    }
  });

  it('mult_frac is floor(x * n / d) without overflow', () => {
    expect(mult_frac(754602, 10, 10000)).toBe(754);
    expect(mult_frac(3335872, 3000, 10000)).toBe(1000761);
    expect(mult_frac(7, 3, 2)).toBe(10);
  });
});

describe('calculate_min_free_kbytes', () => {
  it('sqrt(16 x lowmem kB) from boot-time managed pages (mem-128M: 1079)', () => {
    const s = defaultSysctls();
    calculate_min_free_kbytes(zones(3840, 16640 - 2279), s, R61);
    expect(s.min_free_kbytes).toBe(1079);
  });

  it('clamps at 262144 (6.1) and 65536 (5.4)', () => {
    const big = zones(3840, 754602, 1 << 30);
    const a = defaultSysctls();
    const b = defaultSysctls();
    calculate_min_free_kbytes(big, a, R61);
    calculate_min_free_kbytes(big, b, R54);
    expect(a.min_free_kbytes).toBe(262144);
    expect(b.min_free_kbytes).toBe(65536);
  });

  it('keeps a larger user value', () => {
    const s = { ...defaultSysctls(), min_free_kbytes: 5000, user_min_free_kbytes: 5000 };
    calculate_min_free_kbytes(zones(3840, 16640), s, R61);
    expect(s.min_free_kbytes).toBe(5000);
  });
});

describe('__setup_per_zone_wmarks', () => {
  it('mem-16G after rewrite: DMA32 3114 / 3892 / 4670', () => {
    const z = zones(3840, 754602, 3335872);
    __setup_per_zone_wmarks(z, { ...defaultSysctls(), min_free_kbytes: 67584 }, R61);
    expect(z[1]?._watermark.slice(0, 3)).toEqual([3114, 3892, 4670]);
  });

  it('min may be 0 while low/high are not (128 kB on 1G: DMA 0/1/2)', () => {
    const z = zones(3840, 242096);
    __setup_per_zone_wmarks(
      z,
      { ...defaultSysctls(), min_free_kbytes: 128, watermark_scale_factor: 5 },
      R61,
    );
    expect(z[0]?._watermark.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('truncates per zone: the mins sum below pages_min', () => {
    const z = zones(3840, 242096);
    __setup_per_zone_wmarks(z, { ...defaultSysctls(), min_free_kbytes: 262144 }, R61);
    expect((z[0]?._watermark[0] ?? 0) + (z[1]?._watermark[0] ?? 0)).toBe(65535);
  });

  it('zeroes the boost; promo exists in 6.1, not in 5.4', () => {
    const a = zones(3840, 242096);
    const b = zones(3840, 242096);
    (a[1] as ZoneCounts).watermark_boost = 700;
    __setup_per_zone_wmarks(a, defaultSysctls(), R61);
    __setup_per_zone_wmarks(b, defaultSysctls(), R54);
    expect(a[1]?.watermark_boost).toBe(0);
    expect(a[1]?._watermark[3]).toBeGreaterThan(a[1]?._watermark[2] ?? 0);
    expect(b[1]?._watermark[3]).toBe(0);
  });

  it('6.18 gives Movable the highmem clamp and leaves it out of lowmem_pages', () => {
    const a = zones(3840, 242096, 0, 100000);
    const b = zones(3840, 242096, 0, 100000);
    __setup_per_zone_wmarks(a, { ...defaultSysctls(), min_free_kbytes: 4096 }, R61);
    __setup_per_zone_wmarks(b, { ...defaultSysctls(), min_free_kbytes: 4096 }, R618);
    expect(b[3]?._watermark[0]).toBe(97); // 100000 / 1024, within 32..128
    expect(a[3]?._watermark[0]).toBe(Math.floor((1024 * 100000) / 345936));
    expect(b[1]?._watermark[0]).toBe(Math.floor((1024 * 242096) / 245936));
  });
});

describe('setup_per_zone_lowmem_reserve', () => {
  it('cumulative sum over own ratio (5G setting 0: ratio 1000 1 0)', () => {
    const z = zones(3840, 754602, 500419);
    const s = { ...defaultSysctls(), lowmem_reserve_ratio: [1000, 1, 0, 0, 0] };
    setup_per_zone_lowmem_reserve(z, s, R61);
    expect(z[0]?.lowmem_reserve).toEqual([0, 754, 1255, 1255, 1255]);
    expect(z[1]?.lowmem_reserve).toEqual([0, 0, 500419, 500419, 500419]);
  });

  it('a ratio of 0 in the middle keeps the sum below it (ratio 64 0 2)', () => {
    const z = zones(3840, 754602, 3335872);
    setup_per_zone_lowmem_reserve(
      z,
      { ...defaultSysctls(), lowmem_reserve_ratio: [64, 0, 2, 0, 0] },
      R61,
    );
    expect(z[0]?.lowmem_reserve).toEqual([0, 11790, 63913, 63913, 63913]);
    expect(z[1]?.lowmem_reserve).toEqual([0, 0, 0, 0, 0]);
  });

  it('5.4 reserves in an empty lower zone, 6.1 does not; both agree otherwise', () => {
    const a = zones(0, 754602, 500419);
    const b = zones(0, 754602, 500419);
    setup_per_zone_lowmem_reserve(a, defaultSysctls(), R54);
    setup_per_zone_lowmem_reserve(b, defaultSysctls(), R61);
    expect(a[0]?.lowmem_reserve[2]).toBe(Math.floor(1255021 / 256));
    expect(b[0]?.lowmem_reserve[2]).toBe(0);
    expect(a[1]?.lowmem_reserve).toEqual(b[1]?.lowmem_reserve);
  });

  it('totalreserve: max reserve plus high, capped at managed, summed', () => {
    const z = zones(3840, 242096);
    const s = defaultSysctls();
    __setup_per_zone_wmarks(z, s, R61);
    const t = setup_per_zone_lowmem_reserve(z, s, R61);
    const dma = Math.min(3840, (z[0]?.lowmem_reserve[1] ?? 0) + (z[0]?._watermark[2] ?? 0));
    expect(t).toBe(dma + (z[1]?._watermark[2] ?? 0));
    expect(calculate_totalreserve_pages(z)).toBe(t);
  });
});

describe('THP raise and boot', () => {
  it('11 pageblocks per populated zone up to Normal: 45056 with two, 67584 with three', () => {
    const two = zones(3840, 499760);
    const three = zones(3840, 754602, 243907);
    const a = defaultSysctls();
    const b = defaultSysctls();
    expect(init_per_zone_wmark_min_and_thp(two, a, R61).min_free_kbytes).toBe(45056);
    expect(init_per_zone_wmark_min_and_thp(three, b, R61).min_free_kbytes).toBe(67584);
  });

  it('no raise below 512 MiB of totalram (mem-512M keeps the sqrt value)', () => {
    const r = init_per_zone_wmark_min_and_thp(zones(3840, 113264 - 2279), defaultSysctls(), R61);
    expect(r.thpRaised).toBe(false);
    expect(r.min_free_kbytes).toBe(2710);
  });

  it('the raise beats a user value; with THP off the sqrt default replaces only a smaller one', () => {
    const s = { ...defaultSysctls(), min_free_kbytes: 2000, user_min_free_kbytes: 2000 };
    set_recommended_min_free_kbytes(zones(3840, 499760), s, R61);
    expect(s.min_free_kbytes).toBe(45056);
    const off = { ...defaultSysctls(), min_free_kbytes: 2000, user_min_free_kbytes: 2000 };
    set_recommended_min_free_kbytes(zones(3840, 499760), off, R61, false);
    expect(off.min_free_kbytes).toBe(int_sqrt((3840 + 499760) * 4 * 16));
    const large = { ...defaultSysctls(), min_free_kbytes: 9000, user_min_free_kbytes: 9000 };
    set_recommended_min_free_kbytes(zones(3840, 499760), large, R61, false);
    expect(large.min_free_kbytes).toBe(9000);
  });
});

describe('sysctl handlers', () => {
  it('watermark_scale_factor: 1..3000 in 6.1, 1..1000 in 5.4; -EINVAL changes nothing', () => {
    for (const [rules, ok, bad] of [
      [R61, 3000, 3001],
      [R54, 1000, 1001],
    ] as const) {
      const z = zones(3840, 242096);
      const s = defaultSysctls();
      expect(watermark_scale_factor_sysctl_handler(z, s, rules, ok)).toBe(0);
      const before = JSON.stringify(z);
      expect(watermark_scale_factor_sysctl_handler(z, s, rules, bad)).toBe(-22);
      expect(watermark_scale_factor_sysctl_handler(z, s, rules, 0)).toBe(-22);
      expect(JSON.stringify(z)).toBe(before);
      expect(s.watermark_scale_factor).toBe(ok);
    }
  });

  it('min_free_kbytes: >= 0 (0 accepted), sets the user value', () => {
    const z = zones(3840, 242096);
    const s = defaultSysctls();
    expect(min_free_kbytes_sysctl_handler(z, s, R61, -1)).toBe(-22);
    expect(min_free_kbytes_sysctl_handler(z, s, R61, 0)).toBe(0);
    expect(s.user_min_free_kbytes).toBe(0);
    expect(z[1]?._watermark[0]).toBe(0);
  });

  it('lowmem_reserve_ratio: values below 1 become 0; a read recomputes too', () => {
    const z = zones(3840, 242096);
    const s = defaultSysctls();
    expect(lowmem_reserve_ratio_sysctl_handler(z, s, R61, [-5, 32, 0, 0, 0])).toBe(0);
    expect(s.lowmem_reserve_ratio).toEqual([0, 32, 0, 0, 0]);
    expect(z[0]?.lowmem_reserve[1]).toBe(0);
    s.lowmem_reserve_ratio[0] = 2;
    lowmem_reserve_ratio_sysctl_handler(z, s, R61);
    expect(z[0]?.lowmem_reserve[1]).toBe(121048);
    expect(lowmem_reserve_ratio_sysctl_handler(z, s, R61, [1, 2, 3, 4, 5, 6])).toBe(-22);
  });
});
