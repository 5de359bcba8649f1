/**
 * src/cli/main.ts: how flags reach the commands. Bad input is one line on
 * stderr and exit 2 before any search starts; `check --replay` is the
 * replay command under another name; progress goes to a terminal only.
 */

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../../src/cli/main.ts';
import { tempDir } from '../../../setup/temp-dir.ts';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const MAX = 2 ** 31 - 1;

describe('poolcheck flags', () => {
  it('--help exits 0 with the commands listed', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(out).toMatch(/Usage: poolcheck/);
    expect(out).toMatch(/check \[options\]/);
  });

  it('check --replay takes one --policy', async () => {
    const code = await main(['check', '--replay', '42/0/', '--policy', '6.1', '--policy', 'v5.4']);
    expect(code).toBe(2);
    expect(err).toBe('poolcheck: --replay takes one --policy\n');
  });

  it('check --replay TOKEN prints what replay TOKEN prints', async () => {
    const where = ['--policy', '6.1', '--scenario', 'genpool-bytes'];
    const viaCheck = await main(['check', '--replay', '42/0/0', ...where]);
    const checkOut = out;
    out = '';
    const viaReplay = await main(['replay', '42/0/0', ...where]);
    expect(err).toBe('');
    expect([viaCheck, checkOut]).toEqual([viaReplay, out]);
    expect(out).toMatch(/gen_pool/);
  });

  it('check --path takes a fast-check path', async () => {
    expect(await main(['check', '--path', '3:x'])).toBe(2);
    expect(err).toBe("poolcheck: --path takes a fast-check path like 3:1:0, not '3:x'\n");
  });

  it('--time-limit is a whole number of seconds, at least 1, for check and diff', async () => {
    expect(await main(['check', '--path', '3:1:0', '--time-limit', '0'])).toBe(2);
    expect(await main(['diff', '--scenario', 'genpool-bytes', '--time-limit', '0'])).toBe(2);
    expect(err).toBe(`poolcheck: --time-limit must be between 1 and ${MAX}\n`.repeat(2));
  });

  it('compare and zoo refuse zero runs before running anything', async () => {
    const compare = ['compare', '--policy', 'mainline', '--workload', 'burst', '--scenario', 'x'];
    expect(await main([...compare, '--runs', '0'])).toBe(2);
    expect(await main(['zoo', '--runs', '0'])).toBe(2);
    expect(err).toBe(`poolcheck: --runs must be between 1 and ${MAX}\n`.repeat(2));
  });

  it('on a terminal, check shows its runs as it goes and clears the line at the end', async () => {
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    try {
      const code = await main([
        'check',
        '--policy',
        '6.1',
        '--scenario',
        'genpool-bytes',
        '--property',
        'genpool/no-overlap',
        '--runs',
        '60',
        '--out',
        tempDir('cov'),
      ]);
      expect(code).toBe(0);
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    expect(err).toBe('\r  25 runs...\r  50 runs...\r\x1b[K');
  });
});
