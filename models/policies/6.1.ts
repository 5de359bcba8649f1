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
  expect: {},
  pageAlloc: pageAllocRules['6.1'],
  dmaPool: dmaPoolRules['6.1'],
  dmaDirect: dmaDirectRules['6.1'],
};
