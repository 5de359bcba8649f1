/**
 * Every figure of every zones file in data/ground-truth/zones/ (boot tables
 * and sysctl sweeps, found by readdirSync) reproduced by the 6.1 rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import { ConformanceInputError } from '../../../src/conformance/errors.ts';
import { replayZonesFile, replayZonesText } from '../../../src/conformance/zones.ts';

const dir = join(import.meta.dirname, '../../../data/ground-truth/zones');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('zones conformance (6.1 rules, Debian 6.1.192)', () => {
  it('finds a boot table and at least one sweep', () => {
    const kinds = files.map((f) => Object.keys(JSON.parse(readFileSync(join(dir, f), 'utf8'))));
    expect(kinds.some((k) => k.includes('runs'))).toBe(true);
    expect(kinds.some((k) => k.includes('settings'))).toBe(true);
  });

  for (const f of files)
    it(`${f}: every figure matches`, () => {
      const r = replayZonesText(f, readFileSync(join(dir, f), 'utf8'));
      expect(r.firstDivergence).toBeUndefined();
      expect(r.matched).toBe(r.total);
      expect(r.total).toBeGreaterThan(0);
    });

  it('checks every zone record of a sweep (one check per listed zone)', () => {
    for (const f of files) {
      const data = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      if (!data.settings) continue;
      const zones = data.settings.reduce(
        (n: number, s: { zones: unknown[] }) => n + s.zones.length,
        0,
      );
      expect(replayZonesFile(f, data).total).toBe(zones);
    }
  });

  it('checks the default min_free_kbytes and both zone tables of every boot', () => {
    for (const f of files) {
      const data = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      if (!data.runs) continue;
      const expected = data.runs.reduce(
        (n: number, r: { zones_boot: unknown[]; zones_after_rewrite: unknown[] }) =>
          n + 1 + r.zones_boot.length + r.zones_after_rewrite.length,
        0,
      );
      expect(replayZonesFile(f, data).total).toBe(expected);
    }
  });
});

describe('zones conformance: the data tells the versions apart', () => {
  it('5.4 rules reject watermark_scale_factor above 1000 and diverge on a sweep', () => {
    const f = files.find((x) => x.startsWith('sysctl-sweep'));
    expect(f).toBeDefined();
    const data = JSON.parse(readFileSync(join(dir, f as string), 'utf8'));
    const r = replayZonesFile(f as string, data, pageAllocRules['5.4']);
    expect(r.matched).toBeLessThan(r.total);
    expect(r.firstDivergence?.kernel).toMatch(/low|high/);
  });

  it('a divergence shows only the fields that differ', () => {
    const data = {
      settings: [
        {
          lowmem_reserve_ratio: [256, 256, 32, 0, 0],
          min_free_kbytes: 4096,
          watermark_scale_factor: 10,
          zones: [
            {
              zone: 'DMA32',
              managed: 100000,
              min: 1024,
              low: 1280,
              high: 1600,
              protection: [0, 0, 0, 0, 0],
            },
          ],
        },
      ],
    };
    const r = replayZonesFile('made-up.json', data);
    expect(r).toEqual({
      matched: 0,
      total: 1,
      firstDivergence: {
        where: 'made-up.json settings[0] DMA32',
        kernel: 'high 1600',
        model: 'high 1536',
      },
    });
  });
});

describe('zones conformance: malformed input', () => {
  const bad: [string, unknown, RegExp][] = [
    ['not an object', 42, /top level is not an object/],
    ['neither kind', { foo: 1 }, /neither runs/],
    ['settings not an array', { settings: 3 }, /settings is not an array/],
    [
      'bad zone name',
      {
        settings: [
          {
            lowmem_reserve_ratio: [1, 1, 1, 0, 0],
            min_free_kbytes: 1,
            watermark_scale_factor: 1,
            zones: [
              { zone: 'HighMem', managed: 1, min: 0, low: 0, high: 0, protection: [0, 0, 0, 0, 0] },
            ],
          },
        ],
      },
      /names no zone/,
    ],
    [
      'short protection',
      {
        settings: [
          {
            lowmem_reserve_ratio: [1, 1, 1, 0, 0],
            min_free_kbytes: 1,
            watermark_scale_factor: 1,
            zones: [{ zone: 'DMA', managed: 1, min: 0, low: 0, high: 0, protection: [0, 0] }],
          },
        ],
      },
      /protection has 2 entries/,
    ],
    ['run without vm', { runs: [{ run: 'x' }] }, /x\.vm is not an object/],
  ];
  for (const [name, data, msg] of bad)
    it(name, () => {
      expect(() => replayZonesFile('bad.json', data)).toThrow(ConformanceInputError);
      expect(() => replayZonesFile('bad.json', data)).toThrow(msg);
    });

  it('text that is not JSON', () => {
    expect(() => replayZonesText('bad.json', '{')).toThrow(/bad\.json: not JSON/);
  });

  it('messages are one line', () => {
    try {
      replayZonesFile('bad.json', { settings: [{}] });
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
      return;
    }
    throw new Error('no error thrown');
  });
});
