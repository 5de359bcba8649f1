/**
 * dma-direct's test kit: spec constants, x86 platforms, devices, and a small
 * deterministic fake environment (scripted page sources per zone, CMA, one
 * pool; page states kept with set_memory.ts) with readers for the effects.
 */
import { type Device, DMA_BIT_MASK, type Platform } from '../../../models/dma/device.ts';
import type { DirectEffect } from '../../../models/dma/direct.ts';
import type { DmaDirectVersion } from '../../../models/dma/direct_rules.ts';
import type { DirectEnv, PhysAddrOk } from '../../../models/dma/env.ts';
import {
  apply_set_memory,
  type EncState,
  set_memory_outcome,
} from '../../../models/dma/set_memory.ts';
import {
  __GFP_ATOMIC,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_FS,
  __GFP_HIGH,
  __GFP_IO,
  __GFP_KSWAPD_RECLAIM,
} from '../../../models/page_alloc/gfp.ts';

// ---------------------------------------------------------------------------
// Spec constants, spelled out (reclaim-and-gfp.md §1, dma.md Notation).

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const PAGE = 4096;
export const GFP_KERNEL = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_IO | __GFP_FS;
export const GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
export const GFP_NOWAIT = __GFP_KSWAPD_RECLAIM;
export const VERSIONS: readonly DmaDirectVersion[] = ['v5.4', 'v5.8', '6.1', 'mainline'];
export const POOL_VERSIONS: readonly DmaDirectVersion[] = ['v5.8', '6.1', 'mainline'];

/** Least k with 4096 * 2^k >= bytes (dma.md Notation, ord). */
export function ord(bytes: number): number {
  let k = 0;
  while (PAGE * 2 ** k < bytes) k++;
  return k;
}

export const X86: Omit<Platform, 'cc'> = {
  sme_c_bit: 47,
  CONFIG_ZONE_DMA: true,
  CONFIG_ZONE_DMA32: true,
  CONFIG_DMA_COHERENT_POOL: true,
};
export const SEV: Platform = { ...X86, cc: 'sev-guest' };
export const PLAIN: Platform = { ...X86, cc: 'none' };
export const SME: Platform = { ...X86, cc: 'sme-host' };
export const TDX: Platform = { ...X86, cc: 'tdx-guest' };

export function device(name: string, bits: number, bus_dma_limit = 0): Device {
  return {
    name,
    coherent_dma_mask: DMA_BIT_MASK(bits),
    bus_dma_limit,
    iommu: false,
    coherent: true,
  };
}
export const nvme = device('nvme0', 64);
export const dev36 = device('hba0', 36);
export const dev32 = device('nic0', 32);
export const dev30 = device('snd0', 30);

// ---------------------------------------------------------------------------
// The fake world: scripted page sources per zone, CMA, one pool, and page
// states kept with set_memory.ts, as the real world will.

export type Zone = 'dma' | 'dma32' | 'normal';

export interface FakeScript {
  /** Blocks each zone hands out, in order (physical addresses). */
  zones?: Partial<Record<Zone, number[]>>;
  /** Blocks CMA hands out, in order. */
  cma?: number[];
  /** Blocks the atomic pool hands out, in order. */
  pool?: number[];
  /** Errnos injected into successive set_memory_decrypted / _encrypted calls (0 = none). */
  decrypt?: number[];
  encrypt?: number[];
}

export interface Fake {
  env: DirectEnv;
  /** Every env call, as text, in order. */
  calls: string[];
  enc(pfn: number): EncState;
  owner(pfn: number): string;
}

export function fakeEnv(platform: Platform, script: FakeScript = {}): Fake {
  const zones: Record<Zone, number[]> = {
    dma: [...(script.zones?.dma ?? [])],
    dma32: [...(script.zones?.dma32 ?? [])],
    normal: [...(script.zones?.normal ?? [])],
  };
  const cma = [...(script.cma ?? [])];
  const pool = [...(script.pool ?? [])];
  const decrypt = [...(script.decrypt ?? [])];
  const encrypt = [...(script.encrypt ?? [])];
  const cmaBlocks = new Set<number>();
  const poolBusy = new Set<number>();
  const enc = new Map<number, EncState>();
  const owner = new Map<number, string>();
  const calls: string[] = [];
  const own = (phys: number, n: number, who: string) => {
    for (let i = 0; i < n; i++) owner.set(phys / PAGE + i, who);
  };
  // Pool chunks are decrypted when added (dma.md §1 Page).
  for (const p of pool) enc.set(p / PAGE, platform.cc === 'none' ? 'encrypted' : 'decrypted');

  const env: DirectEnv = {
    platform,
    alloc_pages_node(gfp, order) {
      calls.push(`alloc_pages_node(0x${gfp.toString(16)}, ${order})`);
      // The zonelist: from gfp_zone() downwards.
      const order_of_zones: Zone[] =
        gfp & __GFP_DMA
          ? ['dma']
          : gfp & __GFP_DMA32
            ? ['dma32', 'dma']
            : ['normal', 'dma32', 'dma'];
      for (const z of order_of_zones) {
        const phys = zones[z].shift();
        if (phys !== undefined) {
          own(phys, 2 ** order, 'allocated');
          return phys;
        }
      }
      return null;
    },
    __free_pages(phys, order) {
      calls.push(`__free_pages(0x${phys.toString(16)}, ${order})`);
      own(phys, 2 ** order, 'buddy');
    },
    dma_alloc_contiguous(_dev, size, gfp) {
      calls.push(`dma_alloc_contiguous(${size}, 0x${gfp.toString(16)})`);
      const phys = cma.shift();
      if (phys === undefined) return null;
      cmaBlocks.add(phys);
      own(phys, Math.ceil(size / PAGE), 'allocated');
      return phys;
    },
    dma_free_contiguous(_dev, phys, size) {
      calls.push(`dma_free_contiguous(0x${phys.toString(16)}, ${size})`);
      if (cmaBlocks.delete(phys)) {
        own(phys, Math.ceil(size / PAGE), 'cma');
        return { to: 'cma', npages: Math.ceil(size / PAGE) };
      }
      own(phys, 2 ** ord(size), 'buddy');
      return { to: 'buddy', npages: 2 ** ord(size) };
    },
    set_memory_decrypted(phys, numpages) {
      calls.push(`set_memory_decrypted(0x${phys.toString(16)}, ${numpages})`);
      const out = set_memory_outcome(
        platform,
        'set_memory_decrypted',
        phys / PAGE,
        numpages,
        decrypt.shift() ?? 0,
      );
      apply_set_memory(out, (pfn, s) => enc.set(pfn, s));
      return out.ret;
    },
    set_memory_encrypted(phys, numpages) {
      calls.push(`set_memory_encrypted(0x${phys.toString(16)}, ${numpages})`);
      const out = set_memory_outcome(
        platform,
        'set_memory_encrypted',
        phys / PAGE,
        numpages,
        encrypt.shift() ?? 0,
      );
      apply_set_memory(out, (pfn, s) => enc.set(pfn, s));
      return out.ret;
    },
    dma_alloc_from_pool(dev, size, gfp, phys_ok: PhysAddrOk | null) {
      calls.push(`dma_alloc_from_pool(${size}, 0x${gfp.toString(16)})`);
      const phys = pool[0];
      if (phys === undefined) return null;
      if (phys_ok !== null && !phys_ok(dev, phys, size)) return null;
      pool.shift();
      poolBusy.add(phys);
      own(phys, Math.ceil(size / PAGE), 'pool-block');
      return phys;
    },
    dma_free_from_pool(_dev, phys, size) {
      calls.push(`dma_free_from_pool(0x${phys.toString(16)}, ${size})`);
      if (!poolBusy.delete(phys)) return false;
      own(phys, Math.ceil(size / PAGE), 'pool-free');
      return true;
    },
    memset(phys, bytes) {
      calls.push(`memset(0x${phys.toString(16)}, ${bytes})`);
    },
  };
  return {
    env,
    calls,
    enc: (pfn) => enc.get(pfn) ?? 'encrypted',
    owner: (pfn) => owner.get(pfn) ?? 'buddy',
  };
}

// ---------------------------------------------------------------------------
// Reading effects.

export function kinds(fx: readonly DirectEffect[], kind: DirectEffect['kind']): DirectEffect[] {
  return fx.filter((e) => e.kind === kind);
}
export function sleeps(fx: readonly DirectEffect[]): string[] {
  return fx.flatMap((e) => (e.kind === 'may_sleep' ? [e.op] : []));
}
export function converts(fx: readonly DirectEffect[]) {
  return fx.flatMap((e) => (e.kind === 'convert' ? [e] : []));
}
export function frees(fx: readonly DirectEffect[]) {
  return fx.flatMap((e) => (e.kind === 'free' ? [e] : []));
}
export function leaks(fx: readonly DirectEffect[]) {
  return fx.flatMap((e) => (e.kind === 'leak' ? [e] : []));
}
export function zeroes(fx: readonly DirectEffect[]) {
  return fx.flatMap((e) => (e.kind === 'zero' ? [e] : []));
}
export function pageAllocs(fx: readonly DirectEffect[]) {
  return fx.flatMap((e) => (e.kind === 'page_alloc' ? [e] : []));
}
export function warnings(fx: readonly DirectEffect[]): string[] {
  return fx.flatMap((e) => (e.kind === 'warn' ? [e.text] : []));
}
