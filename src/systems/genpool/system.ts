/**
 * The gen_pool system: one pool of models/genpool driven by the ops of
 * ops.ts, with the caller's view kept beside it (the live blocks and the
 * chunks as added), so properties can judge the model against what a caller
 * asked for. Each step records what it did in `state.last` (structured) and
 * in its Outcome (kernel terms, for reports).
 *
 * This file executes; it never generates ops (ops.ts) nor checks (properties/genpool).
 * A `variant` swaps in broken algorithms or wraps model entry points, which
 * is how test mutants run without editing the model.
 */
import {
  chunk_size,
  type GenPool,
  type GenPoolAlgo,
  type GenPoolBug,
  type GenPoolChunk,
  type GenPoolData,
  gen_pool_add_virt,
  gen_pool_alloc_algo_owner,
  gen_pool_avail,
  gen_pool_best_fit,
  gen_pool_create,
  gen_pool_first_fit,
  gen_pool_first_fit_align,
  gen_pool_first_fit_order_align,
  gen_pool_fixed_alloc,
  gen_pool_free,
  gen_pool_has_addr,
  gen_pool_set_algo,
  gen_pool_size,
} from '../../../models/genpool/index.ts';
import type { Outcome, StateTable, System } from '../../harness/system.ts';
import {
  GENPOOL_OP_KINDS,
  type GenpoolAlgoName,
  type GenpoolOp,
  genpoolOpArbitrary,
} from './ops.ts';

/** A configuration: the pool's order, its first chunks, and the generator's bounds. */
export interface GenpoolConfig {
  readonly min_alloc_order: number;
  /** Chunks added at init, in order (the last one is searched first). */
  readonly chunks: readonly { readonly virt: number; readonly size: number }[];
  /** Most chunks a run reaches; a gen_pool_add_virt beyond it is skipped. */
  readonly maxChunks: number;
  /** Largest request, in granules. */
  readonly maxGranules: number;
  /** Largest chunk a gen_pool_add_virt step adds, in granules. */
  readonly maxChunkGranules: number;
}

/** Built-in configurations. Chunk starts are aligned to small powers of two only. */
export const GENPOOL_CONFIGS = {
  /** Like a DMA atomic pool: 4 KiB granules, a 64 KiB chunk on a 4 KiB (not 8 KiB) boundary. */
  pages: {
    min_alloc_order: 12,
    chunks: [{ virt: 0x100003000, size: 0x10000 }],
    maxChunks: 4,
    maxGranules: 96,
    maxChunkGranules: 48,
  },
  /** 8-byte granules, two chunks, one with a tail and an odd start. */
  bytes: {
    min_alloc_order: 3,
    chunks: [
      { virt: 0x100000040, size: 512 },
      { virt: 0x100000500, size: 803 },
    ],
    maxChunks: 5,
    maxGranules: 160,
    maxChunkGranules: 96,
  },
  /** 1-byte granules: every size is exact; order_align only. */
  order0: {
    min_alloc_order: 0,
    chunks: [{ virt: 0x7006, size: 256 }],
    maxChunks: 4,
    maxGranules: 300,
    maxChunkGranules: 200,
  },
  /** An 8 GiB chunk of 4 KiB granules: requests of 4 GiB and more (BZ-26). */
  huge: {
    min_alloc_order: 12,
    chunks: [{ virt: 0x200000000, size: 2 ** 33 }],
    maxChunks: 2,
    maxGranules: 2 ** 21,
    maxChunkGranules: 2 ** 20,
  },
} as const satisfies Record<string, GenpoolConfig>;

/** A chunk as the caller added it: the model's chunk plus the virt and size passed in. */
export interface AddedChunk {
  readonly chunk: GenPoolChunk;
  readonly virt: number;
  readonly size: number;
  /** Order of addition, from 0: "chunk 1" in reports. */
  readonly id: number;
}

/** A block the caller holds: its address and requested size, and the chunk that served it. */
export interface LiveBlock {
  readonly addr: number;
  readonly size: number;
  readonly algo: GenpoolAlgoName;
  readonly chunk: AddedChunk;
}

/** What the last step did, for properties. */
export type GenpoolEvent =
  | {
      readonly kind: 'alloc';
      readonly algo: GenpoolAlgoName;
      readonly data: GenPoolData | undefined;
      readonly size: number;
      /** Granules requested: ceil(size / g). */
      readonly nbits: number;
      readonly addr: number;
      /** The serving chunk, or null when the allocation failed. */
      readonly chunk: AddedChunk | null;
    }
  | {
      readonly kind: 'free';
      readonly addr: number;
      readonly size: number;
      readonly partial: boolean;
      readonly chunk: AddedChunk;
      readonly bug: GenPoolBug | null;
    }
  | { readonly kind: 'add'; readonly chunk: AddedChunk }
  | {
      readonly kind: 'has_addr';
      readonly start: number;
      readonly size: number;
      readonly result: boolean;
    }
  | { readonly kind: 'set_algo' };

export interface GenpoolState {
  readonly pool: GenPool;
  readonly g: number;
  /** Chunks in the order added (oldest first). */
  readonly added: AddedChunk[];
  readonly byChunk: Map<GenPoolChunk, AddedChunk>;
  readonly live: LiveBlock[];
  /** The pool's default algorithm, by name (gen_pool_set_algo). */
  algo: GenpoolAlgoName;
  last: GenpoolEvent | null;
}

/** A broken variant of the model, for mutation tests. Absent fields use the model. */
export interface GenpoolVariant {
  readonly id: string;
  readonly algos?: Partial<Readonly<Record<GenpoolAlgoName, GenPoolAlgo>>>;
  readonly gen_pool_add_virt?: typeof gen_pool_add_virt;
  readonly gen_pool_alloc_algo_owner?: typeof gen_pool_alloc_algo_owner;
  readonly gen_pool_free?: typeof gen_pool_free;
  readonly gen_pool_has_addr?: typeof gen_pool_has_addr;
}

export const GENPOOL_ALGO_FUNCTIONS: Readonly<Record<GenpoolAlgoName, GenPoolAlgo>> = {
  first_fit: gen_pool_first_fit,
  first_fit_align: gen_pool_first_fit_align,
  first_fit_order_align: gen_pool_first_fit_order_align,
  best_fit: gen_pool_best_fit,
  fixed_alloc: gen_pool_fixed_alloc,
};

/** Bytes as a report writes them: `12 KiB`, `4 MiB`, `4100`. */
export function fmtBytes(n: number): string {
  if (n >= 2 ** 20 && n % 2 ** 20 === 0) return `${n / 2 ** 20} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n}`;
}

const hex = (n: number) => `0x${n.toString(16)}`;

function dataOf(op: {
  algo: GenpoolAlgoName;
  align?: number;
  offset?: number;
}): GenPoolData | undefined {
  if (op.algo === 'first_fit_align') return { align: op.align ?? 0 };
  if (op.algo === 'fixed_alloc') return { offset: op.offset ?? 0 };
  return undefined;
}

function algoText(algo: GenpoolAlgoName, data: GenPoolData | undefined): string {
  if (data !== undefined && 'align' in data) return `${algo}, align ${fmtBytes(data.align)}`;
  if (data !== undefined && 'offset' in data) return `${algo}, offset ${hex(data.offset)}`;
  return algo;
}

/** One row per chunk: range, avail, and the bitmap as runs (`#` allocated, `.` free) when short. */
function chunkRows(state: GenpoolState): string[] {
  return state.added.map(({ chunk, id, size }) => {
    const head = `chunk ${id} ${hex(chunk.start_addr)}+${fmtBytes(size)} avail ${chunk.avail}`;
    if (chunk.end_bit > 40) return `${head} (${chunk.end_bit} bits)`;
    let map = '';
    for (let b = 0; b < chunk.end_bit; b++)
      map += Math.floor((chunk.bits[Math.floor(b / 32)] ?? 0) / 2 ** (b % 32)) % 2 ? '#' : '.';
    return `${head} ${map}`;
  });
}

/** The gen_pool system for `config`, with `variant`'s broken pieces swapped in. */
export function makeGenpoolSystem(
  config: GenpoolConfig = GENPOOL_CONFIGS.pages,
  variant: GenpoolVariant = { id: 'model' },
): System<GenpoolState, GenpoolOp> {
  const algoFn = (name: GenpoolAlgoName) => variant.algos?.[name] ?? GENPOOL_ALGO_FUNCTIONS[name];
  const addVirt = variant.gen_pool_add_virt ?? gen_pool_add_virt;
  const allocOwner = variant.gen_pool_alloc_algo_owner ?? gen_pool_alloc_algo_owner;
  const free = variant.gen_pool_free ?? gen_pool_free;
  const hasAddr = variant.gen_pool_has_addr ?? gen_pool_has_addr;
  const g = 2 ** config.min_alloc_order;

  function add(state: GenpoolState, virt: number, size: number): AddedChunk {
    addVirt(state.pool, virt, virt, size);
    const chunk = state.pool.chunks[0] as GenPoolChunk;
    const added: AddedChunk = { chunk, virt, size, id: state.added.length };
    state.added.push(added);
    state.byChunk.set(chunk, added);
    return added;
  }

  function allocate(
    state: GenpoolState,
    call: string,
    algo: GenpoolAlgoName,
    data: GenPoolData | undefined,
    size: number,
  ): Outcome {
    const fn = algoFn(algo);
    const { addr, chunk } = allocOwner(state.pool, size, fn, data);
    const served = chunk === null ? null : (state.byChunk.get(chunk) ?? null);
    state.last = {
      kind: 'alloc',
      algo,
      data,
      size,
      nbits: Math.ceil(size / g),
      addr,
      chunk: served,
    };
    const avail = gen_pool_avail(state.pool);
    if (served === null)
      return { context: 'test', call, result: `0 (no chunk fits), avail ${avail}` };
    state.live.push({ addr, size, algo, chunk: served });
    return {
      context: 'test',
      call,
      result: `${hex(addr)} (chunk ${served.id} +${hex(addr - served.virt)}), avail ${avail}`,
    };
  }

  function step(state: GenpoolState, op: GenpoolOp): Outcome | null {
    switch (op.op) {
      case 'gen_pool_alloc_algo': {
        const data = dataOf(op);
        const call = `gen_pool_alloc_algo(pool, ${fmtBytes(op.size)}, ${algoText(op.algo, data)})`;
        return allocate(state, call, op.algo, data, op.size);
      }
      case 'gen_pool_alloc':
        return allocate(
          state,
          `gen_pool_alloc(pool, ${fmtBytes(op.size)})`,
          state.algo,
          state.pool.data,
          op.size,
        );
      case 'gen_pool_set_algo': {
        const data = dataOf(op);
        gen_pool_set_algo(state.pool, algoFn(op.algo), data);
        state.algo = op.algo;
        state.last = { kind: 'set_algo' };
        return {
          context: 'test',
          call: `gen_pool_set_algo(pool, ${algoText(op.algo, data)})`,
          result: 'ok',
        };
      }
      case 'gen_pool_free': {
        const n = state.live.length;
        if (n === 0) return null;
        const i = op.pick % n;
        const block = state.live[i] as LiveBlock;
        const nb = Math.ceil(block.size / g);
        let addr = block.addr;
        let size = block.size;
        const rest: LiveBlock[] = [];
        if (op.part !== undefined && nb > 0) {
          const first = op.part.first % nb;
          const count = 1 + (op.part.count % (nb - first));
          addr = block.addr + first * g;
          size = count * g;
          if (first > 0) rest.push({ ...block, size: first * g });
          if (first + count < nb)
            rest.push({ ...block, addr: addr + size, size: (nb - first - count) * g });
        }
        const bug = free(state.pool, addr, size);
        state.live.splice(i, 1, ...rest);
        state.last = {
          kind: 'free',
          addr,
          size,
          partial: op.part !== undefined,
          chunk: block.chunk,
          bug,
        };
        return {
          context: 'test',
          call: `gen_pool_free(pool, ${hex(addr)}, ${fmtBytes(size)})`,
          result: bug === null ? `avail ${gen_pool_avail(state.pool)}` : `BUG: ${bug.bug}`,
        };
      }
      case 'gen_pool_add_virt': {
        if (state.added.length >= config.maxChunks) return null;
        let lo = Number.POSITIVE_INFINITY;
        let hi = 0;
        for (const c of state.added) {
          lo = Math.min(lo, c.virt);
          hi = Math.max(hi, c.virt + c.size);
        }
        const virt = op.below ? lo - op.gap - op.size : hi + op.gap;
        if (state.added.length === 0 || virt < 2 ** config.min_alloc_order) return null;
        const added = add(state, virt, op.size);
        state.last = { kind: 'add', chunk: added };
        return {
          context: 'test',
          call: `gen_pool_add_virt(pool, ${hex(virt)}, ${hex(virt)}, ${fmtBytes(op.size)})`,
          result: `chunk ${added.id}, avail ${gen_pool_avail(state.pool)} size ${gen_pool_size(state.pool)}`,
        };
      }
      case 'gen_pool_has_addr': {
        const n = state.added.length;
        if (n === 0) return null;
        const c = state.added[op.pick % n] as AddedChunk;
        const base =
          op.at === 'start'
            ? c.virt
            : op.at === 'end'
              ? c.virt + c.size - op.size
              : c.virt + Math.floor((c.size * op.delta) / 1000);
        const start = Math.max(0, op.at === 'inside' ? base : base + op.delta);
        const result = hasAddr(state.pool, start, op.size);
        state.last = { kind: 'has_addr', start, size: op.size, result };
        return {
          context: 'test',
          call: `gen_pool_has_addr(pool, ${hex(start)}, ${fmtBytes(op.size)})`,
          result: String(result),
        };
      }
    }
  }

  const first = config.chunks.map((c) => `${hex(c.virt)}+${fmtBytes(c.size)}`).join(', ');
  return {
    name: 'genpool',
    setup: `gen_pool order ${config.min_alloc_order} (${fmtBytes(g)} granule), chunks ${first}${variant.id === 'model' ? '' : `, variant ${variant.id}`}`,
    opKinds: GENPOOL_OP_KINDS,
    init() {
      const state: GenpoolState = {
        pool: gen_pool_create(config.min_alloc_order),
        g,
        added: [],
        byChunk: new Map(),
        live: [],
        algo: 'first_fit',
        last: null,
      };
      for (const c of config.chunks) add(state, c.virt, c.size);
      return state;
    },
    step,
    snapshot: (state): StateTable[] => [
      {
        title: `gen_pool: avail ${gen_pool_avail(state.pool)} size ${gen_pool_size(state.pool)}, algo ${state.algo}`,
        rows: chunkRows(state),
      },
    ],
    ops: genpoolOpArbitrary(config),
  };
}

export { chunk_size };
