/**
 * 6.1: Debian 6.1.192, the ground-truth kernel (late 6.1.y, with the stable
 * backports of 56c430c7f06d, 463d439becb8 and b9fa16949d18).
 */
import { dmaDirectRules } from '../dma/direct_rules.ts';
import { dmaPoolRules } from '../dma/rules.ts';
import { pageAllocRules } from '../page_alloc/rules.ts';
import type { Policy } from '../policy.ts';
import { mainline } from './mainline.ts';

export const v6_1: Policy = {
  ...mainline,
  id: '6.1',
  source: 'Debian 6.1.192 (late 6.1.y): kernel/dma/, mm/',
  expect: {
    // atomic_pool_expand() frees a block whose decryption failed (BZ-10b;
    // mainline leaks it since 0510cb5b2303)
    'dma/no-shared-page-freed': { fails: 'BZ-10' },
    // dma_direct_alloc_pages() returns the pool block's CPU address as its
    // struct page (5b138c534fda .. 94a04ad732c9): the free acts on other memory
    'dma/free-to-owner': { fails: 'T15' },
  },
  expectOn: {
    // BZ-11 (open upstream): a CMA page of a failed expansion goes to the buddy
    // allocator; only a machine with a CMA area can show it
    'sev-4g-cma': { 'dma/cma-to-cma': { fails: 'BZ-11' } },
    'sev-4g-cma-nvme': { 'dma/cma-to-cma': { fails: 'BZ-11' } },
    // without memory encryption nothing is converted and the pools serve no one
    'host-4g-noenc': { 'dma/no-shared-page-freed': 'holds', 'dma/free-to-owner': 'holds' },
  },
  pageAlloc: pageAllocRules['6.1'],
  dmaPool: dmaPoolRules['6.1'],
  dmaDirect: dmaDirectRules['6.1'],
  reservePool: null,
};
