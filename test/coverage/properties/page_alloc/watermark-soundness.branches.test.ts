/**
 * page-alloc/watermark-soundness (I12) against broken twins of
 * __zone_watermark_ok(): the kernel's function with its answer flipped at
 * one chosen call. page-alloc.md §8: free - unusable (2^order - 1, plus the
 * highatomic reserve without reserve flags) must be strictly above the
 * reduced mark + lowmem_reserve[hz], so a twin wrong at the edge (equality
 * passes), one past it, below the unusable pages, at 0 or at the zone's own
 * free count must be reported; at every zone up to the request's
 * highest_zoneidx, with flags 0 and with its slowpath flags.
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOC_KSWAPD,
  ALLOC_MIN_RESERVE,
  ALLOC_NON_BLOCK,
} from '../../../../models/page_alloc/alloc_flags.ts';
import type { PageAllocFns } from '../../../../models/page_alloc/fns.ts';
import type { AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import prop from '../../../../properties/page_alloc/watermark-soundness.ts';
import type { PageAllocState } from '../../../../src/systems/page_alloc/system.ts';
import { booted, ctx, DMA, DMA32, zone } from '../../fixtures/page-alloc.ts';
import { afterAlloc, afterKswapd, allocOp, request, success } from './hand.ts';

/** One call of __zone_watermark_ok(). */
interface Call {
  readonly zone: number;
  readonly order: number;
  readonly mark: number;
  readonly hz: number;
  readonly flags: number;
  readonly free: number;
}

/** GFP_ATOMIC's slowpath flags in late 6.1.y (gfp_to_alloc_flags: no ALLOC_CPUSET with MIN_RESERVE). */
const ATOMIC_SLOW = ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_KSWAPD;

/**
 * `state` with a twin of __zone_watermark_ok() that answers the opposite of
 * the kernel's wherever `wrong` holds, and the calls the property made.
 */
function twin(
  state: PageAllocState,
  wrong: (c: Call) => boolean,
): { state: PageAllocState; calls: Call[] } {
  const kernel = state.pa.fns.__zone_watermark_ok;
  const calls: Call[] = [];
  const fn: PageAllocFns['__zone_watermark_ok'] = (pa, z, order, mark, hz, flags, free) => {
    const c = { zone: z.idx, order, mark, hz, flags, free };
    calls.push(c);
    const ok = kernel(pa, z, order, mark, hz, flags, free);
    return wrong(c) ? !ok : ok;
  };
  const pa = { ...state.pa, fns: { ...state.pa.fns, __zone_watermark_ok: fn } };
  return { state: { pa, live: state.live, last: state.last }, calls };
}

/** The verdict on a booted 6.1 allocator (set up by `prepare`) whose last step made `results`. */
function verdict(
  results: readonly AllocResult[],
  wrong: (c: Call) => boolean,
  prepare: (s: PageAllocState) => void = () => {},
) {
  const s = booted();
  prepare(s);
  const t = twin(s, wrong);
  return { v: prop.check?.(afterAlloc(t.state, results)) ?? null, calls: t.calls };
}

/** Wrong on `zone` at flags 0 and free count `free` only. */
const at = (z: number, free: number) => (c: Call) =>
  c.zone === z && c.flags === 0 && c.free === free;

const dma32Order0 = [request()];
/** DMA, boosted by 7: a DMA32 request sees min 32 + 7 and lowmem_reserve[DMA32] 190. */
const boostDma = (s: PageAllocState) => {
  const d = zone(s, DMA);
  expect([d._watermark[0], d.lowmem_reserve[DMA32]]).toEqual([32, 190]);
  d.watermark_boost = 7;
};
/** DMA32 with one reserved highatomic block (512 pages) a flags-0 caller may not count. */
const highatomicDma32 = (s: PageAllocState) => {
  expect(zone(s, DMA32)._watermark[0]).toBe(416);
  zone(s, DMA32).nr_reserved_highatomic = 512;
};

describe('watermark-soundness: the probes sit on both sides of every boundary', () => {
  it('DMA for a DMA32 request: free 229 = min 32 + boost 7 + reserve 190 fails, an equality pass is reported', () => {
    const { v } = verdict(dma32Order0, at(DMA, 229), boostDma);
    expect(v?.subject).toBe('zone DMA');
    expect(v?.message).toBe(
      '__zone_watermark_ok(order 0, mark 39, hz 1, flags 0x0, free 229) = true, spec says false',
    );
  });

  it('one page more (230) passes: a twin that fails it is reported', () => {
    const { v } = verdict(dma32Order0, at(DMA, 230), boostDma);
    expect(v?.message).toBe(
      '__zone_watermark_ok(order 0, mark 39, hz 1, flags 0x0, free 230) = false, spec says true',
    );
  });

  it('order 2 with a reserved highatomic block: 3 + 512 pages unusable, the edge is 416 + 515 = 931', () => {
    const order2 = [request({ order: 2 })];
    expect(verdict(order2, at(DMA32, 931), highatomicDma32).v?.message).toBe(
      '__zone_watermark_ok(order 2, mark 416, hz 1, flags 0x0, free 931) = true, spec says false',
    );
    expect(verdict(order2, at(DMA32, 932), highatomicDma32).v?.message).toMatch(
      /free 932\) = false, spec says true$/,
    );
  });

  it('free below the 3 unusable pages of order 2 (signed: 2 - 3 < 0) is probed', () => {
    const { v } = verdict([request({ order: 2 })], at(DMA32, 2));
    expect(v?.message).toBe(
      '__zone_watermark_ok(order 2, mark 416, hz 1, flags 0x0, free 2) = true, spec says false',
    );
  });

  it('free 0 and the zone as it is are probed', () => {
    expect(verdict(dma32Order0, at(DMA32, 0)).v?.message).toMatch(/free 0\) = true/);
    const s = booted();
    const own = zone(s, DMA32).nr_free_pages;
    expect(verdict(dma32Order0, at(DMA32, own)).v?.message).toMatch(
      new RegExp(`free ${own}\\) = false, spec says true`),
    );
  });

  it('no free count below 0 is probed: NR_FREE_PAGES is never negative', () => {
    const { v, calls } = verdict(dma32Order0, (c) => c.free < 0);
    expect(v).toBeNull();
    expect(calls.length).toBeGreaterThan(0);
  });

  it('the lowest free count the twin gets wrong is the one reported', () => {
    const s = booted();
    const own = zone(s, DMA32).nr_free_pages;
    const { v } = verdict(dma32Order0, (c) => c.zone === DMA32 && (c.free === 0 || c.free === own));
    expect(v?.message).toMatch(/free 0\) = true, spec says false$/);
  });
});

describe('watermark-soundness: flags and zones', () => {
  it('a request that reached the slowpath is probed with its slowpath flags as well as 0', () => {
    const slow = [request({ slow_flags: ATOMIC_SLOW })];
    const { v } = verdict(slow, (c) => c.zone === DMA32 && c.flags === ATOMIC_SLOW);
    expect(v?.subject).toBe('zone DMA32');
    expect(v?.message).toMatch(/^__zone_watermark_ok\(order 0, mark 416, hz 1, flags 0x830, free /);
  });

  it('a fast-path request (slow_flags -1) is probed at flags 0, and only there', () => {
    expect(verdict(dma32Order0, (c) => c.flags === 0).v?.message).toMatch(/flags 0x0,/);
    const { v, calls } = verdict(dma32Order0, (c) => c.flags !== 0);
    expect(v).toBeNull();
    expect(calls.every((c) => c.flags === 0)).toBe(true);
  });

  it('a __GFP_DMA request (highest_zoneidx 0) is probed on DMA, and never on DMA32', () => {
    const dmaOnly = [request({ highest_zoneidx: DMA })];
    expect(verdict(dmaOnly, (c) => c.zone === DMA).v?.subject).toBe('zone DMA');
    const { v, calls } = verdict(dmaOnly, (c) => c.zone === DMA32);
    expect(v).toBeNull();
    expect(new Set(calls.map((c) => c.zone))).toEqual(new Set([DMA]));
  });

  it('a DMA32 request is probed on both zones: DMA32, then DMA', () => {
    const { v, calls } = verdict(dma32Order0, (c) => c.zone === DMA);
    expect(v?.subject).toBe('zone DMA');
    expect(calls[0]?.zone).toBe(DMA32);
  });

  it('a burst is probed once, at its last request', () => {
    const burst = { ...allocOp, count: 3 };
    const s = booted([burst]);
    if (s.last.kind !== 'alloc') throw new Error('no allocation');
    const results = s.last.results;
    expect(results).toHaveLength(3);
    const all = twin(s, () => false);
    expect(prop.check?.(ctx(all.state, burst))).toBeNull();
    const last = twin(s, () => false);
    expect(prop.check?.(afterAlloc(last.state, results.slice(-1)))).toBeNull();
    expect(all.calls.length).toBeGreaterThan(0);
    expect(all.calls).toEqual(last.calls);
  });
});

describe('watermark-soundness: its witness (a request of order > 0, or a zone with highatomic blocks)', () => {
  const witness = (
    results: readonly AllocResult[],
    prepare: (s: PageAllocState) => void = () => {},
  ) => {
    const s = booted();
    prepare(s);
    return prop.witness?.(afterAlloc(s, results));
  };

  it('order-0 requests with no highatomic reserve anywhere are not it', () => {
    expect(witness([request(), success(0)])).toBe(false);
  });

  it('an order-1 request is, even next to order-0 ones', () => {
    expect(witness([request({ order: 1 })])).toBe(true);
    expect(witness([request(), request({ order: 1 })])).toBe(true);
  });

  it('an order-0 request is when one zone holds a highatomic reserve', () => {
    expect(witness([request()], highatomicDma32)).toBe(true);
  });

  it('a step that allocated nothing is not it', () => {
    const s = booted();
    expect(prop.witness?.(afterKswapd(s, []))).toBe(false);
  });
});
