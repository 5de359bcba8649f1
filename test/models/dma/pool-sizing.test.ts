/**
 * I8 pool sizing: every boot of data/ground-truth/zones/boot-table.json, its
 * three "DMA: preallocated" lines (in order) and debugfs counters reproduced
 * from the run's `Memory:` line, zones and `coherent_pool=` (spec/dma.md §2.1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  coherentPoolParam,
  createDmaPoolState,
  defaultAtomicPoolSize,
  dma_atomic_pool_init,
  early_coherent_pool,
  get_order,
  memparse,
  type PoolEnv,
} from '../../../models/dma/pool.ts';
import { dmaPoolRules } from '../../../models/dma/rules.ts';
import {
  ConformanceInputError,
  checkDmaPoolSizing,
  PAGES_FREED_AFTER_POSTCORE,
  parseBootTableRuns,
  totalramAtPostcore,
  totalramFromMemoryLine,
} from '../../../src/conformance/dma-pool.ts';

const FILE = join(import.meta.dirname, '../../../data/ground-truth/zones/boot-table.json');
const runs = parseBootTableRuns(readFileSync(FILE, 'utf8'));
const rules = dmaPoolRules['6.1'];

describe('pool sizes of every boot in zones/boot-table.json (6.1)', () => {
  it('finds boots', () => {
    expect(runs.length).toBeGreaterThan(0);
  });

  for (const run of runs) {
    it(`${run.run}: dmesg lines, their order and debugfs equal the kernel's`, () => {
      const r = checkDmaPoolSizing(run, rules);
      expect(r.firstDivergence).toBeUndefined();
      expect(r.matched).toBe(r.total);
      expect(r.total).toBe(run.dmesg.length + 3);
    });
  }

  it('is not vacuous: the v5.8-rc1 sizing and mainline creation rules diverge', () => {
    const rc1 = { ...rules, atomic_pool_size_default: '128K-per-16M' as const };
    expect(runs.some((run) => checkDmaPoolSizing(run, rc1).firstDivergence !== undefined)).toBe(
      true,
    );
    // mainline creates no kernel pool without ZONE_NORMAL (the 128M-3G boots)
    const small = runs.filter((run) => run.managed.Normal === 0);
    expect(small.length).toBeGreaterThan(0);
    for (const run of small) {
      const r = checkDmaPoolSizing(run, dmaPoolRules.mainline);
      expect(r.firstDivergence?.where).toBe(`${run.run} dmesg[0]`);
    }
  });
});

describe('totalram at postcore for the traces (no Memory: line in boot.json)', () => {
  it('is the final managed sum less the init memory freed later, the same in every boot', () => {
    const raw = JSON.parse(readFileSync(FILE, 'utf8')) as {
      runs: { zones_after_rewrite: { managed: number }[] }[];
    };
    raw.runs.forEach((r, i) => {
      const final = r.zones_after_rewrite.reduce((sum, z) => sum + z.managed, 0);
      expect(final - runs[i]!.totalram_pages).toBe(PAGES_FREED_AFTER_POSTCORE);
    });
    const boot = {
      cmdline: '',
      atomic_pool_size: 0,
      pools_initial: { dma: null, dma32: null, kernel: null },
      dmesg_atomic_pools: [],
      managed: { DMA: 3840, DMA32: 700000, Normal: 50000 },
    };
    expect(totalramAtPostcore(boot)).toBe(753840 - PAGES_FREED_AFTER_POSTCORE);
    expect(totalramAtPostcore({ ...boot, managed: { DMA: 0, DMA32: 100, Normal: 0 } })).toBe(0);
  });
});

describe('the sizing rule (spec/dma.md §2.1)', () => {
  it('reads T off the Memory: line as (physpages - reserved - cma) / 4', () => {
    const line =
      'Memory: 72548K/130552K available (14343K kernel code, 2338K rwdata, 9132K rodata, 2824K init, 17344K bss, 57748K reserved, 0K cma-reserved)';
    expect(totalramFromMemoryLine(line)).toBe((130552 - 57748) / 4);
    expect(totalramFromMemoryLine('Memory: nothing')).toBeNull();
  });

  it('steps at the page counts the spec lists', () => {
    const at = (T: number) => 4096 * 2 ** Math.min(get_order(defaultAtomicPoolSize(rules, T)), 10);
    // 128 KiB below 270 336 pages; then 256 KiB, 512 KiB, 1 MiB, 2 MiB, 4 MiB
    const steps = [270336, 532480, 1056768, 2105344, 4202496];
    expect(at(steps[0]! - 1)).toBe(128 << 10);
    steps.forEach((T, k) => {
      expect(at(T)).toBe((256 << 10) << k);
      expect(at(T - 1)).toBe((128 << 10) << k);
    });
    // the threshold itself is unrounded and capped at 1024 pages
    expect(defaultAtomicPoolSize(rules, 3 * 262144)).toBe(96 * 4096);
    expect(defaultAtomicPoolSize(rules, 64 * 262144)).toBe(4 << 20);
    expect(defaultAtomicPoolSize(rules, 0)).toBe(128 << 10);
  });

  it('keeps the older defaults as rules: 128 KiB per 16 MiB (v5.8-rc1) and 256 KiB', () => {
    const rc1 = { ...rules, atomic_pool_size_default: '128K-per-16M' as const };
    expect(defaultAtomicPoolSize(rc1, 65536)).toBe(2 << 20);
    expect(defaultAtomicPoolSize(rc1, 10)).toBe(128 << 10);
    expect(defaultAtomicPoolSize(rc1, 1 << 20)).toBe(4 << 20);
    expect(defaultAtomicPoolSize({ ...rules, atomic_pool_size_default: '256K' }, 1 << 20)).toBe(
      256 << 10,
    );
  });

  it.each([
    ['300K', 300 * 1024],
    ['5M', 5 << 20],
    ['2m', 2 << 20],
    ['1G', 1 << 30],
    ['1t', 2 ** 40],
    ['1P', 2 ** 50],
    ['0x10k', 16 * 1024],
    ['0X1f', 31],
    ['010', 8],
    ['09', 0],
    ['08', 0],
    ['0x1g', 2 ** 30],
    ['0x1G', 2 ** 30],
    ['12:', 12],
    ['1x10', 1],
    ['0x', 0],
    ['0xg', 0],
    ['', 0],
    ['abc', 0],
    ['64Kfoo', 64 * 1024],
    ['16E', 0],
    ['1e', 2 ** 60],
    ['18446744073709551617', 1],
  ])('memparse(%j) = %d (modulo 2^64)', (text, value) => {
    expect(memparse(text)).toBe(value);
  });

  it('takes the last coherent_pool= before --, with - and _ alike and quotes stripped', () => {
    expect(coherentPoolParam('console=ttyS0 nokaslr')).toBeUndefined();
    expect(coherentPoolParam('coherent_pool=1M coherent-pool=2M')).toBe('2M');
    expect(coherentPoolParam('"coherent_pool=64K" -- coherent_pool=8M')).toBe('64K');
    expect(coherentPoolParam('coherent_pool foo="a b" coherent_pool=')).toBe('');
    expect(coherentPoolParam('xcoherent_pool=3M')).toBeUndefined();
    expect(coherentPoolParam('')).toBeUndefined();
    // a quoted value keeps its spaces; a name with no `=` sets nothing
    expect(coherentPoolParam('coherent_pool="64K coherent_pool=8M"')).toBe('64K coherent_pool=8M');
    expect(coherentPoolParam('coherent_pool=1M coherent_poolX')).toBe('1M');
  });

  it('honours coherent_pool= unclamped, 0 meaning the default, the chunk capped at 4 MiB', () => {
    const env: PoolEnv = {
      mem_encrypt_active: false,
      alloc_pages: () => 0x1000000,
      __free_pages: () => {},
      dev_get_cma_area: () => null,
      dma_alloc_from_contiguous: () => null,
      set_memory_decrypted: () => 0,
      set_memory_encrypted: () => 0,
    };
    const boot = (value: string) => {
      const s = createDmaPoolState(rules);
      early_coherent_pool(s, value);
      dma_atomic_pool_init(s, env, {
        totalram_pages: 4 << 20,
        managed: { DMA: 3840, DMA32: 700000, Normal: 3000000 },
      });
      return s;
    };
    expect(boot('0').atomic_pool_size).toBe(2 << 20);
    expect(boot('4K').atomic_pool_size).toBe(4096);
    expect(boot('4K').pool_size_kernel).toBe(4096);
    const big = boot('64M');
    expect(big.atomic_pool_size).toBe(64 << 20);
    expect(big.pool_size_dma).toBe(4 << 20);
    expect(big.messages[1]?.text).toBe(
      'DMA: preallocated 4096 KiB GFP_KERNEL|GFP_DMA pool for atomic allocations',
    );
  });

  it('rejects a malformed boot table', () => {
    const bad = (runs: unknown) => () => parseBootTableRuns(JSON.stringify({ runs }), 'bt.json');
    expect(() => parseBootTableRuns('{', 'bt.json')).toThrow(/bt\.json: not valid JSON/);
    expect(bad(undefined)).toThrow(/no runs array/);
    expect(bad([1])).toThrow(/runs\[0\]: not an object/);
    expect(bad([{}])).toThrow(/no cmdline string/);
    const run = {
      run: 'r',
      cmdline: '',
      memory_line: ['Memory: 1K/4096K available (1K reserved, 0K cma-reserved)'],
      zones_boot: [{ zone: 'DMA', managed: 1 }],
      atomic_pools_dmesg: [],
      dma_pools_debugfs: { pool_size_dma: 0, pool_size_dma32: 0, pool_size_kernel: 0 },
    };
    expect(parseBootTableRuns(JSON.stringify({ runs: [run] }))[0]?.totalram_pages).toBe(1023);
    expect(bad([{ ...run, memory_line: 'x' }])).toThrow(/no Memory: line/);
    expect(bad([{ ...run, zones_boot: 1 }])).toThrow(/no zones_boot array/);
    expect(bad([{ ...run, zones_boot: [{}] }])).toThrow(/lacks zone or managed/);
    expect(bad([{ ...run, atomic_pools_dmesg: [1] }])).toThrow(/not a list of strings/);
    expect(bad([{ ...run, dma_pools_debugfs: null }])).toThrow(/no dma_pools_debugfs object/);
    expect(bad([{ ...run, dma_pools_debugfs: {} }])).toThrow(/pool_size_dma is not a number/);
    expect(bad([1])).toThrow(ConformanceInputError);
  });
});
