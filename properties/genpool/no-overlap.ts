/** I10: lib/genalloc.c gen_pool_alloc_algo_owner(), 6.1: blocks are disjoint and inside their chunk. */
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { GenpoolState, LiveBlock } from '../../src/systems/genpool/system.ts';
import { property, type Violation } from '../property.ts';
import { chunkViolation, lastAlloc } from './fit.ts';

const hex = (n: number) => `0x${n.toString(16)}`;

/** The granules a block holds, as bytes: [addr, addr + ceil(size / g) * g). */
function span(b: LiveBlock, g: number): [number, number] {
  return [b.addr, b.addr + Math.ceil(b.size / g) * g];
}

function insideChunk(b: LiveBlock, g: number): Violation | null {
  const c = b.chunk;
  const [s, e] = span(b, g);
  const usableEnd = c.virt + Math.floor(c.size / g) * g;
  if (s >= c.virt && (s - c.virt) % g === 0 && e <= usableEnd) return null;
  return chunkViolation(
    c,
    `block ${hex(s)}-${hex(e - 1)} is not on whole granules inside ${hex(c.virt)}-${hex(usableEnd - 1)}`,
  );
}

function overlap(a: LiveBlock, b: LiveBlock, g: number): Violation | null {
  const [as, ae] = span(a, g);
  const [bs, be] = span(b, g);
  if (as >= be || bs >= ae) return null;
  return chunkViolation(
    a.chunk,
    `block ${hex(as)}+${ae - as} overlaps live block ${hex(bs)}+${be - bs}`,
  );
}

export default property<GenpoolState, GenpoolOp>({
  id: 'genpool/no-overlap',
  ref: 'I10',
  statement:
    'Live blocks, each counted as its ceil(size / g) granules, never overlap, and each lies on whole ' +
    'granules inside the floor(size / g) usable granules of one chunk.',
  system: 'genpool',
  after: ['gen_pool_alloc_algo', 'gen_pool_alloc'],
  check: ({ state }) => {
    const ev = lastAlloc(state);
    if (ev === null || ev.chunk === null) return null;
    // the new block is the last live one; only it can have broken the invariant
    const nb = state.live[state.live.length - 1] as LiveBlock;
    const v = insideChunk(nb, state.g);
    if (v !== null) return v;
    for (let i = 0; i < state.live.length - 1; i++) {
      const o = overlap(nb, state.live[i] as LiveBlock, state.g);
      if (o !== null) return o;
    }
    return null;
  },
  atEnd: (state) => {
    const blocks = [...state.live].sort((a, b) => a.addr - b.addr);
    for (const [i, b] of blocks.entries()) {
      const v = insideChunk(b, state.g);
      if (v !== null) return v;
      const next = blocks[i + 1];
      const o = next === undefined ? null : overlap(b, next, state.g);
      if (o !== null) return o;
    }
    return null;
  },
  witness: ({ state }) => {
    const ev = lastAlloc(state);
    return ev?.chunk != null && state.live.filter((b) => b.chunk === ev.chunk).length > 1;
  },
  catches: [{ mutant: 'zero-area-no-recheck' }, { mutant: 'end-bit-rounds-up' }],
});
