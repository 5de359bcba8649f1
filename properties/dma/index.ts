/** The DMA world's properties, in catalogue order. */
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import type { Property } from '../property.ts';
import addressable from './addressable.ts';
import bufferDecrypted from './buffer-decrypted.ts';
import bufferZeroed from './buffer-zeroed.ts';
import cmaToCma from './cma-to-cma.ts';
import directFindsMemory from './direct-finds-memory.ts';
import exactConversion from './exact-conversion.ts';
import expansionQueued from './expansion-queued.ts';
import freeToOwner from './free-to-owner.ts';
import leakOnly from './leak-only-if-refused.ts';
import noOverlap from './no-overlap.ts';
import noSharedPageFreed from './no-shared-page-freed.ts';
import noSleepInAtomic from './no-sleep-in-atomic.ts';
import poolAccounting from './pool-accounting.ts';
import poolsForManagedZones from './pool-creation.ts';
import poolSizing from './pool-sizing.ts';
import poolOnlyWhenUnencrypted from './pool-use.ts';
import poolZoneMembership from './pool-zone-membership.ts';
import reserveFloor from './reserve-floor.ts';
import reserveGuarantee from './reserve-guarantee.ts';
import poolWarnings from './warnings.ts';
import workerLiveness from './worker-liveness.ts';

export const dmaProperties: readonly Property<World, DmaOp>[] = [
  noSleepInAtomic,
  bufferDecrypted,
  exactConversion,
  noSharedPageFreed,
  leakOnly,
  addressable,
  directFindsMemory,
  noOverlap,
  freeToOwner,
  cmaToCma,
  bufferZeroed,
  poolZoneMembership,
  poolOnlyWhenUnencrypted,
  poolsForManagedZones,
  poolSizing,
  expansionQueued,
  poolAccounting,
  workerLiveness,
  poolWarnings,
  reserveFloor,
  reserveGuarantee,
];
