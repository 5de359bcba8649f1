/**
 * v5.4: before the atomic pools. A non-blocking request from a device that
 * needs unencrypted DMA decrypts freshly allocated pages in place: the 2019
 * bug (BZ-01). Page allocator: 5.4.y with the boost exemption (5.4.80+).
 */
import { dmaDirectRules } from '../dma/direct_rules.ts';
import { pageAllocRules } from '../page_alloc/rules.ts';
import type { Policy } from '../policy.ts';
import { v5_8 } from './v5.8.ts';

export const v5_4: Policy = {
  ...v5_8,
  id: 'v5.4',
  source: 'v5.4: kernel/dma/direct.c, kernel/dma/remap.c; mm/ of 5.4.y',
  expect: {
    // the 2019 report: set_memory_decrypted() under hctx_lock()'s RCU read side
    'dma/no-sleep-in-atomic': { fails: 'BZ-01' },
    // v5.4 ignores set_memory_*crypted() errors: the buffer stays private, or
    // shared pages go back to the buddy allocator (56fccf21d196, v5.8-rc3)
    'dma/buffer-decrypted': { fails: 'BZ-17' },
    'dma/no-shared-page-freed': { fails: 'BZ-17' },
  },
  expectOn: {
    // dma-direct converts 2^get_order(size) pages where cma_alloc() gave
    // PFN_UP(size): neighbours of a non-power-of-two CMA buffer change state
    // (fixed by 4a37f3dd9a83, v5.19)
    'sev-4g-cma': { 'dma/exact-conversion': { fails: '4a37f3dd9a83' } },
    'sev-4g-cma-nvme': { 'dma/exact-conversion': { fails: '4a37f3dd9a83' } },
    // without memory encryption nothing is converted
    'host-4g-noenc': {
      'dma/no-sleep-in-atomic': 'holds',
      'dma/buffer-decrypted': 'holds',
      'dma/no-shared-page-freed': 'holds',
    },
  },
  pageAlloc: pageAllocRules['5.4'],
  // x86 v5.4 has no atomic pool for coherent devices (remap.c serves arm64 only)
  dmaPool: null,
  dmaDirect: dmaDirectRules['v5.4'],
};
