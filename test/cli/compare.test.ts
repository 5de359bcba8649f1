/** poolcheck compare: both designs on the same runs, per workload family. */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCompare } from '../../src/cli/compare.ts';
import { tempDir } from '../setup/temp-dir.ts';

describe('poolcheck compare (seed 42)', () => {
  it('measures both designs on every workload family and writes an SVG plot', async () => {
    const out = tempDir('cmp');
    const r = await runCompare({ seed: 42, runs: 12, maxSteps: 30, out });
    expect(r.code).toBe(0);
    for (const w of ['nvme-burst', 'high-order', 'pressure', 'decrypt-failures'])
      expect(r.stdout).toContain(`workload ${w}:`);
    expect(r.stdout).toMatch(/^ {2}mainline +\d/m);
    expect(r.stdout).toMatch(/^ {2}reserve-pool-2019 +\d/m);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(72);
    const svg = readFileSync(join(out, 'compare-42.svg'), 'utf8');
    expect(svg).toContain('<svg');
    expect(svg).toContain('reserve-pool-2019');
  });

  it('is deterministic for a seed', async () => {
    const out = tempDir('cmp');
    const a = await runCompare({ seed: 7, runs: 6, maxSteps: 20, out, workload: ['nvme-burst'] });
    const b = await runCompare({ seed: 7, runs: 6, maxSteps: 20, out, workload: ['nvme-burst'] });
    expect(a.stdout).toBe(b.stdout);
  });

  it('rejects an unknown workload and a non-DMA scenario', async () => {
    await expect(
      runCompare({ seed: 1, runs: 1, maxSteps: 1, out: tmpdir(), workload: ['x'] }),
    ).rejects.toThrow(/unknown workload/);
    await expect(
      runCompare({ seed: 1, runs: 1, maxSteps: 1, out: tmpdir(), scenario: 'genpool-pages' }),
    ).rejects.toThrow(/needs a DMA scenario/);
  });
});
