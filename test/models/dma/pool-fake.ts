/**
 * The atomic pools' test kit: the rule sets, a deterministic fake of what
 * pool.c calls outside itself (zones hand out naturally aligned blocks from
 * fixed bases, CMA from its area, faults switched on by field), two machines
 * and a device.
 */
import {
  DMA_BIT_MASK,
  GFP_DMA,
  GFP_DMA32,
  type PoolDevice,
  type PoolEnv,
  type PoolInitMemory,
  type PoolName,
} from '../../../models/dma/pool.ts';
import { dmaPoolRules } from '../../../models/dma/rules.ts';

export const R58 = dmaPoolRules['v5.8'];
export const R61 = dmaPoolRules['6.1'];
export const RML = dmaPoolRules.mainline;

/** Where each zone's blocks come from in the fake page allocator. */
export const BASE: Record<PoolName, number> = {
  dma: 0x100000,
  dma32: 0x10000000,
  kernel: 0x240000000,
};

export interface FakeEnv extends PoolEnv {
  /** Every env function called, by name, in order. */
  readonly log: string[];
  readonly freed: { phys: number; order: number }[];
  readonly decrypted: number[];
  /** Largest order that succeeds (per zone, absent: any); -1: none. */
  maxOrder: Partial<Record<PoolName, number>>;
  decryptErr: number;
  encryptErr: number;
  /** How many of the next gen_pool_add_virt / gen_pool_create calls fail. */
  addFails: number;
  createFails: number;
  cma: { base: number; size: number } | null;
  cmaFails: boolean;
}

function zoneOf(gfp: number): PoolName {
  return gfp & GFP_DMA ? 'dma' : gfp & GFP_DMA32 ? 'dma32' : 'kernel';
}

export function fakeEnv(encrypt = false): FakeEnv {
  const next = { ...BASE };
  let cmaNext = 0;
  const env: FakeEnv = {
    mem_encrypt_active: encrypt,
    log: [],
    freed: [],
    decrypted: [],
    maxOrder: {},
    decryptErr: 0,
    encryptErr: 0,
    addFails: 0,
    createFails: 0,
    cma: null,
    cmaFails: false,
    alloc_pages(gfp, order) {
      env.log.push('alloc_pages');
      const z = zoneOf(gfp);
      if (order > (env.maxOrder[z] ?? 10)) return null;
      const size = 4096 * 2 ** order;
      const phys = Math.ceil(next[z] / size) * size;
      next[z] = phys + size;
      return phys;
    },
    __free_pages(phys, order) {
      env.log.push('__free_pages');
      env.freed.push({ phys, order });
    },
    dev_get_cma_area() {
      env.log.push('dev_get_cma_area');
      return env.cma;
    },
    dma_alloc_from_contiguous(order) {
      env.log.push('dma_alloc_from_contiguous');
      if (env.cma === null || env.cmaFails) return null;
      const phys = env.cma.base + cmaNext;
      cmaNext += 4096 * 2 ** order;
      return phys;
    },
    set_memory_decrypted(phys) {
      env.log.push('set_memory_decrypted');
      env.decrypted.push(phys);
      return env.decryptErr;
    },
    set_memory_encrypted() {
      env.log.push('set_memory_encrypted');
      return env.encryptErr;
    },
    gen_pool_add_fails() {
      if (env.addFails === 0) return false;
      env.addFails -= 1;
      return true;
    },
    gen_pool_create_fails() {
      if (env.createFails === 0) return false;
      env.createFails -= 1;
      return true;
    },
  };
  return env;
}

/** 1 GiB, no ZONE_NORMAL: atomic_pool_size 128 KiB (order 5). */
export const MEM_1G: PoolInitMemory = {
  totalram_pages: 250000,
  managed: { DMA: 3840, DMA32: 246160, Normal: 0 },
};
export const MEM_5G: PoolInitMemory = {
  totalram_pages: 1249644,
  managed: { DMA: 3840, DMA32: 745804, Normal: 500000 },
};

export const dev = (bits: number, bus = 0): PoolDevice => ({
  name: 'nvme0',
  coherent_dma_mask: DMA_BIT_MASK(bits),
  bus_dma_limit: bus,
});
export const D64 = dev(64);
