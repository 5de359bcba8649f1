/**
 * DMA atomic pool conformance (issue 9): replays a kernel trace of
 * kernel/dma/pool.c (`NAME.ops`, `NAME.out`, `NAME.boot.json`, read off
 * Debian 6.1.192; the token language is in data/ground-truth/README.md)
 * through models/dma/pool.ts, prints the model's own `.out` in the kernel
 * module's format, and compares every line.
 *
 * Inputs taken from the kernel, because the page allocator decides them: the
 * size and physical address of each chunk, from boot.json (chunk 0) and from
 * the dump after the `W` that created it. Everything else is the model's:
 * atomic_pool_size (from the sizing rule, the command line and the zones'
 * managed pages), which pools exist, every block, avail, `wq`, `pending`,
 * used page, debugfs counter and warning. boot.json's own `atomic_pool_size`
 * and "DMA: preallocated" lines are compared too (line 0 of the result).
 *
 * Never reads files (the caller passes their text) and never renders reports.
 */

import {
  type AtomicPool,
  coherentPoolParam,
  createDmaPoolState,
  DMA_BIT_MASK,
  type DmaPoolState,
  dma_alloc_from_pool,
  dma_atomic_pool_init,
  dma_free_from_pool,
  early_coherent_pool,
  flush_work,
  GFP_ATOMIC,
  GFP_DMA,
  GFP_DMA32,
  type Gfp,
  PAGE_SIZE,
  type PhysAddrOk,
  type PoolDevice,
  type PoolEnv,
  type PoolMessage,
  type PoolName,
  poolOf,
} from '../../models/dma/pool.ts';
import { type DmaPoolRules, dmaPoolRules } from '../../models/dma/rules.ts';
import {
  find_next_bit,
  find_next_zero_bit,
  type GenPoolChunk,
  gen_pool_avail,
  gen_pool_size,
} from '../../models/genpool/index.ts';
import { __GFP_NOWARN } from '../../models/page_alloc/gfp.ts';
import { ConformanceInputError, type Divergence } from './errors.ts';

export { ConformanceInputError };

// ---------------------------------------------------------------------------
// Tokens.

/** One `.ops` token. */
export type DmaPoolToken =
  | {
      readonly kind: 'A';
      readonly size: number;
      readonly gfp: Gfp;
      /** `:<bits>`: the device masks become DMA_BIT_MASK(bits) and the address is checked. */
      readonly bits: number | null;
    }
  | { readonly kind: 'F'; readonly index: number }
  | { readonly kind: 'W' }
  | { readonly kind: 'S' };

export interface DmaPoolOp {
  /** The token as written (echoed on the op line). */
  readonly text: string;
  readonly token: DmaPoolToken;
}

const GFP_OF: Readonly<Record<string, Gfp>> = {
  K: GFP_ATOMIC,
  D32: GFP_ATOMIC | GFP_DMA32,
  D: GFP_ATOMIC | GFP_DMA,
};

function safeInt(s: string, what: string, file: string, line: number): number {
  const v = Number(s);
  if (!Number.isSafeInteger(v) || v >= 2 ** 52)
    throw new ConformanceInputError(`${file}:${line}: ${what} ${s} is not an integer below 2^52`);
  return v;
}

/** Parses `.ops` text (one token a line, blank lines ignored). Throws ConformanceInputError. */
export function parseDmaPoolOps(text: string, file = 'ops'): DmaPoolOp[] {
  const ops: DmaPoolOp[] = [];
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim();
    const line = i + 1;
    if (t === '') return;
    let m = /^A([0-9]+):(K|D32|D)(N?)(?::([0-9]+))?$/.exec(t);
    if (m) {
      const bits = m[4] === undefined ? null : safeInt(m[4], 'mask width', file, line);
      if (bits !== null && (bits < 1 || bits > 64))
        throw new ConformanceInputError(`${file}:${line}: mask width ${bits} not in 1..64`);
      const gfp = (GFP_OF[m[2] as string] as Gfp) | (m[3] === 'N' ? __GFP_NOWARN : 0);
      ops.push({
        text: t,
        token: { kind: 'A', size: safeInt(m[1] as string, 'size', file, line), gfp, bits },
      });
      return;
    }
    m = /^F([0-9]+)$/.exec(t);
    if (m) {
      ops.push({
        text: t,
        token: { kind: 'F', index: safeInt(m[1] as string, 'op index', file, line) },
      });
      return;
    }
    if (t === 'W' || t === 'S') {
      ops.push({ text: t, token: { kind: t } });
      return;
    }
    throw new ConformanceInputError(`${file}:${line}: malformed token '${t}'`);
  });
  return ops;
}

// ---------------------------------------------------------------------------
// boot.json.

/** A chunk as a dump or boot.json lists it. */
export interface TraceChunk {
  readonly index: number;
  readonly phys: number;
  readonly size: number;
}

/** What the replay needs from `NAME.boot.json`. */
export interface DmaPoolBoot {
  readonly cmdline: string;
  readonly atomic_pool_size: number;
  /** The pools right after boot (null: not created). */
  readonly pools_initial: Readonly<Record<PoolName, readonly TraceChunk[] | null>>;
  readonly dmesg_atomic_pools: readonly string[];
  /** Managed pages per zone just before the module ran. */
  readonly managed: { readonly DMA: number; readonly DMA32: number; readonly Normal: number };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hexOrNumber(v: unknown, what: string, file: string): number {
  const n = typeof v === 'string' && /^0x[0-9a-fA-F]+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n >= 2 ** 52)
    throw new ConformanceInputError(`${file}: ${what} is not an address or size below 2^52`);
  return n;
}

/** Parses `NAME.boot.json` text. Throws ConformanceInputError. */
export function parseDmaPoolBoot(text: string, file = 'boot.json'): DmaPoolBoot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConformanceInputError(`${file}: not valid JSON`);
  }
  if (!isRecord(raw)) throw new ConformanceInputError(`${file}: not a JSON object`);
  const { cmdline, atomic_pool_size, pools_initial, dmesg_atomic_pools, zones_before_run } = raw;
  if (typeof cmdline !== 'string') throw new ConformanceInputError(`${file}: no cmdline string`);
  const size = hexOrNumber(atomic_pool_size, 'atomic_pool_size', file);
  if (!isRecord(pools_initial)) throw new ConformanceInputError(`${file}: no pools_initial object`);
  const pools = {} as Record<PoolName, readonly TraceChunk[] | null>;
  for (const name of ['dma', 'dma32', 'kernel'] as const) {
    const p = pools_initial[name];
    if (p === null || p === undefined) {
      pools[name] = null;
      continue;
    }
    if (!isRecord(p) || !Array.isArray(p.chunks))
      throw new ConformanceInputError(`${file}: pools_initial.${name} has no chunks array`);
    pools[name] = p.chunks.map((c: unknown, k: number) => {
      const at = `pools_initial.${name}.chunks[${k}]`;
      if (!isRecord(c)) throw new ConformanceInputError(`${file}: ${at} is not an object`);
      return {
        index: hexOrNumber(c.index ?? k, `${at}.index`, file),
        phys: hexOrNumber(c.phys, `${at}.phys`, file),
        size: hexOrNumber(c.size, `${at}.size`, file),
      };
    });
  }
  if (!Array.isArray(dmesg_atomic_pools) || !dmesg_atomic_pools.every((l) => typeof l === 'string'))
    throw new ConformanceInputError(`${file}: dmesg_atomic_pools is not a list of strings`);
  if (!Array.isArray(zones_before_run))
    throw new ConformanceInputError(`${file}: no zones_before_run array`);
  const managed = { DMA: 0, DMA32: 0, Normal: 0 };
  for (const z of zones_before_run) {
    if (!isRecord(z) || typeof z.zone !== 'string' || typeof z.managed !== 'number')
      throw new ConformanceInputError(`${file}: a zones_before_run entry lacks zone or managed`);
    if (z.zone === 'DMA' || z.zone === 'DMA32' || z.zone === 'Normal') managed[z.zone] = z.managed;
  }
  return {
    cmdline,
    atomic_pool_size: size,
    pools_initial: pools,
    dmesg_atomic_pools: dmesg_atomic_pools as string[],
    managed,
  };
}

// ---------------------------------------------------------------------------
// The kernel's `.out`.

/** One line of `.out`, with the block (op) it belongs to. */
interface OutLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly text: string;
}

/** `.out` cut into blocks: `init`, one per op (warnings first), `done`. */
export interface DmaPoolOut {
  /** Device name from the init line. */
  readonly dev: string;
  readonly blocks: ReadonlyMap<string, readonly OutLine[]>;
  /** The chunks each dump lists, by dump index (`init` or the op index), per pool. */
  readonly dumps: ReadonlyMap<string, Readonly<Partial<Record<PoolName, readonly TraceChunk[]>>>>;
}

const POOL_NAMES = new Set<string>(['dma', 'dma32', 'kernel']);

/** Parses `.out` text against its ops. Throws ConformanceInputError on a line of unknown shape. */
export function parseDmaPoolOut(text: string, ops: readonly DmaPoolOp[], file = 'out'): DmaPoolOut {
  const blocks = new Map<string, OutLine[]>();
  const dumps = new Map<string, Partial<Record<PoolName, TraceChunk[]>>>();
  let pendingWarnings: OutLine[] = [];
  let dev: string | null = null;
  const push = (key: string, l: OutLine) => {
    const b = blocks.get(key);
    if (b === undefined) blocks.set(key, [l]);
    else b.push(l);
  };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.replace(/\r$/, '');
    const l = { line, text: t };
    const bad = (why: string) => new ConformanceInputError(`${file}:${line}: ${why}`);
    if (t.startsWith('! ')) {
      pendingWarnings.push(l);
      return;
    }
    let m = /^init atomic_pool_size=([0-9]+) dev=(\S+) wq=[01]$/.exec(t);
    if (m) {
      dev = m[2] as string;
      push('init', l);
      return;
    }
    m = /^done ([0-9]+) ops$/.exec(t);
    if (m) {
      push('done', l);
      return;
    }
    m = /^(init|[0-9]+) (pool|chunk|used) (\S+)(.*)$/.exec(t);
    if (m) {
      const key = m[1] as string;
      if (!blocks.has(key)) throw bad(`dump line for '${key}' before its op line`);
      const what = m[2] as string;
      const name = (m[3] as string).split('#')[0] as string;
      if (!POOL_NAMES.has(name)) throw bad(`unknown pool '${name}'`);
      if (what === 'chunk') {
        const c =
          /^(init|[0-9]+) chunk (dma|dma32|kernel)#([0-9]+) phys=0x([0-9a-f]+) size=([0-9]+) avail=([0-9]+)$/.exec(
            t,
          );
        if (!c) throw bad('malformed chunk line');
        const d = dumps.get(key) ?? {};
        dumps.set(key, d);
        const pool = c[2] as PoolName;
        const list = d[pool] ?? [];
        d[pool] = list;
        list.push({
          index: Number(c[3]),
          phys: safeInt(`0x${c[4]}`, 'chunk phys', file, line),
          size: safeInt(c[5] as string, 'chunk size', file, line),
        });
      }
      push(key, l);
      return;
    }
    m = /^([0-9]+) (\S+) -> .* \| dma=\S+ dma32=\S+ kernel=\S+ wq=[01]$/.exec(t);
    if (m) {
      const index = Number(m[1]);
      const op = ops[index];
      if (op === undefined) throw bad(`op ${index} is not in the ops file`);
      if (op.text !== m[2])
        throw bad(`op ${index} is '${m[2]}' here but '${op.text}' in the ops file`);
      for (const w of pendingWarnings) push(String(index), w);
      pendingWarnings = [];
      push(String(index), l);
      return;
    }
    throw bad(`unrecognised line '${t.slice(0, 60)}'`);
  });
  // warnings after the last op line belong to no op: keep them at the end
  for (const w of pendingWarnings) push('done', w);
  if (dev === null) throw new ConformanceInputError(`${file}: no 'init atomic_pool_size=' line`);
  return { dev, blocks, dumps };
}

// ---------------------------------------------------------------------------
// The environment the trace supplies.

function poolOfGfp(gfp: Gfp): PoolName {
  return gfp & GFP_DMA ? 'dma' : gfp & GFP_DMA32 ? 'dma32' : 'kernel';
}

/**
 * A PoolEnv that hands out exactly the chunks the kernel got: for each pool,
 * the next chunk the trace shows (at most one per pool and per supply). An
 * order whose size differs from it fails, so the model's order fallback
 * reaches the size the kernel's page allocator gave. No CMA, no encryption
 * (the traced guest has neither).
 */
class TraceEnv implements PoolEnv {
  readonly mem_encrypt_active = false;
  private supply = new Map<PoolName, { phys: number; size: number | null }>();
  private lastPool: PoolName | null = null;

  /** The chunks the next init or worker run may create; `size: null` = an empty pool (gen_pool_add fails). */
  offer(pool: PoolName, phys: number, size: number | null): void {
    this.supply.set(pool, { phys, size });
  }

  clear(): void {
    this.supply.clear();
  }

  alloc_pages(gfp: Gfp, order: number): number | null {
    const pool = poolOfGfp(gfp);
    const c = this.supply.get(pool);
    if (c === undefined || (c.size !== null && c.size !== PAGE_SIZE * 2 ** order)) return null;
    this.supply.delete(pool);
    this.lastPool = c.size === null ? pool : null;
    return c.phys;
  }

  __free_pages(): void {}

  dev_get_cma_area(): null {
    return null;
  }

  dma_alloc_from_contiguous(): null {
    return null;
  }

  set_memory_decrypted(): number {
    return 0;
  }

  set_memory_encrypted(): number {
    return 0;
  }

  gen_pool_add_fails(): boolean {
    const fails = this.lastPool !== null;
    this.lastPool = null;
    return fails;
  }
}

// ---------------------------------------------------------------------------
// Rendering in the module's format.

const hex = (n: number) => `0x${n.toString(16)}`;

/** Longest `used` range list on one line; the module's own limit is not in the data (see report). */
export const USED_LINE_MAX = 200;

/** Allocated pages of a chunk as `a-b` ranges (a single page as `a`). */
export function usedRanges(chunk: GenPoolChunk): string[] {
  const out: string[] = [];
  const end = chunk.end_bit;
  let a = find_next_bit(chunk.bits, end, 0);
  while (a < end) {
    const b = find_next_zero_bit(chunk.bits, end, a) - 1;
    out.push(a === b ? String(a) : `${a}-${b}`);
    a = find_next_bit(chunk.bits, end, b + 1);
  }
  return out;
}

function poolSizeCounter(s: DmaPoolState, name: PoolName): number {
  return name === 'dma'
    ? s.pool_size_dma
    : name === 'dma32'
      ? s.pool_size_dma32
      : s.pool_size_kernel;
}

function genChunk(p: AtomicPool, phys: number): GenPoolChunk | undefined {
  return p.pool.chunks.find((c) => c.start_addr === phys);
}

/** The state dump the module prints after `init`, `W` and `S`. */
export function renderDump(s: DmaPoolState, key: string): string[] {
  const out: string[] = [];
  for (const name of ['dma', 'dma32', 'kernel'] as const) {
    const p = poolOf(s, name);
    const counter = `pool_size_${name}=${poolSizeCounter(s, name)}`;
    if (p === null) {
      // not in the data (every traced boot has all three pools): our choice
      out.push(`${key} pool ${name} none ${counter}`);
      continue;
    }
    out.push(
      `${key} pool ${name} avail=${gen_pool_avail(p.pool)} size=${gen_pool_size(p.pool)} ${counter} chunks=${p.chunks.length}`,
    );
    for (const c of p.chunks) {
      const g = genChunk(p, c.phys);
      out.push(
        `${key} chunk ${name}#${c.seq} phys=${hex(c.phys)} size=${c.size} avail=${g?.avail ?? 0}`,
      );
      const head = `${key} used ${name}#${c.seq}`;
      let line = '';
      for (const r of g === undefined ? [] : usedRanges(g)) {
        if (line !== '' && line.length + 1 + r.length > USED_LINE_MAX) {
          out.push(`${head} ${line}`);
          line = '';
        }
        line = line === '' ? r : `${line} ${r}`;
      }
      out.push(line === '' ? head : `${head} ${line}`);
    }
  }
  return out;
}

function poolSummary(s: DmaPoolState): string {
  const parts = (['dma', 'dma32', 'kernel'] as const).map((name) => {
    const p = poolOf(s, name);
    return p === null
      ? `${name}=none`
      : `${name}=${gen_pool_avail(p.pool)}/${gen_pool_size(p.pool)}`;
  });
  return `${parts.join(' ')} wq=${s.atomic_pool_work.pending ? 1 : 0}`;
}

/** A logged message as the `! ` lines of `.out` show it. */
export function renderMessage(m: PoolMessage): string[] {
  const out: string[] = [];
  if (m.text !== null) out.push(`! ${m.text}`);
  if (m.warn !== undefined)
    out.push(`! WARNING: at ${m.warn.site ?? 'kernel/dma/pool.c:?'} ${m.warn.function}`);
  return out;
}

// ---------------------------------------------------------------------------
// Replay.

/** One sequence: its name and the text of its three files. */
export interface DmaPoolSequence {
  readonly name: string;
  readonly ops: string;
  readonly out: string;
  readonly boot: string;
}

/** The model's output for a sequence, by block, and the final state. */
export interface DmaPoolReplay {
  readonly blocks: ReadonlyMap<string, readonly string[]>;
  readonly state: DmaPoolState;
  /** The model's "DMA: " dmesg lines at boot, in order. */
  readonly dmesg: readonly string[];
}

/**
 * Pages the traced kernel frees after postcore time (its init sections and
 * the initramfs), so that totalram_pages() when dma_atomic_pool_init() runs
 * is the final managed count minus this. Read off zones/boot-table.json:
 * every boot's final managed sum exceeds the totalram of its `Memory:` line
 * (which equals T at postcore to a few pages) by exactly 2279 pages
 * (test/models/dma/pool-sizing.test.ts checks it). It matters: the threshold
 * moves by a page every 8192 pages of T.
 */
export const PAGES_FREED_AFTER_POSTCORE = 2279;

/** totalram_pages() at postcore for a traced boot: its managed pages before the run, less the init memory freed later. */
export function totalramAtPostcore(boot: DmaPoolBoot): number {
  const { DMA, DMA32, Normal } = boot.managed;
  return Math.max(DMA + DMA32 + Normal - PAGES_FREED_AFTER_POSTCORE, 0);
}

/**
 * Replays a parsed sequence through the pool model. `dumps` gives the chunk
 * sizes and addresses the kernel's page allocator returned (the W dumps).
 */
export function replayDmaPool(
  ops: readonly DmaPoolOp[],
  boot: DmaPoolBoot,
  out: DmaPoolOut,
  rules: DmaPoolRules = dmaPoolRules['6.1'],
): DmaPoolReplay {
  const s = createDmaPoolState(rules);
  const env = new TraceEnv();
  const blocks = new Map<string, string[]>();
  const value = coherentPoolParam(boot.cmdline);
  if (value !== undefined) early_coherent_pool(s, value);
  for (const name of ['dma', 'dma32', 'kernel'] as const) {
    const chunks = boot.pools_initial[name];
    if (chunks === null) continue;
    const c0 = chunks[0];
    env.offer(name, c0?.phys ?? 0, c0?.size ?? null);
  }
  const { managed } = boot;
  dma_atomic_pool_init(s, env, { totalram_pages: totalramAtPostcore(boot), managed });
  env.clear();
  const dmesg = s.messages.flatMap((m) => (m.text !== null && m.level !== 'warn' ? [m.text] : []));
  blocks.set('init', [
    `init atomic_pool_size=${s.atomic_pool_size} dev=${out.dev} wq=${s.atomic_pool_work.pending ? 1 : 0}`,
    ...renderDump(s, 'init'),
  ]);

  // chunks the kernel dumps listed before, so a W offers only the ones it created
  const seen = new Set<string>();
  const remember = (key: string) => {
    const d = out.dumps.get(key);
    if (d === undefined) return;
    for (const [name, cs] of Object.entries(d)) for (const c of cs) seen.add(`${name}#${c.index}`);
  };
  remember('init');

  let dev: PoolDevice = { name: out.dev, coherent_dma_mask: DMA_BIT_MASK(32), bus_dma_limit: 0 };
  const check: PhysAddrOk = (d, phys, size) => phys + size - 1 <= limitOf(d);
  /** Per op index: the live block's address and the caller's size. */
  const live = new Map<number, { addr: number; size: number }>();
  ops.forEach(({ text, token }, i) => {
    const key = String(i);
    const before = s.messages.length;
    let result: string;
    const dump: string[] = [];
    switch (token.kind) {
      case 'A': {
        if (token.bits !== null) dev = { ...dev, coherent_dma_mask: DMA_BIT_MASK(token.bits) };
        const r = dma_alloc_from_pool(
          s,
          dev,
          token.size,
          token.gfp,
          token.bits === null ? null : check,
        );
        if (r.block === null) result = 'none';
        else {
          live.set(i, { addr: r.block.phys, size: token.size });
          result = `${r.block.pool}#${r.block.chunk}+${hex(r.block.offset)} phys=${hex(r.block.phys)}`;
        }
        break;
      }
      case 'F': {
        const b = live.get(token.index);
        if (b === undefined) {
          result = 'error not-allocated';
          break;
        }
        live.delete(token.index);
        const r = dma_free_from_pool(s, dev, b.addr, b.size);
        result =
          r.block === null
            ? 'notfreed'
            : `freed ${r.block.pool}#${r.block.chunk}+${hex(r.block.offset)}`;
        break;
      }
      case 'W': {
        for (const [name, cs] of Object.entries(out.dumps.get(key) ?? {}))
          for (const c of cs)
            if (!seen.has(`${name}#${c.index}`)) env.offer(name as PoolName, c.phys, c.size);
        const r = flush_work(s, env);
        env.clear();
        remember(key);
        result = `flushed pending=${r.pending ? 1 : 0}`;
        dump.push(...renderDump(s, key));
        break;
      }
      case 'S':
        remember(key);
        result = 'state';
        dump.push(...renderDump(s, key));
        break;
    }
    const lines = s.messages.slice(before).flatMap(renderMessage);
    lines.push(`${i} ${text} -> ${result} | ${poolSummary(s)}`, ...dump);
    blocks.set(key, lines);
  });
  blocks.set('done', [`done ${ops.length} ops`]);
  return { blocks, state: s, dmesg };
}

function limitOf(d: PoolDevice): number {
  const m = d.coherent_dma_mask;
  const b = d.bus_dma_limit;
  return m === 0 ? b : b === 0 ? m : Math.min(m, b);
}

// ---------------------------------------------------------------------------
// Comparison.

/** Where the model first disagrees: `line` is the 1-based `.out` line (0: a boot.json fact). */
export interface DmaPoolDivergence extends Divergence {
  readonly line: number;
}

/** How one sequence compares with the kernel. */
export interface DmaPoolConformance {
  /** Lines (and boot.json facts) equal in both. */
  readonly matched: number;
  /** Lines compared: per op, the longer of the two outputs, plus the boot.json facts. */
  readonly total: number;
  readonly firstDivergence?: DmaPoolDivergence;
}

/**
 * Joins continuation `used` lines (same index and chunk) into one, so the
 * comparison does not depend on where a long list is cut (the module's limit
 * is not in the data).
 */
function joinUsed<T extends { text: string }>(lines: readonly T[]): T[] {
  const out: T[] = [];
  let head: string | null = null;
  for (const l of lines) {
    const m = /^(\S+ used \S+)(?: (.+))?$/.exec(l.text);
    const prev = out[out.length - 1];
    if (m !== null && prev !== undefined && m[1] === head) {
      if (m[2] !== undefined) out[out.length - 1] = { ...prev, text: `${prev.text} ${m[2]}` };
      continue;
    }
    head = m === null ? null : (m[1] as string);
    out.push(l);
  }
  return out;
}

/** Compares the model's blocks with the kernel's, op by op. */
export function compareDmaPoolOut(
  name: string,
  out: DmaPoolOut,
  replay: DmaPoolReplay,
  boot: DmaPoolBoot,
): DmaPoolConformance {
  let matched = 0;
  let total = 0;
  let first: DmaPoolDivergence | undefined;
  const note = (ok: boolean, line: number, where: string, kernel: string, model: string) => {
    total += 1;
    if (ok) matched += 1;
    else first ??= { line, where, kernel, model };
  };
  const bootFile = `${name}.boot.json`;
  note(
    boot.atomic_pool_size === replay.state.atomic_pool_size,
    0,
    `${bootFile} atomic_pool_size`,
    String(boot.atomic_pool_size),
    String(replay.state.atomic_pool_size),
  );
  const nd = Math.max(boot.dmesg_atomic_pools.length, replay.dmesg.length);
  for (let j = 0; j < nd; j++) {
    const k = boot.dmesg_atomic_pools[j] ?? '(no line)';
    const m = replay.dmesg[j] ?? '(no line)';
    note(k === m, 0, `${bootFile} dmesg_atomic_pools[${j}]`, k, m);
  }
  const keys = [...out.blocks.keys()];
  for (const k of replay.blocks.keys()) if (!out.blocks.has(k)) keys.push(k);
  let lastLine = 0;
  for (const key of keys) {
    const kl = joinUsed(out.blocks.get(key) ?? []);
    const ml = joinUsed((replay.blocks.get(key) ?? []).map((text) => ({ text })));
    for (let j = 0; j < Math.max(kl.length, ml.length); j++) {
      const k = kl[j];
      const m = ml[j];
      if (k !== undefined) lastLine = k.line;
      const line = k?.line ?? lastLine;
      note(
        k?.text === m?.text,
        line,
        `${name}.out:${line}`,
        k?.text ?? '(no line)',
        m?.text ?? '(no line)',
      );
    }
  }
  return first === undefined ? { matched, total } : { matched, total, firstDivergence: first };
}

/**
 * Parses, replays and compares one sequence (the `.ops`, `.out` and
 * `.boot.json` texts). Throws ConformanceInputError on malformed input.
 */
export function checkDmaPoolSequence(
  seq: DmaPoolSequence,
  rules: DmaPoolRules = dmaPoolRules['6.1'],
): DmaPoolConformance {
  const ops = parseDmaPoolOps(seq.ops, `${seq.name}.ops`);
  const boot = parseDmaPoolBoot(seq.boot, `${seq.name}.boot.json`);
  const out = parseDmaPoolOut(seq.out, ops, `${seq.name}.out`);
  return compareDmaPoolOut(seq.name, out, replayDmaPool(ops, boot, out, rules), boot);
}

/**
 * The DMA pool sequences among a folder's file names: every `NAME.ops` with
 * a `NAME.boot.json` beside it (its `NAME.out` is then required). Sorted.
 */
export function dmaPoolSequenceNames(files: readonly string[]): string[] {
  const set = new Set(files);
  const names: string[] = [];
  for (const f of files) {
    if (!f.endsWith('.ops')) continue;
    const name = f.slice(0, -'.ops'.length);
    if (!set.has(`${name}.boot.json`)) continue;
    if (!set.has(`${name}.out`))
      throw new ConformanceInputError(`${name}.ops: no ${name}.out beside it`);
    names.push(name);
  }
  return names.sort();
}

// ---------------------------------------------------------------------------
// Pool sizing at boot (zones/boot-table.json).

/** What pool sizing needs from one boot of `zones/boot-table.json`. */
export interface PoolSizingRun {
  readonly run: string;
  readonly cmdline: string;
  /** totalram_pages at mem_init, from the `Memory:` line. */
  readonly totalram_pages: number;
  readonly managed: { readonly DMA: number; readonly DMA32: number; readonly Normal: number };
  /** The "DMA: " lines of dmesg, in order. */
  readonly dmesg: readonly string[];
  /** debugfs dma_pools/pool_size_* (bytes). */
  readonly debugfs: Readonly<Record<PoolName, number>>;
}

/**
 * totalram_pages at mem_init from the kernel's `Memory: <avail>K/<phys>K
 * available (... <r>K reserved, <c>K cma-reserved ...)` line: (phys - r - c) / 4
 * (spec/dma.md §2.1), or null if the line has another shape.
 */
export function totalramFromMemoryLine(line: string): number | null {
  const m =
    /Memory: [0-9]+K\/([0-9]+)K available \(.*\b([0-9]+)K reserved, ([0-9]+)K cma-reserved/.exec(
      line,
    );
  if (m === null) return null;
  return Math.floor((Number(m[1]) - Number(m[2]) - Number(m[3])) / 4);
}

/** Parses the `runs` of `zones/boot-table.json` for pool sizing. Throws ConformanceInputError. */
export function parseBootTableRuns(text: string, file = 'boot-table.json'): PoolSizingRun[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConformanceInputError(`${file}: not valid JSON`);
  }
  if (!isRecord(raw) || !Array.isArray(raw.runs))
    throw new ConformanceInputError(`${file}: no runs array`);
  return raw.runs.map((r: unknown, i: number): PoolSizingRun => {
    const bad = (why: string) => new ConformanceInputError(`${file}: runs[${i}]: ${why}`);
    if (!isRecord(r)) throw bad('not an object');
    const run = typeof r.run === 'string' ? r.run : `runs[${i}]`;
    if (typeof r.cmdline !== 'string') throw bad('no cmdline string');
    const mem = Array.isArray(r.memory_line) ? r.memory_line[0] : r.memory_line;
    const totalram_pages = typeof mem === 'string' ? totalramFromMemoryLine(mem) : null;
    if (totalram_pages === null) throw bad('no Memory: line with reserved and cma-reserved');
    if (!Array.isArray(r.zones_boot)) throw bad('no zones_boot array');
    const managed = { DMA: 0, DMA32: 0, Normal: 0 };
    for (const z of r.zones_boot) {
      if (!isRecord(z) || typeof z.zone !== 'string' || typeof z.managed !== 'number')
        throw bad('a zones_boot entry lacks zone or managed');
      if (z.zone === 'DMA' || z.zone === 'DMA32' || z.zone === 'Normal')
        managed[z.zone] = z.managed;
    }
    const dmesg = r.atomic_pools_dmesg;
    if (!Array.isArray(dmesg) || !dmesg.every((l) => typeof l === 'string'))
      throw bad('atomic_pools_dmesg is not a list of strings');
    const d = r.dma_pools_debugfs;
    if (!isRecord(d)) throw bad('no dma_pools_debugfs object');
    const debugfs = {} as Record<PoolName, number>;
    for (const name of ['dma', 'dma32', 'kernel'] as const) {
      const v = d[`pool_size_${name}`];
      if (typeof v !== 'number') throw bad(`dma_pools_debugfs.pool_size_${name} is not a number`);
      debugfs[name] = v;
    }
    return { run, cmdline: r.cmdline, totalram_pages, managed, dmesg: dmesg as string[], debugfs };
  });
}

/** A PoolEnv in which every page allocation succeeds (boot on an idle machine). */
function plentyEnv(): PoolEnv {
  let next = 0x1000000;
  return {
    mem_encrypt_active: false,
    alloc_pages(_gfp, order) {
      const phys = next;
      next += PAGE_SIZE * 2 ** order;
      return phys;
    },
    __free_pages() {},
    dev_get_cma_area: () => null,
    dma_alloc_from_contiguous: () => null,
    set_memory_decrypted: () => 0,
    set_memory_encrypted: () => 0,
  };
}

/**
 * Boots the pool model on one run's memory and command line (every page
 * allocation succeeding) and compares its "DMA:" lines, in order, and its
 * three debugfs counters with the kernel's.
 */
export function checkDmaPoolSizing(
  run: PoolSizingRun,
  rules: DmaPoolRules = dmaPoolRules['6.1'],
): DmaPoolConformance {
  const s = createDmaPoolState(rules);
  const value = coherentPoolParam(run.cmdline);
  if (value !== undefined) early_coherent_pool(s, value);
  dma_atomic_pool_init(s, plentyEnv(), {
    totalram_pages: run.totalram_pages,
    managed: run.managed,
  });
  const dmesg = s.messages.flatMap((m) => (m.text !== null && m.level !== 'warn' ? [m.text] : []));
  let matched = 0;
  let total = 0;
  let first: DmaPoolDivergence | undefined;
  const note = (where: string, kernel: string, model: string) => {
    total += 1;
    if (kernel === model) matched += 1;
    else first ??= { line: 0, where: `${run.run} ${where}`, kernel, model };
  };
  for (let j = 0; j < Math.max(run.dmesg.length, dmesg.length); j++)
    note(`dmesg[${j}]`, run.dmesg[j] ?? '(no line)', dmesg[j] ?? '(no line)');
  note('pool_size_dma', String(run.debugfs.dma), String(s.pool_size_dma));
  note('pool_size_dma32', String(run.debugfs.dma32), String(s.pool_size_dma32));
  note('pool_size_kernel', String(run.debugfs.kernel), String(s.pool_size_kernel));
  return first === undefined ? { matched, total } : { matched, total, firstDivergence: first };
}
