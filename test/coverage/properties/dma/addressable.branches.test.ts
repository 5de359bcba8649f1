/**
 * dma/addressable, branch by branch (I2): a new buffer of a device not
 * behind an IOMMU has phys + size - 1 <= min_not_zero(coherent_dma_mask,
 * bus_dma_limit).
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/addressable.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, dev, run, runMutant } from './world.ts';

const task = coherent(8192, false);
const check = (w: World, op: DmaOp = task) => prop.check?.(ctx(w, op)) ?? null;

/** A fresh buffer of a `bits`-bit device, moved so that its last byte is `last`. */
function lastByteAt(last: number, bits: number, bus?: number): World {
  const w = run([task], { config: { devices: [dev('d', bits, bus)] } });
  const b = w.stepBuffer;
  if (!b) throw new Error('no buffer');
  w.stepBuffer = { ...b, phys: last + 1 - b.size };
  return w;
}

describe('addressable', () => {
  it('a fresh buffer of a 64-bit device holds', () => {
    expect(check(run([task]))).toBeNull();
  });

  it('a 32-bit device: last byte exactly at the mask holds, one beyond is reported', () => {
    expect(check(lastByteAt(2 ** 32 - 1, 32))).toBeNull();
    const v = check(lastByteAt(2 ** 32, 32));
    expect(v?.subject).toMatch(/^buffer #\d+ \(d, 8192 bytes at 0xffffe001\)$/);
    expect(v?.message).toBe('last byte 0x100000000 is above the device limit 0xffffffff');
  });

  it('a 24-bit device: the limit is 16 MiB - 1', () => {
    expect(check(lastByteAt(2 ** 24 - 1, 24))).toBeNull();
    expect(check(lastByteAt(2 ** 24, 24))).not.toBeNull();
  });

  it('the bus limit counts: a 64-bit device on a 32-bit bus', () => {
    expect(check(lastByteAt(2 ** 32 - 1, 64, 32))).toBeNull();
    // the evidence names the device's limit, min_not_zero(mask, bus limit)
    expect(check(lastByteAt(2 ** 32, 64, 32))?.message).toBe(
      'last byte 0x100000000 is above the device limit 0xffffffff',
    );
  });

  it('a device behind an IOMMU is not judged', () => {
    const w = lastByteAt(2 ** 32, 32);
    Object.assign(w.config.devices[0] ?? {}, { iommu: true });
    expect(check(w)).toBeNull();
  });

  it('a step without a new buffer is not judged', () => {
    const w = lastByteAt(2 ** 32, 32);
    w.stepBuffer = null;
    expect(check(w)).toBeNull();
  });

  it('a dma32 pool block above a 26-bit device (pool-skips-address-check) is reported', () => {
    // the 256M machine's dma32 pool chunk lies above 64 MiB
    const isa = { devices: [dev('isa', 26)] };
    expect(run([], { config: isa }).pools?.atomic_pool_dma32?.chunks[0]?.phys).toBeGreaterThan(
      2 ** 26,
    );
    const a = coherent(8192, true);
    expect(check(run([a], { config: isa }), a)).toBeNull();
    const w = runMutant('pool-skips-address-check', [a], isa);
    expect(w.stepBuffer?.source).toBe('pool');
    expect(check(w, a)?.message).toMatch(/is above the device limit 0x3ffffff$/);
  });
});

describe('addressable witness', () => {
  const wit = (bits: number, atomic: boolean) => {
    const op = coherent(8192, atomic);
    return prop.witness?.(ctx(run([op], { config: { devices: [dev('d', bits)] } }), op));
  };
  it('a pool buffer of a device below 4 GiB (a 32-bit mask is below 2^32)', () => {
    expect(wit(32, true)).toBe(true);
  });
  it('a mask of exactly 2^32 reaches the first byte above 4 GiB: not below it', () => {
    const op = coherent(8192, true);
    const w = run([op], { config: { devices: [dev('d', 32)] } });
    expect(prop.witness?.(ctx(w, op))).toBe(true);
    Object.assign(w.config.devices[0] ?? {}, { coherent_dma_mask: 2 ** 32 });
    expect(prop.witness?.(ctx(w, op))).toBe(false);
  });
  it('not a 33-bit device, not a fresh buffer, not a failed request', () => {
    expect(wit(33, true)).toBe(false);
    expect(wit(32, false)).toBe(false);
    const w = run([coherent(1 << 20, true)]);
    expect(w.stepBuffer).toBeNull();
    expect(prop.witness?.(ctx(w, coherent(1 << 20, true)))).toBe(false);
  });
});
