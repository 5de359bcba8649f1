/** The page-allocator properties, in catalogue order. */
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import type { Property } from '../property.ts';
import atomicFloor from './atomic-floor.ts';
import boostNeutralAtomic from './boost-neutral-atomic.ts';
import buddyWellFormed from './buddy-well-formed.ts';
import highatomicAccounting from './highatomic-accounting.ts';
import kswapdBacksOff from './kswapd-backs-off.ts';
import kswapdBalance from './kswapd-balance.ts';
import kswapdSleep from './kswapd-sleep.ts';
import kswapdWoken from './kswapd-woken.ts';
import lowmemReserveFormula from './lowmem-reserve-formula.ts';
import pageConservation from './page-conservation.ts';
import reserveFloor from './reserve-floor.ts';
import watermarkSoundness from './watermark-soundness.ts';

export const pageAllocProperties: readonly Property<PageAllocState, PageAllocOp>[] = [
  reserveFloor,
  atomicFloor,
  watermarkSoundness,
  boostNeutralAtomic,
  highatomicAccounting,
  lowmemReserveFormula,
  buddyWellFormed,
  pageConservation,
  kswapdWoken,
  kswapdSleep,
  kswapdBalance,
  kswapdBacksOff,
];
