/**
 * mainline: torvalds/linux kernel/dma/pool.c at 0510cb5b2303 and
 * kernel/dma/direct.c at 94a04ad732c9; the page allocator and reclaim of 6.18.
 */
import { dmaDirectRules } from '../dma/direct_rules.ts';
import { dmaPoolRules } from '../dma/rules.ts';
import { pageAllocRules } from '../page_alloc/rules.ts';
import type { Policy } from '../policy.ts';

export const mainline: Policy = {
  id: 'mainline',
  source: 'pool.c 0510cb5b2303, direct.c 94a04ad732c9; mm/ of v6.18',
  design: 'atomic-pool',
  expect: {},
  expectOn: {
    // BZ-11 (open upstream): a CMA page of a failed expansion goes to the buddy
    // allocator; only a machine with a CMA area can show it
    'sev-4g-cma': { 'dma/cma-to-cma': { fails: 'BZ-11' } },
    'sev-4g-cma-nvme': { 'dma/cma-to-cma': { fails: 'BZ-11' } },
  },
  pageAlloc: pageAllocRules['6.18'],
  dmaPool: dmaPoolRules.mainline,
  dmaDirect: dmaDirectRules.mainline,
  reservePool: null,
};
