/** The gen_pool properties (lib/genalloc.c), in catalogue order. */
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { GenpoolState } from '../../src/systems/genpool/system.ts';
import type { Property } from '../property.ts';
import alignedAddress from './aligned-address.ts';
import availAccounting from './avail-accounting.ts';
import completeness from './completeness.ts';
import firstFittingChunk from './first-fitting-chunk.ts';
import freeNoBug from './free-no-bug.ts';
import hasAddrExact from './has-addr-exact.ts';
import noOverlap from './no-overlap.ts';
import placement from './placement.ts';

export const genpoolProperties: readonly Property<GenpoolState, GenpoolOp>[] = [
  availAccounting,
  noOverlap,
  alignedAddress,
  completeness,
  firstFittingChunk,
  placement,
  hasAddrExact,
  freeNoBug,
];
