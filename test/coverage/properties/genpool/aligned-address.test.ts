/**
 * genpool/aligned-address (I11) on a chunk that does not start on a
 * granule: first_fit_align then aligns the granule index plus the chunk
 * start's offset (genalloc.md), and an address off that rule is reported.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/aligned-address.ts';
import {
  type AddedChunk,
  GENPOOL_CONFIGS,
  type GenpoolEvent,
} from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';
import { allocEvent, chunkOf, handPool } from './hand.ts';

// bytes: chunks at 0x100000040+512 and 0x100000500+803; the next one starts at 0x100000823
const addOdd = { op: 'gen_pool_add_virt', size: 256, gap: 0, below: false } as const;
const alloc = { op: 'gen_pool_alloc_algo', algo: 'first_fit_align', size: 8, align: 64 } as const;

describe('aligned-address on a chunk off the granule grid', () => {
  it('accepts the model and reports an address one granule off', () => {
    const s = poolAfter(GENPOOL_CONFIGS.bytes, [addOdd, alloc]);
    const ev = s.last;
    if (ev?.kind !== 'alloc' || ev.chunk === null) throw new Error('allocation failed');
    expect(ev.chunk.virt).toBe(0x100000823);
    expect(ev.chunk.virt % 8).toBe(3);
    expect(prop.check?.(ctx(s, alloc))).toBeNull();
    expect(prop.witness?.(ctx(s, alloc))).toBe(true);
    // offset floor((0x823 % 64) / 8) = 4 granules: the allowed bits are 4, 12, 20, ...
    const bit = (ev.addr - ev.chunk.virt) / 8;
    expect((bit + 4) % 8).toBe(0);
    s.last = { ...ev, addr: ev.addr + 8 };
    expect(prop.check?.(ctx(s, alloc))?.message).toBe(
      `0x${(ev.addr + 8).toString(16)} for 8 bytes = 1 granules (first_fit_align, align 64): bit ${bit + 1} + offset 4 not aligned`,
    );
  });
});

/**
 * Hand-built events on g = 8 chunks: chunk 0 at 0x1018 (on a granule, not
 * on 64), chunk 1 at 0x2023 (off the granule grid: offset floor(35 / 8) = 4
 * granules for align 64), chunk 2 at 0x3000 (on 64). Each row is one side of
 * one clause of the statement.
 */
describe('aligned-address, clause by clause', () => {
  const s = handPool(3, [
    { virt: 0x1018, size: 512 },
    { virt: 0x2023, size: 256 },
    { virt: 0x3000, size: 256 },
  ]);
  const [c0, c1, c2] = [chunkOf(s, 0), chunkOf(s, 1), chunkOf(s, 2)];
  const op = { op: 'gen_pool_alloc', size: 8 } as const;
  const ffa = (align: number, addr: number, chunk: AddedChunk | null = c0, size = 8) =>
    allocEvent(s, { algo: 'first_fit_align', data: { align }, size, addr, chunk });
  const run = (ev: GenpoolEvent | null) => {
    s.last = ev;
    return { check: prop.check?.(ctx(s, op)) ?? null, witness: prop.witness?.(ctx(s, op)) };
  };
  const sub0 = 'chunk 0 0x1018+512';

  const checks: [string, GenpoolEvent | null, string | null][] = [
    // align > g on a granule-aligned chunk: the absolute address is a multiple of align
    ['align 64 at 0x1040 (a multiple of 64, bit 5)', ffa(64, 0x1040), null],
    ['align 64 at 0x1080', ffa(64, 0x1080), null],
    [
      'align 64 at the chunk start 0x1018',
      ffa(64, 0x1018),
      '0x1018 for 8 bytes = 1 granules (first_fit_align, align 64): address not a multiple of 64',
    ],
    [
      'align 64 at 0x1038, one granule short of 0x1040',
      ffa(64, 0x1038),
      '0x1038 for 8 bytes = 1 granules (first_fit_align, align 64): address not a multiple of 64',
    ],
    // align == g is covered by the statement (align >= g): the address is on a granule
    ['align 8 (= g) at 0x1020', ffa(8, 0x1020), null],
    [
      'align 8 (= g) at 0x101c, half a granule in',
      ffa(8, 0x101c),
      '0x101c for 8 bytes = 1 granules (first_fit_align, align 8): address not a multiple of 8',
    ],
    // align < g and a non-power-of-two align: the statement claims nothing
    ['align 4 (< g) at 0x101a', ffa(4, 0x101a), null],
    ['align 48 (not a power of two) at 0x1020', ffa(48, 0x1020), null],
    // a chunk off the granule grid: (bit + 4) % 8 == 0
    ['align 64 in chunk 1 at bit 4', ffa(64, 0x2023 + 32, c1), null],
    [
      'align 64 in chunk 1 at bit 5',
      ffa(64, 0x2023 + 40, c1),
      '0x204b for 8 bytes = 1 granules (first_fit_align, align 64): bit 5 + offset 4 not aligned',
    ],
    // order_align: 3 granules align to 4 within the chunk
    [
      'order_align 3 granules at bit 4',
      allocEvent(s, { algo: 'first_fit_order_align', size: 24, addr: 0x1018 + 32, chunk: c0 }),
      null,
    ],
    [
      'order_align 3 granules at bit 2',
      allocEvent(s, { algo: 'first_fit_order_align', size: 24, addr: 0x1018 + 16, chunk: c0 }),
      '0x1028 for 24 bytes = 3 granules (first_fit_order_align): bit 2 in the chunk is not a multiple of 4',
    ],
    // fixed_alloc: exactly chunk start + offset
    [
      'fixed_alloc offset 16 at start + 16',
      allocEvent(s, {
        algo: 'fixed_alloc',
        data: { offset: 16 },
        size: 8,
        addr: 0x1028,
        chunk: c0,
      }),
      null,
    ],
    [
      'fixed_alloc offset 16 at start + 24',
      allocEvent(s, {
        algo: 'fixed_alloc',
        data: { offset: 16 },
        size: 8,
        addr: 0x1030,
        chunk: c0,
      }),
      '0x1030 for 8 bytes = 1 granules (fixed_alloc, offset 0x10): not at chunk start + 0x10',
    ],
    // other algorithms are not bound by data they do not read
    [
      'first_fit with align data at 0x1020',
      allocEvent(s, { algo: 'first_fit', data: { align: 64 }, size: 8, addr: 0x1020, chunk: c0 }),
      null,
    ],
    [
      'best_fit with offset data at start + 8',
      allocEvent(s, { algo: 'best_fit', data: { offset: 0 }, size: 8, addr: 0x1020, chunk: c0 }),
      null,
    ],
    ['a failed allocation', ffa(64, 0, null), null],
    ['no step yet', null, null],
  ];

  it.each(checks)('check: %s', (_, ev, message) => {
    const { check } = run(ev);
    if (message === null) expect(check).toBeNull();
    else expect(check).toMatchObject({ subject: expect.stringMatching(/^chunk \d/), message });
  });

  it('reports the serving chunk as the subject', () => {
    expect(run(ffa(64, 0x1018)).check?.subject).toBe(sub0);
    expect(run(ffa(64, 0x2023 + 40, c1)).check?.subject).toBe('chunk 1 0x2023+256');
  });

  const witnesses: [string, GenpoolEvent | null, boolean][] = [
    ['align 64 on a chunk at 0x1018 (not on 64)', ffa(64, 0x1040), true],
    ['align 64 on a chunk at 0x2023', ffa(64, 0x2023 + 32, c1), true],
    ['align 64 on a chunk at 0x3000 (on 64)', ffa(64, 0x3000, c2), false],
    ['align 48 (not a power of two) on 0x1018', ffa(48, 0x1020), false],
    ['align 8 (= g) on 0x2023', ffa(8, 0x2023, c1), false],
    ['align 4 (< g) on 0x2023', ffa(4, 0x2023, c1), false],
    [
      'first_fit carrying align data on 0x1018',
      allocEvent(s, { algo: 'first_fit', data: { align: 64 }, size: 8, addr: 0x1018, chunk: c0 }),
      false,
    ],
    [
      'first_fit_align without data',
      allocEvent(s, { algo: 'first_fit_align', size: 8, addr: 0x1018, chunk: c0 }),
      false,
    ],
    ['a failed first_fit_align of align 64', ffa(64, 0, null), false],
    ['no step yet', null, false],
  ];

  it.each(witnesses)('witness: %s', (_, ev, want) => {
    expect(run(ev).witness).toBe(want);
  });
});
