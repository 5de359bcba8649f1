/**
 * kernel/dma/pool.c: the DMA atomic pools of v5.8, 6.1 (Debian 6.1.192) and
 * mainline (0510cb5b2303), x86_64, 4 KiB pages. Where the versions differ the
 * code reads a named decision of `rules.ts`; everything else is shared.
 *
 * Models, in pool.c's order: the `coherent_pool=` early parameter
 * (early_coherent_pool, memparse), the debugfs counters, cma_in_zone,
 * atomic_pool_expand (order fallback, CMA first where the version does,
 * decrypt, gen_pool_add_virt, every error path), the worker
 * atomic_pool_work_fn, dma_atomic_pool_init (sizing and creation),
 * dma_guess_pool, dma_alloc_from_pool, dma_free_from_pool. The gen_pools
 * are the gen_pool model (../genpool).
 *
 * Outside the model, behind `PoolEnv`: the page allocator, CMA,
 * set_memory_{de,en}crypted and the fault points F1-F6 of spec/dma.md §5.
 * The caller supplies them: conformance reads chunk sizes and addresses off a
 * kernel trace, the DMA world passes its page-allocator model.
 *
 * Simplifications, each deliberate:
 * - No CONFIG_DMA_DIRECT_REMAP (x86): no vmap, so no remap failure (F5) and
 *   no leaked vmap; a chunk's virtual address is its physical address (the
 *   linear map), so gen_pool addresses are physical addresses.
 * - The DMA address of a page is its physical address (no SME bit, no bus
 *   offset): v5.8's own dma_coherent_ok() compares phys with the mask.
 * - Concurrency is the caller's: every call is atomic with respect to the
 *   others, except the worker, which advances one sub-step per call
 *   (atomic_pool_work_fn) so a world can interleave allocations, frees and
 *   kswapd between its page allocation, decryption and chunk add.
 * - A `coherent_pool` parameter without `=value` (which would oops at boot)
 *   is treated as absent; memparse values above 2^53 lose precision.
 * - warn_alloc's page-allocation-failure report (v5.8 expansion without
 *   __GFP_NOWARN) is recorded here, once per failed order, not ratelimited.
 * - gen_pool_destroy's BUG on a busy chunk cannot happen (a pool is destroyed
 *   only when its first expansion added nothing).
 *
 * Kernel messages (pr_info, pr_err, WARN*, warn_alloc, BUG) are data in
 * `messages`, in the order they were logged. Every entry point returns what
 * it did as data, with `mayBlock`: whether it performed an operation that may
 * sleep (spec/dma.md §4).
 *
 * Context: dma_alloc_from_pool, dma_free_from_pool, dma_guess_pool and
 * schedule_work are atomic-safe. atomic_pool_expand, the worker and
 * dma_atomic_pool_init run in process context and may sleep.
 */
import {
  type GenPool,
  gen_pool_add_virt,
  gen_pool_alloc,
  gen_pool_avail,
  gen_pool_create,
  gen_pool_find_chunk,
  gen_pool_first_fit_order_align,
  gen_pool_free,
  gen_pool_has_addr,
  gen_pool_set_algo,
  gen_pool_size,
  gen_pool_virt_to_phys,
} from '../genpool/index.ts';
import {
  __GFP_ATOMIC,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_FS,
  __GFP_HIGH,
  __GFP_IO,
  __GFP_KSWAPD_RECLAIM,
  __GFP_NOWARN,
  gfpflags_allow_blocking,
} from '../page_alloc/gfp.ts';
import { DMA_BIT_MASK, min_not_zero } from './device.ts';
import { get_order, PAGE_SIZE } from './env.ts';
import type { DmaPoolRules } from './rules.ts';

// ---------------------------------------------------------------------------
// Constants. The gfp bits are the page allocator's (include/linux/gfp_types.h,
// the same values in 5.8, 6.1 and mainline).

/** A gfp mask: the kernel's bit values. */
export type Gfp = number;
export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
/** GFP_KERNEL = 0xcc0 in every version. */
export const GFP_KERNEL = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_IO | __GFP_FS;
/** GFP_ATOMIC as in 6.1 (0xa20); mainline drops __GFP_ATOMIC, which the pools never test. */
export const GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;

export const PAGE_SHIFT = 12;
export { DMA_BIT_MASK, get_order, PAGE_SIZE };
/** The largest buddy order: MAX_ORDER - 1 in 5.8 and 6.1, MAX_PAGE_ORDER in mainline (4 MiB). */
export const MAX_PAGE_ORDER = 10;
const ENOMEM = -12;
const SZ_128K = 128 * 1024;

/** The kernel's %pGg name of each pool's gfp, as dmesg prints it. */
const GFP_NAME: Readonly<Record<PoolName, string>> = {
  kernel: 'GFP_KERNEL',
  dma: 'GFP_KERNEL|GFP_DMA',
  dma32: 'GFP_KERNEL|GFP_DMA32',
};

// ---------------------------------------------------------------------------
// State.

export type PoolName = 'dma' | 'dma32' | 'kernel';

/** The order atomic_pool_work_fn visits the pools in. */
export const WORKER_ORDER: readonly PoolName[] = ['dma', 'dma32', 'kernel'];

/** What the model remembers of one chunk, beside the gen_pool's own chunk. */
export interface AtomicPoolChunk {
  /** Creation index in its pool: 0 for the init chunk (gen_pool lists newest first). */
  readonly seq: number;
  /** Physical (= virtual) start address. */
  readonly phys: number;
  readonly size: number;
  readonly order: number;
  /** Taken from the default CMA area (v5.9+), not the buddy allocator. */
  readonly cma: boolean;
}

/** One atomic pool: a gen_pool with granule 4096 and first_fit_order_align. */
export interface AtomicPool {
  readonly name: PoolName;
  /** The gfp of its expansions: GFP_KERNEL, | GFP_DMA or | GFP_DMA32. */
  readonly gfp: Gfp;
  readonly pool: GenPool;
  /** Chunks in creation order (`seq` = index). */
  readonly chunks: AtomicPoolChunk[];
}

/** Kernel configuration the pool code tests. */
export interface DmaPoolConfig {
  readonly CONFIG_ZONE_DMA: boolean;
  readonly CONFIG_ZONE_DMA32: boolean;
  /** zone_dma_bits: 24 on x86 (the DMA zone ends at 16 MiB). */
  readonly zone_dma_bits: number;
}

/** x86_64 as Debian builds it: both DMA zones configured, 24-bit ZONE_DMA. */
export const X86_64_CONFIG: DmaPoolConfig = {
  CONFIG_ZONE_DMA: true,
  CONFIG_ZONE_DMA32: true,
  zone_dma_bits: 24,
};

/** A kernel message, as logged (pr_info, pr_err, WARN*, warn_alloc, BUG). */
export interface PoolMessage {
  readonly kind:
    | 'preallocated'
    | 'init-failed'
    | 'exhausted'
    | 'no-suitable-pool'
    | 'page-allocation-failure'
    | 'reencrypt-failed'
    | 'bug';
  readonly level: 'info' | 'warn' | 'err';
  /** The text without its newline; null for a bare WARN_ON (no message). */
  readonly text: string | null;
  /** For WARN*(): the function and the `file:line` its WARNING line names (null: unknown). */
  readonly warn?: { readonly function: string; readonly site: string | null };
}

/** A block the pool code abandoned (never freed): allowed only after a conversion failure. */
export interface LeakedBlock {
  readonly phys: number;
  readonly order: number;
  readonly cause: 'decrypt-failed' | 'reencrypt-failed' | 'add-failed';
}

/** One run of atomic_pool_expand, resumable between sub-steps. */
export interface AtomicPoolExpand {
  readonly target: AtomicPool;
  readonly gfp: Gfp;
  /** The size asked for (gen_pool_size at the worker, atomic_pool_size at init). */
  readonly pool_size: number;
  /** Next sub-step: try one order, decrypt, add, re-encrypt after a failed add; or done. */
  phase: 'alloc' | 'decrypt' | 'add' | 'encrypt' | 'done';
  order: number;
  /** The block obtained (valid from `decrypt` on). */
  phys: number;
  cma: boolean;
  /** atomic_pool_expand's return value once `done`. */
  ret: number;
}

/** The single work item `atomic_pool_work`. */
export interface AtomicPoolWork {
  /** work_pending(): queued and not yet started. */
  pending: boolean;
  /** The run in progress, or null: the pool it is at (index into WORKER_ORDER) and its expansion. */
  running: { next: number; expand: AtomicPoolExpand | null } | null;
}

/** kernel/dma/pool.c's static state. */
export interface DmaPoolState {
  readonly rules: DmaPoolRules;
  readonly config: DmaPoolConfig;
  /** One size for every pool: the initial request and the expansion threshold. */
  atomic_pool_size: number;
  atomic_pool_dma: AtomicPool | null;
  atomic_pool_dma32: AtomicPool | null;
  atomic_pool_kernel: AtomicPool | null;
  /** debugfs dma_pools/pool_size_*: bytes ever added, never decreased. */
  pool_size_dma: number;
  pool_size_dma32: number;
  pool_size_kernel: number;
  atomic_pool_work: AtomicPoolWork;
  /** Kernel messages in the order they were logged. */
  messages: PoolMessage[];
  leaked: LeakedBlock[];
  /** WARN_ON_ONCE sites that have fired. */
  warned_once: string[];
}

/** A device as the pools see it (a dma-direct device type may carry more). */
export interface PoolDevice {
  readonly name: string;
  readonly coherent_dma_mask: number;
  /** 0 = no bus limit. */
  readonly bus_dma_limit: number;
}

/** The caller's address check (dma-direct passes dma_coherent_ok), over the caller's device type. */
export type PhysAddrOk<D extends PoolDevice = PoolDevice> = (
  dev: D,
  phys: number,
  size: number,
) => boolean;

/** A fresh pool.c state before boot: no pools, atomic_pool_size 0. */
export function createDmaPoolState(
  rules: DmaPoolRules,
  config: DmaPoolConfig = X86_64_CONFIG,
): DmaPoolState {
  return {
    rules,
    config,
    atomic_pool_size: 0,
    atomic_pool_dma: null,
    atomic_pool_dma32: null,
    atomic_pool_kernel: null,
    pool_size_dma: 0,
    pool_size_dma32: 0,
    pool_size_kernel: 0,
    atomic_pool_work: { pending: false, running: null },
    messages: [],
    leaked: [],
    // Stryker disable next-line ArrayDeclaration: a key no WARN_ON_ONCE site uses changes nothing
    warned_once: [],
  };
}

/** The pool pointer of `name` (null when not created). */
export function poolOf(s: DmaPoolState, name: PoolName): AtomicPool | null {
  return name === 'dma'
    ? s.atomic_pool_dma
    : name === 'dma32'
      ? s.atomic_pool_dma32
      : s.atomic_pool_kernel;
}

/** The creation record of the chunk that holds `addr`, an address `p` handed out. */
function chunkOf(p: AtomicPool, addr: number): AtomicPoolChunk {
  const start = gen_pool_find_chunk(p.pool, addr)!.start_addr;
  return p.chunks.find((rec) => rec.phys === start) as AtomicPoolChunk;
}

// ---------------------------------------------------------------------------
// The environment: what pool.c calls outside itself.

/**
 * The page allocator, CMA, memory encryption and fault points, supplied by
 * the caller. Addresses are physical; `order` is a buddy order.
 */
export interface PoolEnv {
  /** cc_platform_has(CC_ATTR_MEM_ENCRYPT) (v5.8: mem_encrypt_active()): conversions may sleep. */
  readonly mem_encrypt_active: boolean;
  /** mm alloc_pages(gfp, order): a naturally aligned block's physical address, or null (F1). */
  alloc_pages(gfp: Gfp, order: number): number | null;
  /** mm __free_pages(page, order): the block goes back to the buddy allocator (CMA blocks too: BZ-11). */
  __free_pages(phys: number, order: number): void;
  /** kernel/dma/contiguous.c dev_get_cma_area(NULL): the default CMA area, or null. */
  dev_get_cma_area(): { readonly base: number; readonly size: number } | null;
  /** kernel/dma/contiguous.c dma_alloc_from_contiguous(NULL, 1 << order, order, true), or null. */
  dma_alloc_from_contiguous(order: number): number | null;
  /** arch set_memory_decrypted(addr, numpages): 0 or a negative errno (F2). */
  set_memory_decrypted(phys: number, numpages: number): number;
  /** arch set_memory_encrypted(addr, numpages): 0 or a negative errno (F3). */
  set_memory_encrypted(phys: number, numpages: number): number;
  /** Fault F6: gen_pool_create's allocation fails. Absent: never. */
  gen_pool_create_fails?(): boolean;
  /** Fault F4: gen_pool_add_virt's allocation fails. Absent: never. */
  gen_pool_add_fails?(): boolean;
}

/** One call pool.c made outside itself, in order, with whether it may sleep. */
export interface PoolCall {
  readonly fn:
    | 'gen_pool_create'
    | 'gen_pool_destroy'
    | 'dma_alloc_from_contiguous'
    | 'alloc_pages'
    | 'set_memory_decrypted'
    | 'set_memory_encrypted'
    | 'gen_pool_add_virt'
    | '__free_pages';
  readonly mayBlock: boolean;
  readonly pool: PoolName;
  readonly gfp?: Gfp;
  readonly order?: number;
  readonly phys?: number;
  /** Result: a physical address (null: none) or an errno-style return. */
  readonly ret?: number | null;
}

// ---------------------------------------------------------------------------
// Boot parameter and sizing.

const MASK64 = (1n << 64n) - 1n;

/**
 * A character's digit value in base 36 (NaN for none): _parse_integer stops
 * at the first character whose value is not below the base.
 */
function digitValue(c: string): number {
  return Number.parseInt(c, 36);
}

const SUFFIX_SHIFT: Readonly<Record<string, bigint>> = {
  k: 10n,
  m: 20n,
  g: 30n,
  t: 40n,
  p: 50n,
  e: 60n,
};

/**
 * lib/cmdline.c memparse(), 6.1: simple_strtoull with base 0 (`0x` hex when a
 * hex digit follows, leading 0 octal, else decimal; stops at the first
 * non-digit), then one optional K/M/G/T/P/E suffix (binary, any case),
 * modulo 2^64. No digits give 0.
 */
export function memparse(ptr: string): number {
  // `0x` with no hex digit after it reads as octal 0 stopped at the `x`;
  // as hex it would read no digit: 0 either way, so isxdigit is not tested
  const hex = ptr[0] === '0' && (ptr[1] === 'x' || ptr[1] === 'X');
  const base = hex ? 16 : ptr[0] === '0' ? 8 : 10;
  let i = hex ? 2 : 0;
  let v = 0n;
  for (let d = digitValue(ptr.charAt(i)); d < base; d = digitValue(ptr.charAt(++i)))
    v = (v * BigInt(base) + BigInt(d)) & MASK64;
  const shift = SUFFIX_SHIFT[ptr.charAt(i).toLowerCase()];
  if (shift !== undefined) v = (v << shift) & MASK64;
  return Number(v);
}

/**
 * The value of the last `coherent_pool=` on a kernel command line (early
 * parameters: `-` and `_` alike in the name, double quotes stripped,
 * nothing after `--`), or undefined. Not a kernel function: parse_early_param's
 * walk reduced to the one parameter pool.c takes.
 */
export function coherentPoolParam(cmdline: string): string | undefined {
  let value: string | undefined;
  for (const [raw] of cmdline.matchAll(/(?:"[^"]*"|[^\s"])+/g)) {
    if (raw === '--') break;
    const arg = raw.replace(/"/g, '');
    const eq = arg.indexOf('=');
    if (eq === -1) continue;
    if (arg.slice(0, eq).replace(/-/g, '_') === 'coherent_pool') value = arg.slice(eq + 1);
  }
  return value;
}

/** kernel/dma/pool.c early_coherent_pool(), all versions: atomic_pool_size = memparse(value). */
export function early_coherent_pool(s: DmaPoolState, value: string): void {
  s.atomic_pool_size = memparse(value);
}

/**
 * The default atomic_pool_size dma_atomic_pool_init() picks when it is 0,
 * from T = totalram_pages() at postcore time (spec/dma.md §2.1).
 */
export function defaultAtomicPoolSize(rules: DmaPoolRules, totalram_pages: number): number {
  switch (rules.atomic_pool_size_default) {
    case '128K-per-GiB': {
      const pages = Math.min(Math.floor(totalram_pages / 8192), 1024);
      return Math.max(pages * PAGE_SIZE, SZ_128K);
    }
    case '128K-per-16M':
      return Math.min(Math.max(Math.floor(totalram_pages / 4096), 1) * SZ_128K, 4 << 20);
    case '256K':
      return 256 * 1024;
  }
}

// ---------------------------------------------------------------------------
// debugfs, messages, the work item.

/** kernel/dma/pool.c dma_atomic_pool_size_add(), all versions: the debugfs counter of gfp's zone. */
function dma_atomic_pool_size_add(s: DmaPoolState, gfp: Gfp, size: number): void {
  if (gfp & __GFP_DMA) s.pool_size_dma += size;
  else if (gfp & __GFP_DMA32) s.pool_size_dma32 += size;
  else s.pool_size_kernel += size;
}

/** include/linux/workqueue.h schedule_work(&atomic_pool_work): queues unless pending; true if it queued. */
export function schedule_work(s: DmaPoolState): boolean {
  if (s.atomic_pool_work.pending) return false;
  s.atomic_pool_work.pending = true;
  return true;
}

/** Logs a WARN*() with its message (null for a bare WARN_ON) and returns it. */
function warn(
  s: DmaPoolState,
  kind: PoolMessage['kind'],
  text: string | null,
  fn: string,
  site: string | null,
): PoolMessage {
  const m: PoolMessage = { kind, level: 'warn', text, warn: { function: fn, site } };
  s.messages.push(m);
  return m;
}

// ---------------------------------------------------------------------------
// Expansion.

/**
 * kernel/dma/pool.c cma_in_zone(), 6.1 and mainline (d7e673ec2c8e): whether
 * the default CMA area lies below gfp's zone limit. False without an area or
 * with size 0; the kernel pool (no zone bit) accepts any area.
 */
export function cma_in_zone(s: DmaPoolState, env: PoolEnv, gfp: Gfp): boolean {
  const cma = env.dev_get_cma_area();
  if (cma === null || cma.size === 0) return false;
  // an area never crosses a zone boundary, so its last byte decides
  const end = cma.base + cma.size - 1;
  const dmaLimit = DMA_BIT_MASK(s.config.zone_dma_bits);
  if (s.config.CONFIG_ZONE_DMA && gfp & GFP_DMA) return end <= dmaLimit;
  if (s.config.CONFIG_ZONE_DMA32 && gfp & GFP_DMA32) {
    const limit =
      s.rules.cma_in_zone_dma32_limit === 'dma32'
        ? DMA_BIT_MASK(32)
        : Math.max(DMA_BIT_MASK(32), dmaLimit);
    return end <= limit;
  }
  return true;
}

/** Starts an atomic_pool_expand(pool, pool_size, gfp): order min(get_order(pool_size), MAX_PAGE_ORDER). */
export function atomic_pool_expand_begin(
  target: AtomicPool,
  pool_size: number,
  gfp: Gfp,
): AtomicPoolExpand {
  return {
    target,
    gfp,
    pool_size,
    phase: 'alloc',
    order: Math.min(get_order(pool_size), MAX_PAGE_ORDER),
    phys: 0,
    cma: false,
    ret: 0,
  };
}

/**
 * One sub-step of kernel/dma/pool.c atomic_pool_expand(), per `s.rules`:
 * `alloc` tries one order (CMA first when cma_in_zone, then the buddy
 * allocator) and falls to the next lower order, -ENOMEM after order 0;
 * `decrypt` converts the whole block; `add` gives it to the gen_pool and
 * counts it in debugfs; `encrypt` undoes the conversion after a failed add.
 * Error paths free or leak the block as the rules say. Returns the calls made.
 * Context: process context; may sleep.
 */
export function atomic_pool_expand_step(
  s: DmaPoolState,
  env: PoolEnv,
  x: AtomicPoolExpand,
): PoolCall[] {
  const calls: PoolCall[] = [];
  const pool = x.target.name;
  const npages = 2 ** x.order;
  switch (x.phase) {
    case 'alloc': {
      let phys: number | null = null;
      let cma = false;
      if (s.rules.expand_source === 'cma-in-zone-then-buddy' && cma_in_zone(s, env, x.gfp)) {
        phys = env.dma_alloc_from_contiguous(x.order);
        calls.push({
          fn: 'dma_alloc_from_contiguous',
          mayBlock: true,
          pool,
          order: x.order,
          ret: phys,
        });
        cma = phys !== null;
      }
      if (phys === null) {
        const gfp = s.rules.expand_nowarn ? x.gfp | __GFP_NOWARN : x.gfp;
        phys = env.alloc_pages(gfp, x.order);
        calls.push({
          fn: 'alloc_pages',
          mayBlock: gfpflags_allow_blocking(gfp),
          pool,
          gfp,
          order: x.order,
          ret: phys,
        });
        if (phys === null && !(gfp & __GFP_NOWARN))
          s.messages.push({
            kind: 'page-allocation-failure',
            level: 'warn',
            text: `page allocation failure: order:${x.order}, mode:0x${gfp.toString(16)}(${GFP_NAME[pool]})`,
          });
      }
      if (phys !== null) {
        x.phys = phys;
        x.cma = cma;
        x.phase = 'decrypt';
      } else if (x.order > 0) {
        x.order -= 1;
      } else {
        x.ret = ENOMEM;
        x.phase = 'done';
      }
      return calls;
    }
    case 'decrypt': {
      // arch_dma_prep_coherent() is a no-op on x86; the chunk VA is the linear map
      const ret = env.set_memory_decrypted(x.phys, npages);
      calls.push({
        fn: 'set_memory_decrypted',
        mayBlock: env.mem_encrypt_active,
        pool,
        phys: x.phys,
        ret,
      });
      if (ret === 0) {
        x.phase = 'add';
        return calls;
      }
      // the block may be half converted: v5.8/6.1 still free it (BZ-10b)
      if (s.rules.expand_decrypt_failure === 'free') freeBlock(env, calls, x);
      else s.leaked.push({ phys: x.phys, order: x.order, cause: 'decrypt-failed' });
      x.ret = ret;
      x.phase = 'done';
      return calls;
    }
    case 'add': {
      const size = PAGE_SIZE * npages;
      if (env.gen_pool_add_fails?.()) {
        calls.push({ fn: 'gen_pool_add_virt', mayBlock: true, pool, phys: x.phys, ret: ENOMEM });
        x.phase = 'encrypt';
        return calls;
      }
      const ret = gen_pool_add_virt(x.target.pool, x.phys, x.phys, size);
      calls.push({ fn: 'gen_pool_add_virt', mayBlock: true, pool, phys: x.phys, ret });
      x.target.chunks.push({
        seq: x.target.chunks.length,
        phys: x.phys,
        size,
        order: x.order,
        cma: x.cma,
      });
      dma_atomic_pool_size_add(s, x.gfp, size);
      x.ret = 0;
      x.phase = 'done';
      return calls;
    }
    case 'encrypt': {
      const ret = env.set_memory_encrypted(x.phys, npages);
      calls.push({
        fn: 'set_memory_encrypted',
        mayBlock: env.mem_encrypt_active,
        pool,
        phys: x.phys,
        ret,
      });
      if (ret !== 0) {
        // WARN_ON_ONCE, then the block is left alone: it may be shared
        // Stryker disable next-line StringLiteral: pool.c's only WARN_ON_ONCE site; the id only keys warned_once, where '' keys as well
        const site = 'atomic_pool_expand:set_memory_encrypted';
        if (!s.warned_once.includes(site)) {
          s.warned_once.push(site);
          warn(s, 'reencrypt-failed', null, 'atomic_pool_expand', null);
        }
        s.leaked.push({ phys: x.phys, order: x.order, cause: 'reencrypt-failed' });
      } else if (s.rules.expand_add_failure === 'free') freeBlock(env, calls, x);
      else s.leaked.push({ phys: x.phys, order: x.order, cause: 'add-failed' });
      // with a successful re-encrypt this is 0: nothing was added, yet success (T4)
      x.ret = ret;
      x.phase = 'done';
      return calls;
    }
    case 'done':
      return calls;
  }
}

function freeBlock(env: PoolEnv, calls: PoolCall[], x: AtomicPoolExpand): void {
  // __free_pages also for a CMA block (BZ-11): CMA accounting is not restored
  env.__free_pages(x.phys, x.order);
  calls.push({
    fn: '__free_pages',
    mayBlock: false,
    pool: x.target.name,
    phys: x.phys,
    order: x.order,
  });
}

/** What one atomic_pool_expand run did, start to end. */
export interface ExpandReport {
  readonly ret: number;
  readonly calls: readonly PoolCall[];
  readonly mayBlock: boolean;
}

/**
 * kernel/dma/pool.c atomic_pool_expand(), all three versions: every sub-step
 * at once. Returns 0 (also after a failed add that re-encrypted: T4) or a
 * negative errno. Context: process context; may sleep.
 */
export function atomic_pool_expand(
  s: DmaPoolState,
  env: PoolEnv,
  target: AtomicPool,
  pool_size: number,
  gfp: Gfp,
): ExpandReport {
  const x = atomic_pool_expand_begin(target, pool_size, gfp);
  const calls: PoolCall[] = [];
  while (x.phase !== 'done') calls.push(...atomic_pool_expand_step(s, env, x));
  return { ret: x.ret, calls, mayBlock: calls.some((c) => c.mayBlock) };
}

// ---------------------------------------------------------------------------
// The worker.

/** What one sub-step of the worker did. */
export interface WorkStep {
  /** `idle`: nothing queued or running; `check`: a pool's threshold test; `expand`: one expansion sub-step. */
  readonly step: 'idle' | 'check' | 'expand';
  readonly pool: PoolName | null;
  /** For `check`: the pool exists and its avail is below atomic_pool_size (an expansion starts). */
  readonly below?: boolean;
  /** For the last `expand` sub-step of a pool: atomic_pool_expand's return value. */
  readonly ret?: number;
  readonly calls: readonly PoolCall[];
  readonly mayBlock: boolean;
  /** This sub-step ended the run. */
  readonly done: boolean;
}

/** The gfp atomic_pool_work_fn resizes `name` with. */
function resizeGfp(name: PoolName): Gfp {
  return name === 'dma'
    ? GFP_KERNEL | GFP_DMA
    : name === 'dma32'
      ? GFP_KERNEL | GFP_DMA32
      : GFP_KERNEL;
}

function configured(s: DmaPoolState, name: PoolName): boolean {
  return name === 'dma'
    ? s.config.CONFIG_ZONE_DMA
    : name === 'dma32'
      ? s.config.CONFIG_ZONE_DMA32
      : true;
}

/**
 * kernel/dma/pool.c atomic_pool_work_fn(), all versions, one sub-step per
 * call. A run starts when the work is pending (pending clears as it starts,
 * so an allocation during the run queues it again). For dma (if
 * CONFIG_ZONE_DMA), dma32 (if CONFIG_ZONE_DMA32), then kernel: `check` tests,
 * at that moment, whether the pool exists and its avail is below
 * atomic_pool_size; if so, atomic_pool_expand(pool, gen_pool_size(pool),
 * GFP_KERNEL | zone) runs, one sub-step per call. At most one chunk per pool
 * per run; return values ignored. Context: workqueue, may sleep.
 */
export function atomic_pool_work_fn(s: DmaPoolState, env: PoolEnv): WorkStep {
  const work = s.atomic_pool_work;
  if (work.running === null) {
    if (!work.pending) return { step: 'idle', pool: null, calls: [], mayBlock: false, done: true };
    work.pending = false;
    work.running = { next: nextConfigured(s, 0), expand: null };
  }
  const run = work.running;
  const x = run.expand;
  if (x !== null) {
    const calls = atomic_pool_expand_step(s, env, x);
    const pool = x.target.name;
    const mayBlock = calls.some((c) => c.mayBlock);
    if (x.phase !== 'done') return { step: 'expand', pool, calls, mayBlock, done: false };
    run.expand = null;
    return { step: 'expand', pool, ret: x.ret, calls, mayBlock, done: advance(s, run) };
  }
  // a run always stands at a configured pool (the kernel pool, last, always is)
  const name = WORKER_ORDER[run.next]!;
  const p = poolOf(s, name);
  const below = p !== null && gen_pool_avail(p.pool) < s.atomic_pool_size;
  if (below) {
    run.expand = atomic_pool_expand_begin(p, gen_pool_size(p.pool), resizeGfp(name));
    return { step: 'check', pool: name, below, calls: [], mayBlock: false, done: false };
  }
  return { step: 'check', pool: name, below, calls: [], mayBlock: false, done: advance(s, run) };
}

/** The index of the first configured pool in WORKER_ORDER from `from` on, or its length. */
function nextConfigured(s: DmaPoolState, from: number): number {
  const i = WORKER_ORDER.findIndex((name, j) => j >= from && configured(s, name));
  return i === -1 ? WORKER_ORDER.length : i;
}

/** Moves the run past its pool; ends it (true) when no configured pool is left. */
function advance(s: DmaPoolState, run: { next: number }): boolean {
  run.next = nextConfigured(s, run.next + 1);
  if (run.next < WORKER_ORDER.length) return false;
  s.atomic_pool_work.running = null;
  return true;
}

/**
 * kernel/workqueue.c flush_work(&atomic_pool_work): runs the worker to
 * completion if it is queued or running (no-op otherwise). Returns whether
 * it was pending before, and every sub-step. Context: process context.
 */
export function flush_work(s: DmaPoolState, env: PoolEnv): { pending: boolean; steps: WorkStep[] } {
  const pending = s.atomic_pool_work.pending;
  const steps: WorkStep[] = [];
  while (s.atomic_pool_work.pending || s.atomic_pool_work.running !== null)
    steps.push(atomic_pool_work_fn(s, env));
  return { pending, steps };
}

// ---------------------------------------------------------------------------
// Init.

/** Memory seen by dma_atomic_pool_init at postcore time. */
export interface PoolInitMemory {
  /** totalram_pages(). */
  readonly totalram_pages: number;
  /** Managed pages per zone (has_managed_dma() and friends). */
  readonly managed: { readonly DMA: number; readonly DMA32: number; readonly Normal: number };
}

/** What dma_atomic_pool_init did. */
export interface InitReport {
  /** 0, or -ENOMEM when a pool that should exist is missing. */
  readonly ret: number;
  readonly calls: readonly PoolCall[];
  readonly mayBlock: boolean;
}

function shouldCreate(s: DmaPoolState, name: PoolName, mem: PoolInitMemory): boolean {
  const rule = s.rules.pools_created[name];
  const managed =
    name === 'dma' ? mem.managed.DMA : name === 'dma32' ? mem.managed.DMA32 : mem.managed.Normal;
  if (rule === 'always') return true;
  if (!configured(s, name)) return false;
  return rule === 'kconfig' || managed > 0;
}

/** kernel/dma/pool.c __dma_atomic_pool_init(), all versions: a pool with its first chunk, or null. */
function __dma_atomic_pool_init(
  s: DmaPoolState,
  env: PoolEnv,
  name: PoolName,
  calls: PoolCall[],
): AtomicPool | null {
  const gfp = resizeGfp(name);
  const fails = env.gen_pool_create_fails?.() ?? false;
  calls.push({ fn: 'gen_pool_create', mayBlock: true, pool: name, ret: fails ? ENOMEM : 0 });
  if (fails) return null;
  const pool = gen_pool_create(PAGE_SHIFT);
  gen_pool_set_algo(pool, gen_pool_first_fit_order_align, undefined);
  const p: AtomicPool = { name, gfp, pool, chunks: [] };
  const r = atomic_pool_expand(s, env, p, s.atomic_pool_size, gfp);
  calls.push(...r.calls);
  if (r.ret !== 0) {
    calls.push({ fn: 'gen_pool_destroy', mayBlock: false, pool: name });
    s.messages.push({
      kind: 'init-failed',
      level: 'err',
      text: `DMA: failed to allocate ${Math.floor(s.atomic_pool_size / 1024)} KiB ${GFP_NAME[name]} pool for atomic allocation`,
    });
    return null;
  }
  s.messages.push({
    kind: 'preallocated',
    level: 'info',
    text: `DMA: preallocated ${Math.floor(gen_pool_size(pool) / 1024)} KiB ${GFP_NAME[name]} pool for atomic allocations`,
  });
  return p;
}

/**
 * kernel/dma/pool.c dma_atomic_pool_init() (postcore_initcall): the default
 * atomic_pool_size when it is 0, then the kernel, dma and dma32 pools in
 * that order, each where `rules.pools_created` says, each with one chunk of
 * PAGE_SIZE << min(get_order(atomic_pool_size), MAX_PAGE_ORDER) bytes when
 * the first page allocation succeeds. No work is scheduled. Context: may sleep.
 */
export function dma_atomic_pool_init(
  s: DmaPoolState,
  env: PoolEnv,
  mem: PoolInitMemory,
): InitReport {
  if (s.atomic_pool_size === 0)
    s.atomic_pool_size = defaultAtomicPoolSize(s.rules, mem.totalram_pages);
  const calls: PoolCall[] = [];
  let ret = 0;
  for (const name of ['kernel', 'dma', 'dma32'] as const) {
    if (!shouldCreate(s, name, mem)) continue;
    const p = __dma_atomic_pool_init(s, env, name, calls);
    if (p === null) ret = ENOMEM;
    if (name === 'kernel') s.atomic_pool_kernel = p;
    else if (name === 'dma') s.atomic_pool_dma = p;
    else s.atomic_pool_dma32 = p;
  }
  return { ret, calls, mayBlock: calls.some((c) => c.mayBlock) };
}

// ---------------------------------------------------------------------------
// Allocation and free.

/**
 * The v5.8 first pool from the device: dma_direct_optimal_gfp_mask() of
 * min_not_zero(coherent mask, bus limit) is exactly GFP_DMA → dma, exactly
 * GFP_DMA32 → dma32, else kernel (v5.8 dma_guess_pool_from_device()).
 */
function poolFromDevice(s: DmaPoolState, dev: PoolDevice): PoolName {
  const m = dev.coherent_dma_mask;
  const b = dev.bus_dma_limit;
  const limit = m === 0 ? b : b === 0 ? m : Math.min(m, b);
  if (limit <= DMA_BIT_MASK(s.config.zone_dma_bits) && s.config.CONFIG_ZONE_DMA) return 'dma';
  if (
    limit <= DMA_BIT_MASK(32) &&
    limit > DMA_BIT_MASK(s.config.zone_dma_bits) &&
    s.config.CONFIG_ZONE_DMA32
  )
    return 'dma32';
  return 'kernel';
}

function exists(s: DmaPoolState, name: PoolName): PoolName | null {
  return poolOf(s, name) === null ? null : name;
}

/**
 * kernel/dma/pool.c dma_guess_pool(), per `rules.dma_guess_pool`: the pool to
 * try after `prev` (null: the first), or null to end the walk. The next pool
 * is the same in every version: kernel → dma32 if it exists else dma,
 * dma32 → dma, dma → end. `dev` is read only by the v5.8 device-mask guess.
 * Context: atomic-safe.
 */
export function dma_guess_pool(
  s: DmaPoolState,
  prev: PoolName | null,
  gfp: Gfp,
  dev?: PoolDevice,
): PoolName | null {
  if (prev === 'kernel') return exists(s, 'dma32') ?? exists(s, 'dma');
  if (prev === 'dma32') return exists(s, 'dma');
  if (prev === 'dma') return null;
  switch (s.rules.dma_guess_pool) {
    case 'device-mask':
      // a device without a description falls to the kernel pool, as a 64-bit one would
      return exists(s, dev === undefined ? 'kernel' : poolFromDevice(s, dev));
    case 'gfp-dma32-first':
      // the DMA32 bit first, and a NULL dma32 pool ends the walk (T7)
      if (s.config.CONFIG_ZONE_DMA32 && gfp & GFP_DMA32) return exists(s, 'dma32');
      if (gfp & GFP_DMA && s.atomic_pool_dma !== null) return 'dma';
      return exists(s, 'kernel');
    case 'gfp-fallback-chain':
      if (gfp & GFP_DMA) return exists(s, 'dma') ?? exists(s, 'dma32') ?? exists(s, 'kernel');
      if (gfp & GFP_DMA32) return exists(s, 'dma32') ?? exists(s, 'dma') ?? exists(s, 'kernel');
      return exists(s, 'kernel') ?? exists(s, 'dma32') ?? exists(s, 'dma');
  }
}

/** kernel/dma/direct.h dma_coherent_ok() as v5.8's pool calls it: phys + size - 1 <= min_not_zero(mask, bus limit). */
export function dma_coherent_ok(dev: PoolDevice, phys: number, size: number): boolean {
  return phys + size - 1 <= min_not_zero(dev.coherent_dma_mask, dev.bus_dma_limit);
}

/** A block handed out by dma_alloc_from_pool. */
export interface PoolBlock {
  readonly pool: PoolName;
  /** Creation index of the chunk within its pool. */
  readonly chunk: number;
  /** Byte offset inside the chunk. */
  readonly offset: number;
  /** Physical (= cpu) address. */
  readonly phys: number;
}

/** What dma_alloc_from_pool did. */
export interface PoolAllocReport {
  /** The block, or null (the kernel then leaves *cpu_addr unwritten). */
  readonly block: PoolBlock | null;
  /** Pools tried, in order (a block refused by the address check was freed again there). */
  readonly tried: readonly PoolName[];
  /** schedule_work was called: the serving pool's avail fell below atomic_pool_size. */
  readonly scheduled: boolean;
  /** ... and it queued the work (it was not already pending). */
  readonly queued: boolean;
  /** The warning logged on failure, if any. */
  readonly warning: PoolMessage | null;
  /** Always false: the atomic path never sleeps in v5.8+. */
  readonly mayBlock: false;
}

/**
 * kernel/dma/pool.c dma_alloc_from_pool(), per `s.rules`: walks
 * dma_guess_pool's candidates; in each, gen_pool_alloc(size) (size in bytes;
 * the pool charges whole pages, aligned to the next power of two relative to
 * the chunk); a block that fails the address check (`phys_addr_ok`, or
 * dma_coherent_ok when the version always checks) is freed at once and the
 * next pool is tried. On success the zeroed block is returned and, if the
 * serving pool's avail is now below atomic_pool_size, the work is scheduled.
 * On failure: the warning of `rules.warn_on_failure`. Context: atomic-safe.
 */
export function dma_alloc_from_pool<D extends PoolDevice>(
  s: DmaPoolState,
  dev: D,
  size: number,
  gfp: Gfp,
  phys_addr_ok: PhysAddrOk<D> | null,
): PoolAllocReport {
  const check: PhysAddrOk<D> | null =
    phys_addr_ok ?? (s.rules.check_phys_ok === 'always' ? dma_coherent_ok : null);
  const tried: PoolName[] = [];
  for (
    let name = dma_guess_pool(s, null, gfp, dev);
    name !== null;
    name = dma_guess_pool(s, name, gfp, dev)
  ) {
    tried.push(name);
    const p = poolOf(s, name)!;
    const addr = gen_pool_alloc(p.pool, size);
    if (addr === 0) continue;
    const phys = gen_pool_virt_to_phys(p.pool, addr);
    if (check !== null && !check(dev, phys, size)) {
      gen_pool_free(p.pool, addr, size);
      continue;
    }
    const scheduled = gen_pool_avail(p.pool) < s.atomic_pool_size;
    const queued = scheduled && schedule_work(s);
    // memset(addr, 0, size): the model keeps no page contents
    const rec = chunkOf(p, addr);
    return {
      block: { pool: name, chunk: rec.seq, offset: addr - rec.phys, phys },
      tried,
      scheduled,
      queued,
      warning: null,
      mayBlock: false,
    };
  }
  let warning: PoolMessage | null = null;
  const { exhausted, missing } = s.rules.warn_site;
  const unsuitable = `Failed to get suitable pool for ${dev.name}`;
  if (s.rules.warn_on_failure === 'unsuitable-always')
    warning = warn(s, 'no-suitable-pool', unsuitable, 'dma_alloc_from_pool', missing);
  else if (tried.length === 0)
    warning = warn(s, 'no-suitable-pool', unsuitable, 'dma_alloc_from_pool', missing);
  else if (!(gfp & __GFP_NOWARN))
    warning = warn(
      s,
      'exhausted',
      `DMA pool exhausted for ${dev.name}`,
      'dma_alloc_from_pool',
      exhausted,
    );
  return { block: null, tried, scheduled: false, queued: false, warning, mayBlock: false };
}

/** What dma_free_from_pool did. */
export interface PoolFreeReport {
  /** The kernel's return value: the range lay inside one chunk of a pool walked. */
  readonly freed: boolean;
  /** Where the freed range was (chunk creation index, byte offset), when freed. */
  readonly block: PoolBlock | null;
  /** gen_pool_free's BUG (double free), when it would oops. */
  readonly bug: string | null;
  readonly mayBlock: false;
}

/** The first pool dma_free_from_pool looks in, per `rules.dma_free_from_pool`. */
function firstFreePool(s: DmaPoolState, dev: PoolDevice): PoolName | null {
  switch (s.rules.dma_free_from_pool) {
    case 'device-chain':
      return dma_guess_pool(s, null, 0, dev);
    case 'stop-at-null-kernel':
      return exists(s, 'kernel');
    case 'all-existing':
      return exists(s, 'kernel') ?? exists(s, 'dma32') ?? exists(s, 'dma');
  }
}

/**
 * kernel/dma/pool.c dma_free_from_pool(), per `rules.dma_free_from_pool`:
 * the first pool walked in which [addr, addr + size - 1] lies inside one
 * chunk gets gen_pool_free(addr, size); true. False when none does (the
 * caller then frees the buffer elsewhere). Never re-encrypts or shrinks.
 * Context: atomic-safe.
 */
export function dma_free_from_pool(
  s: DmaPoolState,
  dev: PoolDevice,
  addr: number,
  size: number,
): PoolFreeReport {
  for (let name = firstFreePool(s, dev); name !== null; name = dma_guess_pool(s, name, 0, dev)) {
    const p = poolOf(s, name)!;
    if (!gen_pool_has_addr(p.pool, addr, size)) continue;
    const rec = chunkOf(p, addr);
    const block: PoolBlock = { pool: name, chunk: rec.seq, offset: addr - rec.phys, phys: addr };
    const bug = gen_pool_free(p.pool, addr, size);
    if (bug !== null)
      s.messages.push({ kind: 'bug', level: 'err', text: `kernel BUG: ${bug.bug}` });
    return { freed: true, block, bug: bug?.bug ?? null, mayBlock: false };
  }
  return { freed: false, block: null, bug: null, mayBlock: false };
}
