/**
 * The model features the zoo added, exercised directly: scenario
 * reservations (a kdump layout, a CMA area), the world's CMA area (first
 * fit, release, exhaustion, unaddressable blocks given back), and the
 * checks on scenario input.
 */
import { describe, expect, it } from 'vitest';
import { builtinPolicy } from '../../models/policies/index.ts';
import type { Policy } from '../../models/policy.ts';
import type { World } from '../../models/world/world.ts';
import { parseDmaConfig } from '../../src/systems/dma/kind.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { type DmaScenarioConfig, makeDmaSystem } from '../../src/systems/dma/system.ts';
import { zooScenarioConfig } from '../../src/zoo/scenarios.ts';

const mainline = builtinPolicy('mainline') as Policy;
const config = (name: string) => zooScenarioConfig(name) as DmaScenarioConfig;

function boot(name: string): { w: World; step: (op: DmaOp) => void } {
  const system = makeDmaSystem(config(name), mainline);
  const w = system.init();
  return { w, step: (op) => void system.step(w, op) };
}

const alloc = (dev: number, size: number, atomic = false): DmaOp => ({
  op: 'dma_alloc_coherent',
  cpu: 0,
  atomic,
  dev,
  size,
  nowarn: true,
});

describe('scenario reservations', () => {
  it('kdump-sev-4g: ZONE_DMA has no managed pages, and mainline makes no dma pool', () => {
    const { w } = boot('kdump-sev-4g');
    expect(w.pa.zones[0]?.managed_pages).toBe(0);
    expect(w.pools?.atomic_pool_dma).toBeNull();
    expect(w.pools?.atomic_pool_dma32).not.toBeNull();
  });

  it('sev-4g-cma: the 16 MiB area is reserved out of ZONE_NORMAL, the kernel pool grows from it', () => {
    const plain = boot('sev-4g-nvme').w.pa.zones[2]?.managed_pages ?? 0;
    const { w } = boot('sev-4g-cma');
    expect(w.cma?.count).toBe(4096);
    expect(w.pa.zones[2]?.managed_pages).toBe(plain - 4096);
    // cma_in_zone() holds for GFP_KERNEL only: the kernel pool's first chunk is CMA
    const kernel = w.pools?.atomic_pool_kernel?.chunks[0];
    expect(kernel?.cma).toBe(true);
    expect(w.pools?.atomic_pool_dma32?.chunks[0]?.cma).toBe(false);
  });

  it('rejects ranges outside the machine, a misaligned area, one across a hole and one across a zone limit', () => {
    const base = config('sev-4g-nvme');
    const bad = [
      { ...base, reserve: [{ start_mib: 0, end_mib: 999999 }] },
      { ...base, reserve: [{ start_mib: 16, end_mib: 8 }] },
      { ...base, cma: { base_mib: 4610, size_mib: 16 } },
      { ...base, cma: { base_mib: 3068, size_mib: 8 } },
      { ...base, cma: { base_mib: 12, size_mib: 8 } },
    ];
    const errors = bad.map((c) => {
      try {
        parseDmaConfig(c);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(errors[0]).toMatch(/config.reserve: 0-999999 MiB is not a range inside the machine/);
    expect(errors[1]).toMatch(/config.reserve: 16-8 MiB/);
    expect(errors[2]).toMatch(/multiples of 4 MiB/);
    expect(errors[3]).toMatch(/inside one memory range/);
    expect(errors[4]).toBe(
      'config.cma: the area crosses the zone limit at 16 MiB; the kernel leaves such an area inactive (cma_activate_area)',
    );
    for (const name of ['sev-4g-cma', 'sev-4g-cma-nvme', 'kdump-sev-4g'])
      expect(() => parseDmaConfig(config(name))).not.toThrow();
  });
});

describe('the CMA area of the DMA world (sev-4g-cma, mainline)', () => {
  it('a blocking multi-page request takes CMA; its free releases the pages to the area', () => {
    const { w, step } = boot('sev-4g-cma');
    const used = () => w.cma?.bitmap.reduce((a, b) => a + b, 0) ?? 0;
    const before = used();
    step(alloc(0, 3 * 4096));
    const b = w.buffers.at(-1);
    expect(b?.source).toBe('cma');
    expect(used()).toBe(before + 3);
    expect(w.events.some((e) => e.kind === 'alloc' && e.cma === true && e.npages === 3)).toBe(true);
    step({ op: 'dma_free_coherent', pick: w.buffers.length - 1 });
    expect(used()).toBe(before);
    expect(w.events.some((e) => e.kind === 'free' && e.into === 'cma' && e.npages === 3)).toBe(
      true,
    );
    expect(w.pa.pages.owner[Math.floor((b?.phys ?? 0) / 4096)]).toBe(2); // reserved again
  });

  it('a single page never comes from the default area', () => {
    const { w, step } = boot('sev-4g-cma');
    step(alloc(0, 4096));
    expect(w.buffers.at(-1)?.source).toBe('buddy');
  });

  it('an unaddressable CMA block goes back and the zone retry serves the 32-bit device', () => {
    const { w, step } = boot('sev-4g-cma');
    step(alloc(1, 8192));
    const b = w.buffers.at(-1);
    expect(b?.source).toBe('buddy');
    expect((b?.phys ?? 2 ** 40) + 8191).toBeLessThan(2 ** 32);
    expect(w.events.some((e) => e.kind === 'free' && e.into === 'cma')).toBe(true);
  });

  it('a full area falls back to the buddy allocator', () => {
    const { w, step } = boot('sev-4g-cma');
    for (let i = 0; i < 4; i++) step(alloc(0, 4 << 20));
    const sources = w.buffers.map((b) => b.source);
    expect(sources.filter((s) => s === 'cma').length).toBeLessThan(4);
    expect(sources).toContain('buddy');
  });
});
