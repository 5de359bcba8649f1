/** Reading the atomic pools of a world, for the pool properties. */
import type { AtomicPool, DmaPoolState } from '../../models/dma/pool.ts';
import { gen_pool_avail, gen_pool_size } from '../../models/genpool/index.ts';

export function poolsOf(s: DmaPoolState): AtomicPool[] {
  return [s.atomic_pool_dma, s.atomic_pool_dma32, s.atomic_pool_kernel].filter(
    (p): p is AtomicPool => p !== null,
  );
}

export function availOf(p: AtomicPool): number {
  return gen_pool_avail(p.pool);
}

export function sizeOf(p: AtomicPool): number {
  return gen_pool_size(p.pool);
}

/** The debugfs counter pool_size_<name>. */
export function debugfsOf(s: DmaPoolState, p: AtomicPool): number {
  return p.name === 'dma'
    ? s.pool_size_dma
    : p.name === 'dma32'
      ? s.pool_size_dma32
      : s.pool_size_kernel;
}

/** Highest physical address a pool's chunk may reach (its zone's limit); Infinity for the kernel pool. */
export function zoneLimitOf(p: AtomicPool): number {
  return p.name === 'dma' ? 2 ** 24 : p.name === 'dma32' ? 2 ** 32 : Number.POSITIVE_INFINITY;
}
