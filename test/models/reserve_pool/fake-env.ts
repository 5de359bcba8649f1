/**
 * A small fake of what the reserve pool reaches outside itself: a buddy
 * allocator per zone (naturally aligned blocks, reused after a free), page
 * encryption states, faults to arm, and kswapd's wake counter. It also
 * records what a kernel would consider broken: a page freed while not
 * private, or a free of a block that is not held.
 */
import { DMA_BIT_MASK, type PoolDevice } from '../../../models/dma/pool.ts';
import { __GFP_DMA, __GFP_DMA32, __GFP_KSWAPD_RECLAIM } from '../../../models/page_alloc/gfp.ts';
import { type ZoneCounts, zoneCounts } from '../../../models/page_alloc/zone.ts';
import type { ReservePoolEnv } from '../../../models/reserve_pool/reserve_pool.ts';

export const PAGE = 4096;

/** Where each zone's fake blocks live: [start, end) in bytes. */
export const ZONE_RANGE = {
  DMA: { start: 0x100000, end: 0x1000000 },
  DMA32: { start: 0x40000000, end: 0x80000000 },
} as const;

export type EncState = 'encrypted' | 'decrypted' | 'unknown';

export interface FakeEnv extends ReservePoolEnv {
  mem_encrypt_active: boolean;
  /** Fail the next N alloc_pages calls (Infinity: all). */
  allocFails: number;
  /** Fail the next N decryptions / encryptions (with -EIO). */
  decryptFails: number;
  encryptFails: number;
  /** Conversion failures injected so far. */
  conversionFailures: number;
  /** Page states by pfn (pages never converted are absent: private). Requests with no zone bit get DMA32. */
  readonly enc: Map<number, EncState>;
  /** Blocks handed out by alloc_pages and not freed: phys -> order. */
  readonly held: Map<number, number>;
  readonly allocs: { gfp: number; order: number; phys: number | null }[];
  readonly freed: { phys: number; order: number }[];
  /** Problems a kernel would report (freeing shared pages, freeing what is not held). */
  readonly broken: string[];
  wakes: number;
}

/** A fresh fake: encryption on, every call succeeds. */
export function fakeEnv(encrypted = true): FakeEnv {
  const bump: Record<'DMA' | 'DMA32', number> = {
    DMA: ZONE_RANGE.DMA.start,
    DMA32: ZONE_RANGE.DMA32.start,
  };
  const reuse: Record<'DMA' | 'DMA32', Map<number, number[]>> = {
    DMA: new Map(),
    DMA32: new Map(),
  };
  const zoneOf = (gfp: number): 'DMA' | 'DMA32' => (gfp & __GFP_DMA ? 'DMA' : 'DMA32');
  const zoneOfPhys = (phys: number): 'DMA' | 'DMA32' =>
    phys < ZONE_RANGE.DMA.end ? 'DMA' : 'DMA32';
  const setRange = (env: FakeEnv, phys: number, n: number, st: EncState) => {
    for (let i = 0; i < n; i++) env.enc.set(phys / PAGE + i, st);
  };
  const env: FakeEnv = {
    mem_encrypt_active: encrypted,
    allocFails: 0,
    decryptFails: 0,
    encryptFails: 0,
    conversionFailures: 0,
    enc: new Map(),
    held: new Map(),
    allocs: [],
    freed: [],
    broken: [],
    wakes: 0,
    alloc_pages(gfp, order) {
      if (env.allocFails > 0) {
        env.allocFails -= 1;
        env.allocs.push({ gfp, order, phys: null });
        return null;
      }
      const zone = zoneOf(gfp);
      const again = reuse[zone].get(order);
      let phys = again?.pop();
      if (phys === undefined) {
        const size = PAGE * 2 ** order;
        phys = Math.ceil(bump[zone] / size) * size;
        if (phys + size > ZONE_RANGE[zone].end) {
          env.allocs.push({ gfp, order, phys: null });
          return null;
        }
        bump[zone] = phys + size;
      }
      env.held.set(phys, order);
      setRange(env, phys, 2 ** order, 'encrypted');
      env.allocs.push({ gfp, order, phys });
      return phys;
    },
    __free_pages(phys, order) {
      if (env.held.get(phys) !== order)
        env.broken.push(`free of unheld block ${phys} order ${order}`);
      for (let i = 0; i < 2 ** order; i++)
        if (env.enc.get(phys / PAGE + i) !== 'encrypted')
          env.broken.push(`page ${phys / PAGE + i} freed while ${env.enc.get(phys / PAGE + i)}`);
      env.held.delete(phys);
      env.freed.push({ phys, order });
      const zone = zoneOfPhys(phys);
      const list = reuse[zone].get(order) ?? [];
      list.push(phys);
      reuse[zone].set(order, list);
    },
    set_memory_decrypted(phys, n) {
      if (!env.mem_encrypt_active) return 0;
      if (env.decryptFails > 0) {
        env.decryptFails -= 1;
        env.conversionFailures += 1;
        setRange(env, phys, n, 'unknown');
        return -5;
      }
      setRange(env, phys, n, 'decrypted');
      return 0;
    },
    set_memory_encrypted(phys, n) {
      if (!env.mem_encrypt_active) return 0;
      if (env.encryptFails > 0) {
        env.encryptFails -= 1;
        env.conversionFailures += 1;
        setRange(env, phys, n, 'unknown');
        return -5;
      }
      setRange(env, phys, n, 'encrypted');
      return 0;
    },
    wake_up_kswapd() {
      env.wakes += 1;
    },
  };
  return env;
}

/** A 64-bit device (an NVMe drive in an SEV guest). */
export const nvme: PoolDevice = {
  name: 'nvme0',
  coherent_dma_mask: DMA_BIT_MASK(64),
  bus_dma_limit: 0,
};

/** A 24-bit device (ISA-era). */
export const isa: PoolDevice = {
  name: 'isa0',
  coherent_dma_mask: DMA_BIT_MASK(24),
  bus_dma_limit: 0,
};

/** A 30-bit device: DMA32 blocks of the fake (at 1 GiB and up) are out of its reach. */
export const dev30: PoolDevice = {
  name: 'dev30',
  coherent_dma_mask: DMA_BIT_MASK(30),
  bus_dma_limit: 0,
};

/** pool.c's dma_coherent_ok over a PoolDevice. */
export function physOk(dev: PoolDevice, phys: number, size: number): boolean {
  return phys + size - 1 <= dev.coherent_dma_mask;
}

export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;

/** GFP_ATOMIC's bits without the zone: __GFP_HIGH | __GFP_KSWAPD_RECLAIM. */
export const ATOMIC = 0x20 | __GFP_KSWAPD_RECLAIM;
export const GFP_KERNEL = 0xcc0;

/**
 * Zones whose Normal-column reserves are `dma` and `dma32` pages (managed
 * counts large enough that the half-zone cap never binds).
 */
export function zones(dma: number, dma32: number): ZoneCounts[] {
  const z = [
    zoneCounts(0, 3998, 3840),
    zoneCounts(1, 200000, 200000),
    zoneCounts(2, 100000, 100000),
    zoneCounts(3, 0, 0),
    zoneCounts(4, 0, 0),
  ];
  z[0]?.lowmem_reserve.splice(0, 5, 0, 0, dma, dma, dma);
  z[1]?.lowmem_reserve.splice(0, 5, 0, 0, dma32, dma32, dma32);
  return z;
}
