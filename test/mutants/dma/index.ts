/**
 * Deliberately broken DMA worlds, one per bug family. A mutant is either a
 * policy override (a decision put back to what a buggy kernel did) or a
 * world variant (broken glue that no policy field expresses). Never shipped.
 */
import { mainline } from '../../../models/policies/mainline.ts';
import type { Policy } from '../../../models/policy.ts';
import type { WorldVariant } from '../../../models/world/world.ts';

export interface DmaMutant {
  readonly id: string;
  readonly zoo?: string;
  readonly why: string;
  readonly policy: Policy;
  readonly variant?: WorldVariant;
}

const base = mainline;
const pool = base.dmaPool as NonNullable<Policy['dmaPool']>;
const withPool = (o: Partial<typeof pool>): Policy => ({ ...base, dmaPool: { ...pool, ...o } });
const withDirect = (o: Partial<Policy['dmaDirect']>): Policy => ({
  ...base,
  dmaDirect: { ...base.dmaDirect, ...o },
});

export const dmaMutants: readonly DmaMutant[] = [
  {
    id: 'atomic-decrypts-in-place',
    zoo: 'BZ-01',
    why: 'non-blocking requests skip the pools and decrypt fresh pages in the caller context',
    policy: withDirect({ dma_direct_alloc_from_pool_when: 'never' }),
  },
  {
    id: 'decrypt-failure-ignored',
    zoo: 'BZ-17',
    why: 'dma-direct returns the buffer when set_memory_decrypted() fails',
    policy: withDirect({ set_memory_decrypted_failure: 'ignore' }),
  },
  {
    id: 'decrypt-failure-frees',
    zoo: 'BZ-17',
    why: 'dma-direct frees the unknown-state pages when set_memory_decrypted() fails',
    policy: withDirect({ set_memory_decrypted_failure: 'free' }),
  },
  {
    id: 'expand-frees-unknown-pages',
    zoo: 'BZ-10',
    why: 'atomic_pool_expand() frees a block whose decryption failed',
    policy: withPool({ expand_decrypt_failure: 'free' }),
  },
  {
    id: 'expand-leaks-on-add-failure',
    zoo: 'BZ-10',
    why: 'atomic_pool_expand() leaks a re-encrypted block after gen_pool_add_virt() fails',
    policy: withPool({ expand_add_failure: 'leak' }),
  },
  {
    id: 'pool-skips-address-check',
    zoo: 'BZ-05',
    why: 'dma-direct passes no phys_addr_ok check to dma_alloc_from_pool()',
    policy: base,
    variant: { pool_skips_phys_ok: true },
  },
  {
    id: 'page-api-returns-cpu-address',
    why: 'the page API returns the pool block CPU address as its struct page (dma.md T15)',
    policy: withDirect({ dma_direct_alloc_pages: { pool_returns: 'cpu_addr' } }),
  },
  {
    id: 'free-misses-pool',
    zoo: 'BZ-05',
    why: 'dma_free_from_pool() misses the pool, so the block goes to the buddy allocator',
    policy: base,
    variant: { pool_free_misses: true },
  },
  {
    id: 'skip-memset',
    why: 'dma-direct hands out fresh pages without zeroing them',
    policy: base,
    variant: { skip_memset: true },
  },
  {
    id: 'expand-ignores-zone',
    zoo: 'BZ-03',
    why: 'pool expansion takes pages from any zone (as the CMA area did)',
    policy: base,
    variant: { expand_ignores_zone: true },
  },
  {
    id: 'pool-128k-per-16m',
    why: 'atomic_pool_size as first merged in v5.8-rc1 (1d659236fb43): 128 KiB per 16 MiB',
    policy: withPool({ atomic_pool_size_default: '128K-per-16M' }),
  },
  {
    id: 'no-schedule-work',
    why: 'a pool allocation below the threshold does not queue the worker',
    policy: base,
    variant: { no_schedule_work: true },
  },
  {
    id: 'debugfs-double-count',
    why: 'debugfs pool_size_<name> counts an added chunk twice',
    policy: base,
    variant: { debugfs_double_count: true },
  },
  {
    id: 'worker-gives-up',
    why: 'the worker drops its work after the first threshold check',
    policy: base,
    variant: { worker_gives_up: true },
  },
  {
    id: 'warn-ignores-nowarn',
    zoo: 'BZ-14',
    why: 'a failed pool allocation warns whatever __GFP_NOWARN says (v5.8, 6.1.0)',
    policy: withPool({ warn_on_failure: 'unsuitable-always' }),
  },
];

export function dmaMutant(id: string): DmaMutant {
  const m = dmaMutants.find((x) => x.id === id);
  if (!m) throw new Error(`no DMA mutant ${id}`);
  return m;
}
