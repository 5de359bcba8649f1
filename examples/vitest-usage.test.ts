/**
 * Library use from vitest: poolcheck's arbitraries, systems and properties
 * in your own property test, here with @fast-check/vitest's `test.prop`.
 * The same works with `fc.assert(fc.property(...))`.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
  builtinPolicy,
  dmaOpArbitrary,
  dmaProperties,
  makeDmaSystem,
  makePlan,
  runOps,
} from '../src/index.ts';

const mainline = builtinPolicy('mainline');
if (!mainline) throw new Error('mainline is built in');
const system = makeDmaSystem(
  { machine: '256M', cc: 'tdx-guest', devices: [{ name: 'nvme0', mask_bits: 64 }] },
  mainline,
);
const plan = makePlan(dmaProperties);

test.prop([fc.array(dmaOpArbitrary, { maxLength: 30 })], { seed: 7, numRuns: 40 })(
  'mainline keeps every DMA invariant in a TDX guest with 256 MiB',
  (ops) => {
    const r = runOps(system, plan, ops);
    expect(r.failure).toBeNull();
  },
);
