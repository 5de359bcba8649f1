import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../../src/cli/conformance.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { tempDir } from '../setup/temp-dir.ts';

const shipped = join(import.meta.dirname, '..', '..', 'data', 'ground-truth');

function scratch(): string {
  return tempDir('conf');
}

describe('poolcheck conformance', () => {
  it('matches every file of the shipped kernel data', () => {
    const r = runConformance([]);
    expect(r.code).toBe(0);
    const last = r.stdout.trimEnd().split('\n').at(-1);
    expect(last).toMatch(/^result: (\d+) of \1 files match the models$/);
    // one line per gen_pool and DMA pool sequence, one per zones file
    expect(r.stdout).toContain('dma-pool/t01-128M-mixed:');
    expect(r.stdout).toContain('genpool/train-00:');
    expect(r.stdout).toContain('zones/boot-table.json:');
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(72);
  });

  it('shows the first divergence with only the differing fields, and exits 1', () => {
    const dir = scratch();
    for (const ext of ['.ops', '.out', '.boot.json'])
      cpSync(join(shipped, 'dma-pool', `t01-128M-mixed${ext}`), join(dir, `t01${ext}`));
    const out = join(dir, 't01.out');
    chmodSync(out, 0o644);
    const lines = readFileSync(out, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes(' -> dma32#1+0x'));
    lines[i] = (lines[i] as string).replace('dma32#1+0x', 'dma32#7+0x');
    writeFileSync(out, lines.join('\n'));
    const r = runConformance([dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`t01: diverges at t01.out:${i + 1}`);
    expect(r.stdout).toMatch(/kernel: dma32#7\+0x/);
    expect(r.stdout).toMatch(/model: {2}dma32#1\+0x/);
  });

  it('rejects an unknown file with one line naming it', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    expect(() => runConformance([dir])).toThrow(UsageError);
    expect(() => runConformance([dir])).toThrow(/notes.txt: unknown kind of kernel data/);
  });

  it('rejects a gen_pool sequence without its .out, and unknown JSON', () => {
    const a = scratch();
    writeFileSync(join(a, 'x.ops'), 'P12\nC0x1000+4096\n');
    expect(() => runConformance([a])).toThrow(/x.ops: no x.out beside it/);
    const b = scratch();
    writeFileSync(join(b, 'x.json'), '{"foo": 1}');
    expect(() => runConformance([b])).toThrow(/x.json: unknown JSON/);
    const c = scratch();
    writeFileSync(join(c, 'y.ops'), 'A4096:K\n');
    expect(() => runConformance([c])).toThrow(/not a gen_pool sequence/);
  });

  it('rejects a folder that does not exist', () => {
    expect(() => runConformance(['/nonexistent-poolcheck'])).toThrow(/no such folder/);
  });
});
