/**
 * Issue 9: every DMA atomic pool sequence in data/ground-truth/dma-pool (a
 * `.ops` with a `.boot.json` beside it), replayed through models/dma/pool.ts
 * under the 6.1 rules and compared line for line with the kernel's `.out`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dmaPoolRules } from '../../../models/dma/rules.ts';
import {
  ConformanceInputError,
  checkDmaPoolSequence,
  type DmaPoolSequence,
  dmaPoolSequenceNames,
  parseDmaPoolBoot,
  parseDmaPoolOps,
  parseDmaPoolOut,
  replayDmaPool,
} from '../../../src/conformance/dma-pool.ts';

const DIR = join(import.meta.dirname, '../../../data/ground-truth/dma-pool');
const names = dmaPoolSequenceNames(readdirSync(DIR));

function load(name: string): DmaPoolSequence {
  const read = (ext: string) => readFileSync(join(DIR, `${name}${ext}`), 'utf8');
  return { name, ops: read('.ops'), out: read('.out'), boot: read('.boot.json') };
}

describe('DMA pool traces of the 6.1.192 kernel', () => {
  it('finds kernel data', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  for (const name of names) {
    it(`${name}: every line and boot fact equals the kernel's`, () => {
      const seq = load(name);
      const r = checkDmaPoolSequence(seq);
      expect(r.firstDivergence).toBeUndefined();
      expect(r.matched).toBe(r.total);
      // every line of the file was compared, plus boot.json's size and dmesg lines
      const boot = parseDmaPoolBoot(seq.boot);
      const lines = seq.out.split('\n').filter((l) => l !== '').length;
      expect(r.total).toBe(lines + 1 + boot.dmesg_atomic_pools.length);
    });
  }

  it('takes atomic_pool_size from the sizing rule, not from the trace', () => {
    for (const name of names) {
      const seq = load(name);
      const boot = parseDmaPoolBoot(seq.boot);
      const ops = parseDmaPoolOps(seq.ops);
      const out = parseDmaPoolOut(seq.out, ops);
      const forged = { ...boot, atomic_pool_size: boot.atomic_pool_size + 4096 };
      const replay = replayDmaPool(ops, forged, out);
      expect(replay.state.atomic_pool_size).toBe(boot.atomic_pool_size);
    }
  });

  it('is not vacuous: other versions diverge from the 6.1 kernel', () => {
    const seq = load(names[0] as string);
    const v58 = checkDmaPoolSequence(seq, dmaPoolRules['v5.8']);
    expect(v58.firstDivergence).toBeDefined();
    expect(v58.matched).toBeLessThan(v58.total);
    const nowarnIgnored = checkDmaPoolSequence(seq, {
      ...dmaPoolRules['6.1'],
      warn_on_failure: 'unsuitable-always',
    });
    expect(nowarnIgnored.firstDivergence?.model).toMatch(/^! Failed to get suitable pool/);
  });
});

describe('trace replay beyond the data', () => {
  const boot = (pools: string) =>
    JSON.stringify({
      cmdline: 'console=ttyS0 coherent_pool=16K',
      atomic_pool_size: 16384,
      pools_initial: JSON.parse(pools),
      dmesg_atomic_pools: [
        'DMA: preallocated 16 KiB GFP_KERNEL pool for atomic allocations',
        'DMA: preallocated 16 KiB GFP_KERNEL|GFP_DMA pool for atomic allocations',
        'DMA: preallocated 16 KiB GFP_KERNEL|GFP_DMA32 pool for atomic allocations',
      ],
      zones_before_run: [
        { zone: 'DMA', managed: 3840 },
        { zone: 'DMA32', managed: 7424 },
      ],
    });
  const pools = (k: number) =>
    JSON.stringify({
      dma: { chunks: [{ index: 0, phys: '0x100000', size: 16384 }] },
      dma32: { chunks: [{ index: 0, phys: '0x5100000', size: 16384 }] },
      kernel: { chunks: [{ index: 0, phys: `0x${k.toString(16)}`, size: 16384 }] },
    });
  const init = [
    'init atomic_pool_size=16384 dev=kpdma wq=0',
    'init pool dma avail=16384 size=16384 pool_size_dma=16384 chunks=1',
    'init chunk dma#0 phys=0x100000 size=16384 avail=16384',
    'init used dma#0',
    'init pool dma32 avail=16384 size=16384 pool_size_dma32=16384 chunks=1',
    'init chunk dma32#0 phys=0x5100000 size=16384 avail=16384',
    'init used dma32#0',
    'init pool kernel avail=16384 size=16384 pool_size_kernel=16384 chunks=1',
    'init chunk kernel#0 phys=0x50e0000 size=16384 avail=16384',
    'init used kernel#0',
  ];

  it('joins continuation used lines, so where the module cuts a long list does not matter', () => {
    const ops = 'A4096:K\nA4096:K\nS\n';
    const sum = 'dma=16384/16384 dma32=16384/16384 kernel=8192/16384 wq=1';
    const dump = (split: boolean) => [
      '2 pool dma avail=16384 size=16384 pool_size_dma=16384 chunks=1',
      '2 chunk dma#0 phys=0x100000 size=16384 avail=16384',
      '2 used dma#0',
      '2 pool dma32 avail=16384 size=16384 pool_size_dma32=16384 chunks=1',
      '2 chunk dma32#0 phys=0x5100000 size=16384 avail=16384',
      '2 used dma32#0',
      '2 pool kernel avail=8192 size=16384 pool_size_kernel=16384 chunks=1',
      '2 chunk kernel#0 phys=0x50e0000 size=16384 avail=8192',
      ...(split ? ['2 used kernel#0 0', '2 used kernel#0 1'] : ['2 used kernel#0 0-1']),
    ];
    const head = [
      ...init,
      '0 A4096:K -> kernel#0+0x0 phys=0x50e0000 | dma=16384/16384 dma32=16384/16384 kernel=12288/16384 wq=1',
      `1 A4096:K -> kernel#0+0x1000 phys=0x50e1000 | ${sum}`,
      `2 S -> state | ${sum}`,
    ];
    const seq = (split: boolean) => ({
      name: 'x',
      ops,
      out: `${[...head, ...dump(split), 'done 3 ops'].join('\n')}\n`,
      boot: boot(pools(0x50e0000)),
    });
    expect(checkDmaPoolSequence(seq(false)).firstDivergence).toBeUndefined();
    // a split list reads as adjacent ranges, which the model prints as one: still a mismatch
    expect(checkDmaPoolSequence(seq(true)).firstDivergence?.kernel).toBe('2 used kernel#0 0 1');
  });

  it('names the first divergent line and counts missing lines against the model', () => {
    const out = [
      ...init,
      '0 A4096:K -> kernel#0+0x1000 phys=0x50e1000 | dma=16384/16384 dma32=16384/16384 kernel=12288/16384 wq=1',
      'done 1 ops',
    ].join('\n');
    const r = checkDmaPoolSequence({
      name: 'x',
      ops: 'A4096:K\n',
      out,
      boot: boot(pools(0x50e0000)),
    });
    expect(r.firstDivergence).toEqual({
      line: 11,
      where: 'x.out:11',
      kernel:
        '0 A4096:K -> kernel#0+0x1000 phys=0x50e1000 | dma=16384/16384 dma32=16384/16384 kernel=12288/16384 wq=1',
      model:
        '0 A4096:K -> kernel#0+0x0 phys=0x50e0000 | dma=16384/16384 dma32=16384/16384 kernel=12288/16384 wq=1',
    });
    expect(r.total - r.matched).toBe(1);
    const truncated = checkDmaPoolSequence({
      name: 'x',
      ops: 'A4096:K\n',
      out: init.join('\n'),
      boot: boot(pools(0x50e0000)),
    });
    // the op line and `done` are missing from the kernel's file
    expect(truncated.total - truncated.matched).toBe(2);
  });

  it('prints F of a failed, freed or non-allocating op as not-allocated, and frees by pool walk', () => {
    const seq = {
      name: 'x',
      ops: 'A65536:KN\nF0\nA4096:D\nF2\nF2\nF1\n',
      out: init.join('\n'),
      boot: boot(pools(0x50e0000)),
    };
    const ops = parseDmaPoolOps(seq.ops);
    const out = parseDmaPoolOut(seq.out, ops);
    const r = replayDmaPool(ops, parseDmaPoolBoot(seq.boot), out);
    const line = (i: number) => r.blocks.get(String(i))?.at(-1)?.split(' | ')[0];
    expect(line(0)).toBe('0 A65536:KN -> none');
    expect(line(1)).toBe('1 F0 -> error not-allocated');
    expect(line(3)).toBe('3 F2 -> freed dma#0+0x0');
    expect(line(4)).toBe('4 F2 -> error not-allocated');
    expect(line(5)).toBe('5 F1 -> error not-allocated');
    // NOWARN: no warning before op 0
    expect(r.blocks.get('0')).toHaveLength(1);
  });

  it('applies the :<bits> mask check to the chunk the kernel placed', () => {
    // a kernel chunk above 4 GiB fails a 32-bit mask and the request falls to dma32
    const seq = { ops: 'A4096:K:32\nA4096:K:64\n', boot: boot(pools(0x178980000)) };
    const ops = parseDmaPoolOps(seq.ops);
    const out = parseDmaPoolOut('init atomic_pool_size=16384 dev=kpdma wq=0\n', ops);
    const r = replayDmaPool(ops, parseDmaPoolBoot(seq.boot), out);
    expect(r.blocks.get('0')?.[0]).toMatch(/^0 A4096:K:32 -> dma32#0\+0x0 phys=0x5100000 /);
    expect(r.blocks.get('1')?.[0]).toMatch(/^1 A4096:K:64 -> kernel#0\+0x0 phys=0x178980000 /);
  });

  it('takes each expansion chunk from the dump after its W, falling back in order to its size', () => {
    // kernel grows 16 KiB -> asks 16 KiB (order 2) and the trace shows 8 KiB: order 1
    const ops = 'A16384:K\nW\n';
    const w = [
      '1 pool dma avail=16384 size=16384 pool_size_dma=16384 chunks=1',
      '1 chunk dma#0 phys=0x100000 size=16384 avail=16384',
      '1 used dma#0',
      '1 pool dma32 avail=16384 size=16384 pool_size_dma32=16384 chunks=1',
      '1 chunk dma32#0 phys=0x5100000 size=16384 avail=16384',
      '1 used dma32#0',
      '1 pool kernel avail=8192 size=24576 pool_size_kernel=24576 chunks=2',
      '1 chunk kernel#0 phys=0x50e0000 size=16384 avail=0',
      '1 used kernel#0 0-3',
      '1 chunk kernel#1 phys=0x2000000 size=8192 avail=8192',
      '1 used kernel#1',
    ];
    const out = [
      ...init,
      '0 A16384:K -> kernel#0+0x0 phys=0x50e0000 | dma=16384/16384 dma32=16384/16384 kernel=0/16384 wq=1',
      '1 W -> flushed pending=1 | dma=16384/16384 dma32=16384/16384 kernel=8192/24576 wq=0',
      ...w,
      'done 2 ops',
    ].join('\n');
    const r = checkDmaPoolSequence({ name: 'x', ops, out, boot: boot(pools(0x50e0000)) });
    expect(r.firstDivergence).toBeUndefined();
    expect(r.matched).toBe(r.total);
  });

  it('keeps an empty pool (boot.json lists no chunk) alive, as a failed gen_pool_add leaves it', () => {
    const p = JSON.parse(pools(0x50e0000));
    p.dma = { chunks: [] };
    const seq = {
      name: 'x',
      ops: 'A4096:D\n',
      out: 'init atomic_pool_size=16384 dev=kpdma wq=0\n',
    };
    const ops = parseDmaPoolOps(seq.ops);
    const r = replayDmaPool(
      ops,
      parseDmaPoolBoot(boot(JSON.stringify(p))),
      parseDmaPoolOut(seq.out, ops),
    );
    expect(r.dmesg[1]).toBe(
      'DMA: preallocated 0 KiB GFP_KERNEL|GFP_DMA pool for atomic allocations',
    );
    expect(r.blocks.get('0')).toEqual([
      '! DMA pool exhausted for kpdma',
      '! WARNING: at kernel/dma/pool.c:282 dma_alloc_from_pool',
      '0 A4096:D -> none | dma=0/0 dma32=16384/16384 kernel=16384/16384 wq=0',
    ]);
  });

  it('leaves a pool the boot did not create as none', () => {
    const p = JSON.parse(pools(0x50e0000));
    p.dma32 = null;
    const ops = parseDmaPoolOps('S\n');
    const r = replayDmaPool(
      ops,
      parseDmaPoolBoot(boot(JSON.stringify(p))),
      parseDmaPoolOut('init atomic_pool_size=16384 dev=kpdma wq=0\n', ops),
    );
    expect(r.dmesg).toContain(
      'DMA: failed to allocate 16 KiB GFP_KERNEL|GFP_DMA32 pool for atomic allocation',
    );
    expect(r.blocks.get('0')?.[0]).toBe(
      '0 S -> state | dma=16384/16384 dma32=none kernel=16384/16384 wq=0',
    );
    expect(r.blocks.get('0')).toContain('0 pool dma32 none pool_size_dma32=0');
  });
});

describe('malformed input', () => {
  const good = load(names[0] as string);
  it.each([
    [{ ops: 'A4096:X\n' }, /x\.ops:1: malformed token 'A4096:X'/],
    [{ ops: 'A4096:K:65\n' }, /x\.ops:1: mask width 65 not in 1\.\.64/],
    [{ ops: 'A99999999999999999:K\n' }, /x\.ops:1: size .* below 2\^52/],
    [{ boot: '{' }, /x\.boot\.json: not valid JSON/],
    [{ boot: '[]' }, /x\.boot\.json: not a JSON object/],
    [{ boot: '{"cmdline": 1}' }, /x\.boot\.json: no cmdline string/],
    [{ boot: '{"cmdline": "", "atomic_pool_size": "big"}' }, /atomic_pool_size is not/],
    [{ boot: '{"cmdline": "", "atomic_pool_size": 1}' }, /no pools_initial object/],
    [
      { boot: '{"cmdline": "", "atomic_pool_size": 1, "pools_initial": {"dma": {}}}' },
      /pools_initial\.dma has no chunks array/,
    ],
    [
      { boot: '{"cmdline": "", "atomic_pool_size": 1, "pools_initial": {"dma": {"chunks": [5]}}}' },
      /chunks\[0\] is not an object/,
    ],
    [
      {
        boot: '{"cmdline": "", "atomic_pool_size": 1, "pools_initial": {}, "dmesg_atomic_pools": [1]}',
      },
      /dmesg_atomic_pools is not a list of strings/,
    ],
    [
      {
        boot: '{"cmdline": "", "atomic_pool_size": 1, "pools_initial": {}, "dmesg_atomic_pools": []}',
      },
      /no zones_before_run array/,
    ],
    [
      {
        boot: '{"cmdline": "", "atomic_pool_size": 1, "pools_initial": {}, "dmesg_atomic_pools": [], "zones_before_run": [{}]}',
      },
      /lacks zone or managed/,
    ],
    [{ out: 'hello\n' }, /x\.out:1: unrecognised line 'hello'/],
    [{ out: '' }, /x\.out: no 'init atomic_pool_size=' line/],
    [
      { out: 'init atomic_pool_size=1 dev=kpdma wq=0\n3 pool dma avail=0' },
      /x\.out:2: dump line for '3' before its op line/,
    ],
    [
      { out: 'init atomic_pool_size=1 dev=kpdma wq=0\ninit pool dmb avail=0' },
      /x\.out:2: unknown pool 'dmb'/,
    ],
    [
      { out: 'init atomic_pool_size=1 dev=kpdma wq=0\ninit chunk dma#0 phys=zz' },
      /x\.out:2: malformed chunk line/,
    ],
    [
      {
        ops: 'W\n',
        out: 'init atomic_pool_size=1 dev=kpdma wq=0\n0 S -> state | dma=0/0 dma32=0/0 kernel=0/0 wq=0',
      },
      /x\.out:2: op 0 is 'S' here but 'W' in the ops file/,
    ],
    [
      {
        out: 'init atomic_pool_size=1 dev=kpdma wq=0\n9999 S -> state | dma=0/0 dma32=0/0 kernel=0/0 wq=0',
      },
      /x\.out:2: op 9999 is not in the ops file/,
    ],
  ])('rejects %j with a one-line ConformanceInputError', (patch, message) => {
    const seq = { ...good, name: 'x', ...patch };
    expect(() => checkDmaPoolSequence(seq)).toThrow(ConformanceInputError);
    expect(() => checkDmaPoolSequence(seq)).toThrow(message);
    try {
      checkDmaPoolSequence(seq);
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('pairs files into sequences and requires the .out', () => {
    expect(
      dmaPoolSequenceNames([
        'b.ops',
        'b.out',
        'b.boot.json',
        'a.ops',
        'a.out',
        'a.boot.json',
        'g.ops',
        'g.out',
      ]),
    ).toEqual(['a', 'b']);
    expect(() => dmaPoolSequenceNames(['c.ops', 'c.boot.json'])).toThrow(
      /c\.ops: no c\.out beside it/,
    );
  });
});
