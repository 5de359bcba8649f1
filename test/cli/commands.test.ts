/**
 * The CLI end to end, through `main()` as `npx poolcheck` runs it: exit
 * codes, bad input (one line, exit 2, nothing written), determinism, and
 * the report layout (ASCII, at most 72 columns).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { tempDir } from '../setup/temp-dir.ts';

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

const dir = () => tempDir('cli');
/** The report with wrapped lines joined again. */
const flat = () => out.replace(/\n {4,}/g, ' ');

describe('poolcheck check', () => {
  it('with --policy v5.4 exits 1 with the BZ-01 counterexample, and writes its trace and SVG', async () => {
    const d = dir();
    const code = await main([
      'check',
      '--policy',
      'v5.4',
      '--scenario',
      'sev-4g-nvme',
      '--property',
      'dma/no-sleep-in-atomic',
      '--out',
      d,
    ]);
    expect(code).toBe(1);
    expect(flat()).toContain('dma/no-sleep-in-atomic (I1) fails under policy v5.4 [known BZ-01]');
    expect(flat()).toMatch(/1 cpu0 atomic dma_alloc_coherent\(nvme0, 4 KiB, GFP_ATOMIC\)/);
    expect(flat()).toMatch(/set_memory_decrypted\(pfn 0x[0-9a-f]+, 1\): may sleep/);
    expect(flat()).toMatch(/replay: npx poolcheck replay .*dma-no-sleep-in-atomic-v5.4-42.json/);
    expect(readdirSync(d).sort()).toEqual([
      'dma-no-sleep-in-atomic-v5.4-42.json',
      'dma-no-sleep-in-atomic-v5.4-42.svg',
    ]);
    for (const line of out.split('\n')) {
      expect(line.length).toBeLessThanOrEqual(72);
      expect(line).toMatch(/^[\x20-\x7e]*$/);
    }
  });

  it('gives byte-identical output for the same seed', async () => {
    const args = ['check', '--policy', 'v5.8', '--scenario', 'sev-4g-nvme', '--runs', '30'];
    const d = dir();
    await main([...args, '--out', d]);
    const first = out;
    out = '';
    await main([...args, '--out', d]);
    expect(out).toBe(first);
  });

  it('with --expect exits as the all-policies run does', async () => {
    const code = await main([
      'check',
      '--policy',
      'v5.4',
      '--expect',
      '--scenario',
      'sev-4g-nvme',
      '--out',
      dir(),
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/result: (\d+) of \1 outcomes as expected/);
  });

  it('prints JSON with --format json', async () => {
    const code = await main([
      'check',
      '--policy',
      'mainline',
      '--scenario',
      'genpool-pages',
      '--format',
      'json',
    ]);
    expect(code).toBe(0);
    const j = JSON.parse(out) as { schema: string; outcomes: { status: string }[] };
    expect(j.schema).toBe('poolcheck-check');
    expect(j.outcomes.every((o) => o.status === 'held')).toBe(true);
  });

  it.each([
    [['check', '--bogus'], /unknown option '--bogus'/],
    [['check', '--runs', 'many'], /--runs takes a whole number, not 'many'/],
    [['check', '--runs', '0'], /--runs must be between 1/],
    [['check', '--policy', 'v9.9'], /unknown policy 'v9.9'/],
    [['check', '--scenario', 'nowhere'], /unknown scenario 'nowhere'/],
    [['check', '--policy', './no-such-policy.ts'], /policy module .* does not exist/],
    [['check', '--format', 'xml'], /format/],
    [['replay', '/nonexistent/trace.json'], /trace file .* does not exist/],
    [['diff', '--policy', 'mainline'], /diff takes exactly two --policy options/],
  ])('%j is a one-line error and exit 2', async (args, message) => {
    const code = await main(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('user policy modules', () => {
  it('a policy that extends mainline and reverts a fix shows a new violation', async () => {
    const code = await main([
      'check',
      '--policy',
      './examples/revert-0510cb5b2303.ts',
      '--scenario',
      'sev-4g-nvme',
      '--property',
      'dma/no-shared-page-freed',
      '--out',
      dir(),
    ]);
    expect(code).toBe(1);
    expect(flat()).toContain('fails under policy mainline-revert-0510cb5b2303 [new]');
  });

  it.each([
    ['throws.ts', "throw new Error('boom');\n", /failed to load: boom/],
    ['no-id.ts', "export default { extends: 'mainline' };\n", /'id' must be a non-empty string/],
    [
      'bad-extends.ts',
      "export default { id: 'x', extends: 'v9' };\n",
      /'extends' must name a built-in policy/,
    ],
    [
      'bad-field.js',
      "export default { id: 'x', extends: 'mainline', dmaPool: 3 };\n",
      /dmaPool must be an object/,
    ],
    [
      'mistyped.ts',
      "import type { UserPolicy } from '" +
        join(process.cwd(), 'src/index.ts') +
        "';\nconst p: UserPolicy = { id: 'x', extends: 'mainline', dmaDirect: 7 };\nexport default p;\n",
      /does not type-check/,
    ],
  ])('%s is rejected in one line with exit 2', async (name, text, message) => {
    const d = dir();
    writeFileSync(join(d, name), text);
    const code = await main(['check', '--policy', join(d, name), '--scenario', 'sev-4g-nvme']);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});

describe('poolcheck replay', () => {
  it('replays a trace file and reproduces its violation', async () => {
    const d = dir();
    await main([
      'check',
      '--policy',
      'v5.4',
      '--scenario',
      'sev-4g-nvme',
      '--property',
      'dma/no-sleep-in-atomic',
      '--out',
      d,
    ]);
    const trace = join(d, 'dma-no-sleep-in-atomic-v5.4-42.json');
    out = '';
    const code = await main(['replay', trace, '--verbose']);
    expect(code).toBe(1);
    expect(out).toContain('violated: dma/no-sleep-in-atomic (I1) after step 1');
    expect(out).toContain('lowmem_reserve[]:');
  });

  it('replays a token through fast-check', async () => {
    const d = dir();
    await main([
      'check',
      '--policy',
      'v5.4',
      '--scenario',
      'sev-4g-nvme',
      '--property',
      'dma/no-sleep-in-atomic',
      '--out',
      d,
    ]);
    const token = (
      JSON.parse(readFileSync(join(d, 'dma-no-sleep-in-atomic-v5.4-42.json'), 'utf8')) as {
        token: string;
      }
    ).token;
    out = '';
    const code = await main(['replay', token, '--policy', 'v5.4', '--scenario', 'sev-4g-nvme']);
    expect(code).toBe(1);
    expect(out).toContain('violated: dma/no-sleep-in-atomic');
  });

  it.each([
    ['not json', '{', /not JSON/],
    ['not a trace', '{"schema":"x"}', /not a poolcheck trace/],
    ['newer schema', '{"schema":"poolcheck-trace","version":99}', /schema version 99 is newer/],
    [
      'bad op',
      JSON.stringify({
        schema: 'poolcheck-trace',
        version: 1,
        system: 'dma',
        scenario: 'x',
        policy: 'mainline',
        config: { machine: '4G', cc: 'sev-guest', devices: [{ name: 'n', mask_bits: 64 }] },
        ops: [{ op: 'dma_alloc_coherent', cpu: 0 }],
      }),
      /op 1: dma_alloc_coherent.atomic must be a boolean/,
    ],
  ])('rejects a trace that is %s', async (_what, text, message) => {
    const f = join(dir(), 't.json');
    writeFileSync(f, text);
    const code = await main(['replay', f]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});

describe('poolcheck diff and list', () => {
  it('finds where 6.1 and mainline first diverge, and exits 1', async () => {
    const d = dir();
    const code = await main(['diff', '--policy', '6.1', '--policy', 'mainline', '--out', d]);
    expect(code).toBe(1);
    expect(out).toMatch(/first divergence at op \d+/);
    expect(existsSync(join(d, 'diff-6.1-mainline-42.json'))).toBe(true);
  });

  it('finds none between a policy and itself, and exits 0', async () => {
    const code = await main([
      'diff',
      '--policy',
      'mainline',
      '--policy',
      'mainline',
      '--runs',
      '20',
    ]);
    expect(code).toBe(0);
    expect(out).toContain('no divergence in 20 runs');
  });

  it('lists policies, scenarios and properties', async () => {
    expect(await main(['list'])).toBe(0);
    expect(out).toContain('sev-4g-nvme');
    expect(out).toContain('dma/no-sleep-in-atomic (I1)');
    // each policy's rule sets name the tree they were read in; v5.4 has no atomic pools
    const all = flat();
    const v54 = all.slice(all.indexOf('  v5.4 '), all.indexOf('  v5.8 '));
    expect(v54).toContain('page allocator: linux-5.4.y (5.4.80+: boost exemption)');
    expect(v54).toContain('dma-direct: v5.4: kernel/dma/direct.c (with 90ae409f9eb3)');
    expect(v54).not.toContain('atomic pools:');
    expect(all).toContain('reserve pool: design 2 of the 2019 thread');
  });
});
