/** Every kernel gen_pool sequence in data/ground-truth/genpool, replayed line for line. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConformanceInputError,
  compareGenpoolOut,
  divergentFields,
  parseGenpoolOps,
  replayGenpoolOps,
} from '../../../src/conformance/genpool.ts';

const DIR = join(import.meta.dirname, '../../../data/ground-truth/genpool');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.ops'))
  .sort();

describe('gen_pool conformance against the 6.1 kernel', () => {
  it('finds kernel data', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const f of files) {
    it(`${f}: every line equals the kernel's`, () => {
      const ops = readFileSync(join(DIR, f), 'utf8');
      const out = readFileSync(join(DIR, f.replace(/\.ops$/, '.out')), 'utf8');
      const kernel = out.split('\n').filter((l) => l.trim() !== '');
      expect(replayGenpoolOps(ops)).toEqual(kernel);
      const cmp = compareGenpoolOut(ops, out);
      expect(cmp.matched).toBe(kernel.length);
      expect(cmp.firstDivergence).toBeUndefined();
    });
  }
});

describe('replayGenpoolOps beyond the data', () => {
  it('prints an offset below the first chunk modulo 2^64', () => {
    const out = replayGenpoolOps('P3\nC0x2000+64\nC0x1000+64\nA8\n');
    expect(out[3]).toBe('3 A8 -> 0x1000 off=0xfffffffffffff000 avail=120');
  });

  it('treats F of a non-allocation, a failure, a freed block or a later op as not-allocated', () => {
    const out = replayGenpoolOps('P0\nC0x100+4\nA8\nF2\nF1\nA2\nF5\nF5\nF9\nS\n');
    expect(out).toEqual([
      '0 P0 -> ok',
      '1 C0x100+4 -> 0 avail=4 size=4',
      '2 A8 -> 0x0 off=none avail=4',
      '3 F2 -> error not-allocated',
      '4 F1 -> error not-allocated',
      '5 A2 -> 0x100 off=0x0 avail=2',
      '6 F5 -> freed 0x100+2 avail=4',
      '7 F5 -> error not-allocated',
      '8 F9 -> error not-allocated',
      '9 S -> avail=4 size=4',
    ]);
  });

  it('reports a gen_pool BUG (overlapping chunks) and stops, as the oopsing kernel does', () => {
    // the newer chunk overlaps the older one, so the free lands in the wrong chunk
    const out = replayGenpoolOps('P0\nC0x100+8\nA8\nC0xfc+8\nF2\nS\n');
    expect(out).toHaveLength(5);
    expect(out[4]).toBe('4 F2 -> BUG gen_pool_free(0x100, 8): runs past chunk end 0x103');
  });

  it('allocates nothing for size 0 and fails a chunk tail', () => {
    expect(replayGenpoolOps('P3\nC0x1000+20\nA0\nA17\nA16\nS')).toEqual([
      '0 P3 -> ok',
      '1 C0x1000+20 -> 0 avail=20 size=20',
      '2 A0 -> 0x0 off=none avail=20',
      '3 A17 -> 0x0 off=none avail=20',
      '4 A16 -> 0x1000 off=0x0 avail=4',
      '5 S -> avail=4 size=20',
    ]);
  });

  it('starts a fresh pool at a later P', () => {
    const out = replayGenpoolOps('P0\nC0x10+4\nA4\nP1\nS\nF2\n');
    expect(out.slice(3)).toEqual([
      '3 P1 -> ok',
      '4 S -> avail=0 size=0',
      '5 F2 -> error not-allocated',
    ]);
  });

  it('parses decimal and hex numbers and signed aligns', () => {
    expect(parseGenpoolOps('P2\nC4096+0x40\nN4@-8\nX0x4@4\n\n').map((o) => o.token)).toEqual([
      { kind: 'P', order: 2 },
      { kind: 'C', addr: 4096, size: 64 },
      { kind: 'N', size: 4, align: -8 },
      { kind: 'X', size: 4, offset: 4 },
    ]);
  });

  it.each([
    ['P0\nQ5\n', /line 2: malformed token 'Q5'/],
    ['P0\nC0x10\n', /line 2: malformed token/],
    ['P0\nN4@2147483648\n', /line 2: align 2147483648 is not a C int/],
    ['P0\nA9007199254740993\n', /line 2: number 9007199254740993 is 2\^52 or more/],
    ['P99\n', /line 1: order 99 above 40/],
    ['A4\n', /token 0: 'A4' before any P token/],
  ])('rejects %j with a one-line ConformanceInputError', (text, message) => {
    expect(() => replayGenpoolOps(text)).toThrow(ConformanceInputError);
    expect(() => replayGenpoolOps(text)).toThrow(message);
    try {
      replayGenpoolOps(text);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('\n');
    }
  });
});

describe('compareGenpoolOut', () => {
  it('names the first divergence and counts matches', () => {
    const ops = 'P0\nC0x10+4\nA1\nA1\n';
    const out =
      '0 P0 -> ok\n1 C0x10+4 -> 0 avail=4 size=4\n2 A1 -> 0x11 off=0x1 avail=3\n3 A1 -> 0x11 off=0x1 avail=2\n4 S -> avail=2 size=4\n';
    const r = compareGenpoolOut(ops, out);
    expect(r.total).toBe(5);
    expect(r.matched).toBe(3);
    expect(r.firstDivergence).toEqual({
      line: 2,
      kernel: '2 A1 -> 0x11 off=0x1 avail=3',
      model: '2 A1 -> 0x10 off=0x0 avail=3',
    });
  });

  it('shows only the differing fields', () => {
    expect(divergentFields('2 A1 -> 0x11 off=0x1 avail=3', '2 A1 -> 0x10 off=0x0 avail=3')).toEqual(
      { kernel: '0x11 off=0x1', model: '0x10 off=0x0' },
    );
    expect(divergentFields('1 S -> avail=3 size=4', '1 S -> BUG')).toEqual({
      kernel: 'avail=3 size=4',
      model: 'BUG',
    });
  });
});
