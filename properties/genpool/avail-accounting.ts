/** I10: lib/genalloc.c, gen_pool_alloc_algo_owner() / gen_pool_free_owner() accounting, 6.1. */
import {
  type GenPoolChunk,
  gen_pool_avail,
  gen_pool_size,
  hweight32,
} from '../../models/genpool/index.ts';
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { AddedChunk, GenpoolState } from '../../src/systems/genpool/system.ts';
import { property, type Violation } from '../property.ts';
import { chunkViolation } from './fit.ts';

/** Allocated granules: set bits anywhere in the chunk's bitmap. */
function allocatedGranules(chunk: GenPoolChunk): number {
  let n = 0;
  for (const w of chunk.bits) n += hweight32(w);
  return n;
}

function checkChunk(c: AddedChunk, g: number): Violation | null {
  const used = allocatedGranules(c.chunk);
  const want = c.size - used * g;
  return c.chunk.avail === want
    ? null
    : chunkViolation(
        c,
        `avail ${c.chunk.avail} != size ${c.size} - ${used} granules * ${g} = ${want}`,
      );
}

function checkTotals(state: GenpoolState): Violation | null {
  let avail = 0;
  let size = 0;
  for (const c of state.added) {
    avail += c.chunk.avail;
    size += c.size;
  }
  const got = gen_pool_avail(state.pool);
  if (got !== avail)
    return { subject: 'pool', message: `gen_pool_avail ${got} != sum of chunk avail ${avail}` };
  const s = gen_pool_size(state.pool);
  return s === size
    ? null
    : { subject: 'pool', message: `gen_pool_size ${s} != sizes added ${size}` };
}

function touched(state: GenpoolState): AddedChunk | null {
  const ev = state.last;
  if (ev === null) return null;
  if (ev.kind === 'alloc' || ev.kind === 'free' || ev.kind === 'add') return ev.chunk;
  return null;
}

export default property<GenpoolState, GenpoolOp>({
  id: 'genpool/avail-accounting',
  ref: 'I10',
  statement:
    'Every chunk has avail == size - (allocated granules x 2^min_alloc_order), its tail bytes included, ' +
    'and gen_pool_avail / gen_pool_size are the sums over chunks, with no overflow at 4 GiB and beyond.',
  system: 'genpool',
  after: ['gen_pool_alloc_algo', 'gen_pool_alloc', 'gen_pool_free', 'gen_pool_add_virt'],
  check: ({ state }) => {
    const c = touched(state);
    return (c === null ? null : checkChunk(c, state.g)) ?? checkTotals(state);
  },
  atEnd: (state) => {
    for (const c of state.added) {
      const v = checkChunk(c, state.g);
      if (v !== null) return v;
    }
    return checkTotals(state);
  },
  witness: ({ state }) => {
    const c = touched(state);
    return c !== null && c.size % state.g !== 0 && allocatedGranules(c.chunk) > 0;
  },
  catches: [{ mutant: 'avail-raw-bytes' }, { mutant: 'nbits-int32', zoo: 'BZ-26' }],
});
