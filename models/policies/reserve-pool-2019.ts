/**
 * reserve-pool-2019: the never-merged proposal of 13 Dec 2019 on top of
 * mainline: the lowmem reserve of ZONE_DMA/ZONE_DMA32 as a per-order pool of
 * pre-decrypted pages, refilled by kswapd.
 */
import type { Policy } from '../policy.ts';
import { reservePoolRules2019 } from '../reserve_pool/rules.ts';
import { mainline } from './mainline.ts';

export const reservePool2019: Policy = {
  ...mainline,
  id: 'reserve-pool-2019',
  source: 'design 2 of the 2019 thread, on top of mainline (never merged)',
  extends: 'mainline',
  design: 'reserve-pool',
  expect: {},
  // the reserve pool takes no CMA pages, so mainline's BZ-11 cannot show
  expectOn: {},
  // the reserve pools take the atomic pools' place behind dma-direct
  dmaPool: null,
  reservePool: reservePoolRules2019,
};
