/**
 * Hand-built gen_pool states for the property coverage tests: a pool of
 * chunks added through the model (so each chunk is exactly what
 * gen_pool_add_virt makes), granules marked allocated one by one, and the
 * event of a last step written out in full. Used where the system's ops
 * cannot reach a state (a chunk at virt 0, a stray bit) or where a test
 * needs one exact boundary.
 */
import { gen_pool_add_virt, gen_pool_create } from '../../../../models/genpool/index.ts';
import type { GenpoolAlgoName } from '../../../../src/systems/genpool/ops.ts';
import type {
  AddedChunk,
  GenpoolEvent,
  GenpoolState,
} from '../../../../src/systems/genpool/system.ts';

type AllocEvent = Extract<GenpoolEvent, { kind: 'alloc' }>;

/** A pool of order `order` with `chunks` added oldest first (the last one is chunk id n - 1, searched first). */
export function handPool(
  order: number,
  chunks: readonly { readonly virt: number; readonly size: number }[],
): GenpoolState {
  const pool = gen_pool_create(order);
  const state: GenpoolState = {
    pool,
    g: 2 ** order,
    added: [],
    byChunk: new Map(),
    live: [],
    algo: 'first_fit',
    last: null,
  };
  for (const { virt, size } of chunks) {
    gen_pool_add_virt(pool, virt, virt, size);
    const chunk = pool.chunks[0];
    if (chunk === undefined) throw new Error('gen_pool_add_virt added nothing');
    const added: AddedChunk = { chunk, virt, size, id: state.added.length };
    state.added.push(added);
    state.byChunk.set(chunk, added);
  }
  return state;
}

/** Chunk `id` of a hand-built pool. */
export function chunkOf(state: GenpoolState, id: number): AddedChunk {
  const c = state.added[id];
  if (c === undefined) throw new Error(`no chunk ${id}`);
  return c;
}

/** Marks granules [from, to) of `c` allocated in its bitmap (avail is left alone). */
export function setBits(c: AddedChunk, from: number, to: number): void {
  const bits = c.chunk.bits;
  for (let b = from; b < to; b++) {
    const w = Math.floor(b / 32);
    bits[w] = ((bits[w] ?? 0) | (1 << (b % 32))) >>> 0;
  }
}

/** An allocation event: `size` bytes of `algo` (with its data) at `addr` in `chunk` (null: failed). */
export function allocEvent(
  state: GenpoolState,
  fields: {
    algo: GenpoolAlgoName;
    size: number;
    addr: number;
    chunk: AddedChunk | null;
    data?: { align: number } | { offset: number };
  },
): AllocEvent {
  return {
    kind: 'alloc',
    algo: fields.algo,
    data: fields.data,
    size: fields.size,
    nbits: Math.ceil(fields.size / state.g),
    addr: fields.addr,
    chunk: fields.chunk,
  };
}
