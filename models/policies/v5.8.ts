/**
 * v5.8: the first merged atomic-pool design (the pool series with its rc
 * fixes, 128 KiB per GiB sizing). The page allocator runs the v6.1 release's
 * rules, as conventions.md asks ("as 6.1.0 where it matters").
 */
import { dmaDirectRules } from '../dma/direct_rules.ts';
import { dmaPoolRules } from '../dma/rules.ts';
import { pageAllocRules } from '../page_alloc/rules.ts';
import type { Policy } from '../policy.ts';
import { v6_1 } from './6.1.ts';

export const v5_8: Policy = {
  ...v6_1,
  id: 'v5.8',
  source: 'v5.8: kernel/dma/pool.c, kernel/dma/direct.c; mm/ by the 6.1.0 rules',
  expect: {
    // a refused decrypt frees the now-unknown pages, in dma-direct (fixed by
    // b9fa16949d18, CVE-2024-35939) and in atomic_pool_expand() (BZ-10)
    'dma/no-shared-page-freed': { fails: 'BZ-17' },
    // WARN(1, "Failed to get suitable pool") whatever __GFP_NOWARN says
    'dma/pool-warnings': { fails: 'BZ-14' },
  },
  expectOn: {
    // dma-direct converts 2^get_order(size) pages where cma_alloc() gave
    // PFN_UP(size): neighbours of a non-power-of-two CMA buffer change state
    // (fixed by 4a37f3dd9a83, v5.19)
    'sev-4g-cma': {
      'dma/exact-conversion': { fails: '4a37f3dd9a83' },
      'dma/buffer-decrypted': { fails: '4a37f3dd9a83' },
    },
    'sev-4g-cma-nvme': {
      'dma/exact-conversion': { fails: '4a37f3dd9a83' },
      'dma/buffer-decrypted': { fails: '4a37f3dd9a83' },
    },
    // a pool for ZONE_DMA although it has no managed pages (BZ-08)
    'kdump-sev-4g': { 'dma/pools-for-managed-zones': { fails: 'BZ-08' } },
    // without memory encryption nothing is converted and the pools serve no one
    'host-4g-noenc': { 'dma/no-shared-page-freed': 'holds', 'dma/pool-warnings': 'holds' },
  },
  pageAlloc: pageAllocRules['6.1.0'],
  dmaPool: dmaPoolRules['v5.8'],
  dmaDirect: dmaDirectRules['v5.8'],
};
