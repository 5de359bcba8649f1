/**
 * mainline: torvalds/linux kernel/dma/pool.c at 0510cb5b2303 and
 * kernel/dma/direct.c at 94a04ad732c9; the page allocator and reclaim of 6.18.
 */
import type { Policy } from '../policy.ts';

export const mainline: Policy = {
  id: 'mainline',
  source: 'pool.c 0510cb5b2303, direct.c 94a04ad732c9; mm/ of v6.18',
  design: 'atomic-pool',
  expect: {},
};
