/**
 * The DMA world: one machine as the kernel would run it, composed of the
 * models. The page allocator (models/page_alloc, models/vmscan) owns every
 * page and its encryption state; dma-direct (models/dma/direct.ts) serves
 * drivers; the atomic pools (models/dma/pool.ts) sit behind it, refilled by
 * their worker; a hostile host may refuse page conversions. Policies decide
 * which kernel version each part follows.
 *
 * The world implements the environments the DMA models reach out to
 * (`PoolEnv`, `DirectEnv`): every page allocation, free, conversion and
 * zeroing passes through here, is applied to the page allocator's state at
 * once, and is recorded as a `WorldEvent` of the current step. The
 * invariants read those events and the state; they never re-run the models.
 *
 * Simplifications, each deliberate:
 * - One node, no IOMMU devices (dma-iommu never uses the pools on x86), no
 *   REMAP (x86): a buffer's CPU address is its physical address.
 * - At most one CMA area, the default one (`cma=size@base`). It stays
 *   memblock-reserved: its pages are never lent to the buddy allocator for
 *   movable allocations, so they count as reserved, not managed. cma_alloc()
 *   is a first fit aligned to min(order, CONFIG_CMA_ALIGNMENT = 8) pages;
 *   a page given back with __free_pages() goes to the buddy allocator while
 *   the area still counts it as allocated (the kernel's BZ-11 leak).
 * - Contexts are labels: an `atomic` step runs with a GFP_ATOMIC request
 *   (RCU read side, spinlock, interrupt), a `task` step with GFP_KERNEL; the
 *   worker and kswapd are their own contexts. Concurrency is interleaving of
 *   whole steps; the worker and kswapd advance one sub-step per call (a
 *   caller may make several calls in a row).
 * - "May sleep" is the kernel's static classification (might_sleep): a page
 *   allocation with __GFP_DIRECT_RECLAIM, a CMA allocation, and any
 *   set_memory_{de,en}crypted() while memory encryption is active, whether or
 *   not this particular call would have blocked.
 * - A refused conversion leaves its whole range `unknown` (set_memory.ts).
 *
 * Context: pure and deterministic; every entry point mutates `World` in place.
 */

import {
  type Device,
  dma_direct_optimal_gfp_mask,
  force_dma_unencrypted,
  type Platform,
} from '../dma/device.ts';
import type {
  CpuAddr,
  DirectAllocResult,
  DirectEffect,
  DirectPagesResult,
  StructPage,
} from '../dma/direct.ts';
import { dma_alloc_attrs, dma_alloc_pages, dma_free_attrs, dma_free_pages } from '../dma/direct.ts';
import {
  type ContiguousFree,
  type DirectEnv,
  get_order,
  PAGE_SIZE,
  type PhysAddrOk,
} from '../dma/env.ts';
import {
  type AtomicPool,
  atomic_pool_work_fn,
  coherentPoolParam,
  createDmaPoolState,
  type DmaPoolState,
  dma_alloc_from_pool,
  dma_atomic_pool_init,
  dma_free_from_pool,
  early_coherent_pool,
  type PoolBlock,
  type PoolCall,
  type PoolEnv,
  type PoolMessage,
  type PoolName,
  poolOf,
  type WorkStep,
} from '../dma/pool.ts';
import { mem_encrypt_active, type SetMemoryOp, set_memory_outcome } from '../dma/set_memory.ts';
import type { PageAllocVariant } from '../page_alloc/fns.ts';
import { __GFP_DIRECT_RECLAIM, __GFP_DMA, __GFP_DMA32, __GFP_NOWARN } from '../page_alloc/gfp.ts';
import { createPageAlloc, type MachineConfig } from '../page_alloc/machine.ts';
import {
  __alloc_pages,
  __free_pages,
  type AllocResult,
  filemap_add_folio,
  set_page_enc,
  set_page_owner,
  type VmSysctlName,
  vm_sysctl_write,
} from '../page_alloc/page_alloc.ts';
import {
  ENC_ENCRYPTED,
  PG_ALLOCATED,
  PG_FREE,
  PG_POOL,
  PG_RESERVED,
  setOwner,
} from '../page_alloc/pages.ts';
import type { PageAlloc } from '../page_alloc/state.ts';
import type { Policy } from '../policy.ts';
import {
  createReservePoolState,
  type ReservePoolCall,
  type ReservePoolEnv,
  type ReservePoolMessage,
  type ReservePoolState,
  type ReservePoolStep,
  reserve_pool_alloc,
  reserve_pool_free,
  reserve_pool_guarantee,
  reserve_pool_init,
  reserve_pool_kswapd_step,
  reserve_pool_pending,
  reserve_pool_resize,
} from '../reserve_pool/reserve_pool.ts';
import { type KswapdStep, kswapd_step, wake_up_kswapd } from '../vmscan/kswapd.ts';

/** A world as plain data: the machine, its encryption, its devices, the boot command line. */
export interface WorldConfig {
  readonly machine: MachineConfig;
  readonly platform: Platform;
  readonly devices: readonly Device[];
  /** The `coherent_pool=` boot parameter, if any (`2M`, `300K`). */
  readonly coherent_pool?: string;
  /**
   * The default CMA area (`cma=size@base`), in bytes, page-aligned: its pages
   * must be memblock-reserved in `machine` (the DMA system reserves them).
   */
  readonly cma?: { readonly base: number; readonly size: number };
}

/** kernel/dma/contiguous.c's default area: which of its pages cma_alloc() handed out. */
export interface CmaArea {
  readonly base_pfn: number;
  readonly count: number;
  /** 1 = allocated (cma->bitmap at order_per_bit 0). */
  readonly bitmap: Uint8Array;
}

/** include/linux/cma.h CONFIG_CMA_ALIGNMENT default: allocations align to at most 2^8 pages (1 MiB). */
export const CONFIG_CMA_ALIGNMENT = 8;

/** Who runs a step. */
export type Context = 'atomic' | 'task' | 'worker' | 'kswapd' | 'boot';

/** What a step did to pages and the log, in order. */
export type WorldEvent =
  /** An operation that may sleep (might_sleep), and who called it. */
  | { readonly kind: 'may_sleep'; readonly what: string }
  /** set_memory_{de,en}crypted() on [pfn, pfn + npages): ok, or refused (pages now unknown). */
  | {
      readonly kind: 'convert';
      readonly op: SetMemoryOp;
      readonly pfn: number;
      readonly npages: number;
      readonly ok: boolean;
    }
  /**
   * Pages given back to the buddy allocator (`into` buddy) or released to the
   * CMA area (`into` cma), with how many were not private at that moment;
   * `cma`: the pages belong to the CMA area.
   */
  | {
      readonly kind: 'free';
      readonly by: 'direct' | 'pool' | 'kernel';
      readonly pfn: number;
      readonly npages: number;
      readonly notEncrypted: number;
      readonly firstNotEncrypted: number;
      readonly into: 'buddy' | 'cma';
      readonly cma: boolean;
    }
  /** Pages allocated from the buddy allocator, or from the CMA area (`cma`). */
  | {
      readonly kind: 'alloc';
      readonly by: 'direct' | 'pool' | 'kernel';
      readonly pfn: number;
      readonly npages: number;
      readonly cma?: boolean;
    }
  /** Pages abandoned for good (after a failed conversion, the only allowed reason). */
  | { readonly kind: 'leak'; readonly pfn: number; readonly npages: number; readonly cause: string }
  /** A kernel warning, as printed. */
  | { readonly kind: 'warn'; readonly text: string }
  /** memset(0) over [pfn, pfn + bytes). */
  | { readonly kind: 'zero'; readonly pfn: number; readonly bytes: number }
  /** An operation on memory that is not the buffer (dma.md T15), or a kernel BUG. */
  | { readonly kind: 'wild' | 'bug'; readonly detail: string }
  /** An armed fault fired: the call it names failed on purpose. */
  | { readonly kind: 'fault'; readonly at: ArmedFault['at'] };

/** A DMA buffer a driver holds. */
export interface DmaBuffer {
  readonly id: number;
  /** Index into the world's devices. */
  readonly dev: number;
  readonly api: 'coherent' | 'pages';
  /** The size the driver asked for, and what dma-direct returned (PAGE_ALIGNed from v5.8). */
  readonly requested: number;
  readonly phys: number;
  readonly size: number;
  readonly source: 'pool' | 'buddy' | 'cma';
  readonly cpu_addr: CpuAddr | null;
  readonly page: StructPage | null;
  readonly dma_handle: number;
  /** Pool block, for pool buffers. */
  readonly block: PoolBlock | null;
  readonly atomic: boolean;
}

/** A fault armed for the next matching call (plain data). */
export interface ArmedFault {
  readonly at: 'alloc_pages' | 'set_memory_decrypted' | 'set_memory_encrypted' | 'gen_pool_add';
  /** For alloc_pages: the order that fails, -1 for any. */
  readonly order: number;
}

/**
 * Deliberately broken variants of the world's own glue, for test mutants
 * whose bug is not a policy decision (policy mutants override rules instead).
 */
export interface WorldVariant {
  /** Replacements for page-allocator functions (models/page_alloc/fns.ts), as the page-alloc mutants use. */
  readonly page_alloc?: PageAllocVariant;
  /** The reserve pool is asked for twice the size (a rounding bug: order + 1). */
  readonly reserve_rounds_up?: boolean;
  /** dma-direct's pool path passes no address check to dma_alloc_from_pool (BZ-05a). */
  readonly pool_skips_phys_ok?: boolean;
  /** Pool expansion drops the zone bits of its gfp: chunks from any zone (like BZ-03's CMA). */
  readonly expand_ignores_zone?: boolean;
  /** A pool allocation never leaves atomic_pool_work queued. */
  readonly no_schedule_work?: boolean;
  /** The worker drops the work after its first check, expanding nothing. */
  readonly worker_gives_up?: boolean;
  /** dma-direct's memset() of a fresh buffer is lost. */
  readonly skip_memset?: boolean;
  /** dma_free_from_pool() never finds the block (a walk that misses its pool, BZ-05, T7). */
  readonly pool_free_misses?: boolean;
  /** An added chunk is counted twice in debugfs pool_size_<name>. */
  readonly debugfs_double_count?: boolean;
  /**
   * atomic_pool_expand() takes the default CMA area whenever one exists,
   * without cma_in_zone() (c84dc6e68a1d before d7e673ec2c8e: BZ-03).
   */
  readonly expand_cma_any_zone?: boolean;
  /**
   * atomic_pool_expand() reads `page` uninitialised when it skips CMA
   * (d7e673ec2c8e before 892fc9f6835e: BZ-07): the stale value is the page
   * the previous expansion obtained, which the pool adopts without allocating.
   */
  readonly expand_stale_page?: boolean;
}

export interface World {
  readonly config: WorldConfig;
  readonly policy: Policy;
  readonly variant: WorldVariant;
  readonly pa: PageAlloc;
  /** The atomic pools; null when the policy has none (v5.4). */
  readonly pools: DmaPoolState | null;
  readonly buffers: DmaBuffer[];
  /** Blocks other kernel users hold (memory pressure). */
  readonly kernelPages: { readonly pfn: number; readonly order: number }[];
  readonly faults: ArmedFault[];
  /** The 2019 reserve pools, when the policy's design is `reserve-pool` (then `pools` is null). */
  readonly reserve: ReservePoolState | null;
  /** For a reserve-pool design: the pool that guaranteed this step's atomic request, if one did. */
  stepGuarantee: { readonly pool: string; readonly order: number } | null;
  /** The page allocations this step made, as __alloc_pages() reported them. */
  stepAllocs: AllocResult[];
  /** The current step's events (cleared at each step). */
  events: WorldEvent[];
  /** The buffer the current step handed out, if any. */
  stepBuffer: DmaBuffer | null;
  context: Context;
  /** Pool messages already turned into events. */
  poolMessagesSeen: number;
  /** Pool leaked blocks already marked in the page allocator. */
  poolLeaksSeen: number;
  /** Pages leaked after a refused conversion, in total (I5 allows only these). */
  leakedPages: number;
  /** Conversions refused so far. */
  conversionFailures: number;
  /** Every range a conversion touched, [pfn, npages] pairs: the only pages that can be other than private. */
  readonly converted: number[];
  /** The default CMA area, or null. */
  readonly cma: CmaArea | null;
  /** What dma_atomic_pool_init() called at boot, in order. */
  readonly bootCalls: PoolCall[];
  /**
   * atomic_pool_expand()'s `page` (for BZ-07): what its last assignment, by
   * CMA or alloc_pages(), left in the stack slot, null after a failure.
   */
  poolLastPage: number | null;
  nextId: number;
  readonly poolEnv: PoolEnv & ReservePoolEnv;
  readonly directEnv: DirectEnv;
}

const EIO = 5;

function pfnOf(phys: number): number {
  return Math.floor(phys / PAGE_SIZE);
}

// Stryker disable next-line UnaryOperator: only alloc_pages passes an order; every other fault is armed with order -1, which matches whatever the default
function takeFault(w: World, at: ArmedFault['at'], order = -1): boolean {
  const i = w.faults.findIndex((f) => f.at === at && (f.order === -1 || f.order === order));
  if (i < 0) return false;
  w.faults.splice(i, 1);
  w.events.push({ kind: 'fault', at });
  return true;
}

/** Counts the pages of a range that are not private (decrypted or unknown). */
function notEncrypted(w: World, pfn: number, n: number): { count: number; first: number } {
  const enc = w.pa.pages.enc;
  let count = 0;
  let first = -1;
  for (let p = pfn; p < pfn + n; p++)
    if (enc[p] !== ENC_ENCRYPTED) {
      count += 1;
      if (first === -1) first = p;
    }
  return { count, first };
}

/** Whether pfn lies in the CMA area `a` (null: there is none). */
function inCma(a: CmaArea | null, pfn: number): a is CmaArea {
  return a !== null && pfn >= a.base_pfn && pfn < a.base_pfn + a.count;
}

function freeToBuddy(w: World, by: 'direct' | 'pool' | 'kernel', pfn: number, order: number): void {
  const n = 2 ** order;
  const bad = notEncrypted(w, pfn, n);
  w.events.push({
    kind: 'free',
    by,
    pfn,
    npages: n,
    notEncrypted: bad.count,
    firstNotEncrypted: bad.first,
    into: 'buddy',
    cma: inCma(w.cma, pfn),
  });
  const err = __free_pages(w.pa, pfn, order);
  if (err !== null) w.events.push({ kind: 'bug', detail: `__free_pages: ${err}` });
}

function allocFromBuddy(
  w: World,
  by: 'direct' | 'pool' | 'kernel',
  gfp: number,
  order: number,
): number | null {
  if (gfp & __GFP_DIRECT_RECLAIM)
    w.events.push({ kind: 'may_sleep', what: `alloc_pages(order ${order}, __GFP_DIRECT_RECLAIM)` });
  if (takeFault(w, 'alloc_pages', order)) return null;
  const r = __alloc_pages(w.pa, { gfp, order });
  w.stepAllocs.push(r);
  for (const e of r.events)
    if (e.kind === 'warn_alloc') w.events.push({ kind: 'warn', text: e.text });
  if (r.pfn === null) return null;
  w.events.push({ kind: 'alloc', by, pfn: r.pfn, npages: 2 ** order });
  return r.pfn;
}

/**
 * mm/cma.c cma_alloc(), the default area: the first free run of `count`
 * pages whose pfn is aligned to 2^min(align, CONFIG_CMA_ALIGNMENT); its pfn,
 * or null. The pages go to `owner`. Context: may sleep (mutex, migration).
 */
function cma_alloc(
  w: World,
  by: 'direct' | 'pool',
  count: number,
  align: number,
  owner: number,
): number | null {
  const a = w.cma;
  // the kernel's !count check is left out: every caller asks for at least
  // one page (dma-direct only above one page, the pool for 2^order)
  if (a === null) return null;
  w.events.push({ kind: 'may_sleep', what: `cma_alloc(${count} pages)` });
  const step = 2 ** Math.min(align, CONFIG_CMA_ALIGNMENT);
  const first = Math.ceil(a.base_pfn / step) * step;
  for (let pfn = first; pfn + count <= a.base_pfn + a.count; pfn += step) {
    const i = pfn - a.base_pfn;
    let used = -1;
    for (let j = i; j < i + count; j++) if (a.bitmap[j] === 1) used = j;
    if (used >= 0) continue;
    a.bitmap.fill(1, i, i + count);
    setOwner(w.pa.pages, pfn, count, owner);
    w.events.push({ kind: 'alloc', by, pfn, npages: count, cma: true });
    return pfn;
  }
  return null;
}

/** mm/cma.c cma_release() (v5.4..6.x): `count` pages at pfn go back to the area (false: pfn not in it). */
function cma_release(w: World, by: 'direct' | 'pool', pfn: number, n: number): boolean {
  const a = w.cma;
  // the range check looks at the first page only (cma_pages_valid() since v5.16)
  if (!inCma(a, pfn)) return false;
  const end = a.base_pfn + a.count;
  // VM_BUG_ON (CONFIG_DEBUG_VM): a run past the area's end; the kernel stops
  // there, so only the pages inside the area are modelled as released
  if (pfn + n > end)
    w.events.push({
      kind: 'bug',
      detail: `VM_BUG_ON: cma_release: pfn 0x${pfn.toString(16)} + ${n} pages runs past the area's end 0x${end.toString(16)}`,
    });
  const count = Math.min(n, end - pfn);
  const bad = notEncrypted(w, pfn, count);
  w.events.push({
    kind: 'free',
    by,
    pfn,
    npages: count,
    notEncrypted: bad.count,
    firstNotEncrypted: bad.first,
    into: 'cma',
    cma: true,
  });
  a.bitmap.fill(0, pfn - a.base_pfn, pfn - a.base_pfn + count);
  setOwner(w.pa.pages, pfn, count, PG_RESERVED);
  return true;
}

function convert(w: World, op: SetMemoryOp, phys: number, numpages: number): number {
  const platform = w.config.platform;
  const active = mem_encrypt_active(platform);
  const refused = active && takeFault(w, op);
  const pfn = pfnOf(phys);
  const out = set_memory_outcome(platform, op, pfn, numpages, refused ? -EIO : 0);
  if (out.may_sleep)
    w.events.push({ kind: 'may_sleep', what: `${op}(pfn 0x${pfn.toString(16)}, ${numpages})` });
  if (out.state !== null) {
    set_page_enc(w.pa, pfn, numpages, out.state);
    w.converted.push(pfn, numpages);
  }
  if (active) w.events.push({ kind: 'convert', op, pfn, npages: numpages, ok: out.ret === 0 });
  if (out.ret !== 0) w.conversionFailures += 1;
  if (out.warning !== null) w.events.push({ kind: 'warn', text: out.warning });
  return out.ret;
}

function leak(w: World, pfn: number, npages: number, cause: string): void {
  const err = set_page_owner(w.pa, pfn, npages, 'leaked');
  if (err !== null) w.events.push({ kind: 'bug', detail: `leak: ${err}` });
  w.leakedPages += npages;
  w.events.push({ kind: 'leak', pfn, npages, cause });
}

/** A bare BUG_ON()'s name; no pool BUG is bare (each names what it found). */
// Stryker disable next-line StringLiteral: unreachable, there for the type only
const BARE_BUG = 'BUG';

/** A pool's printk as an event: a BUG as a bug, a warning or error as a warning; info is none. */
function messageEvent(w: World, m: PoolMessage | ReservePoolMessage): void {
  if (m.kind === 'bug') w.events.push({ kind: 'bug', detail: m.text ?? BARE_BUG });
  else if (m.level !== 'info') w.events.push({ kind: 'warn', text: m.text ?? 'WARN_ON' });
}

/** Turns new pool messages and leaked blocks into events and page states. */
function syncPool(w: World): void {
  // a world has one pool design: the 2019 reserve pools or pool.c's atomic pools
  const log = w.reserve ?? w.pools;
  if (!log) return;
  for (const m of log.messages.slice(w.poolMessagesSeen)) messageEvent(w, m);
  for (const b of log.leaked.slice(w.poolLeaksSeen))
    leak(
      w,
      pfnOf(b.phys),
      2 ** b.order,
      'pool' in b ? `reserve pool ${b.pool}: ${b.cause}` : `atomic_pool_expand: ${b.cause}`,
    );
  w.poolMessagesSeen = log.messages.length;
  w.poolLeaksSeen = log.leaked.length;
}

/**
 * The environment of the pool code (PoolEnv, and the reserve pool's): every
 * call lands on `world`. A class, so a world costs one object per
 * environment rather than a closure per call.
 */
class WorldPoolEnv implements PoolEnv, ReservePoolEnv {
  /** Set once, as soon as the world exists. */
  world: World | null = null;

  private get w(): World {
    return this.world as World;
  }

  wake_up_kswapd(): void {
    wake_up_kswapd(this.w.pa);
  }

  get mem_encrypt_active(): boolean {
    return mem_encrypt_active(this.w.config.platform);
  }

  alloc_pages(gfp: number, order: number): number | null {
    const world = this.w;
    // BZ-07: with CMA skipped, `page` is read before this iteration assigns
    // it; on an expansion's first iteration it holds the last one's block
    if (world.variant.expand_stale_page && world.poolLastPage !== null)
      return world.poolLastPage * PAGE_SIZE;
    let pfn: number | null = null;
    // BZ-03: the area is used whatever zone the pool serves (cma_alloc() fails without one)
    if (world.variant.expand_cma_any_zone)
      pfn = cma_alloc(world, 'pool', 2 ** order, order, PG_POOL);
    if (pfn === null) {
      const zoneGfp = world.variant.expand_ignores_zone ? gfp & ~(__GFP_DMA | __GFP_DMA32) : gfp;
      pfn = allocFromBuddy(world, 'pool', zoneGfp, order);
      if (pfn !== null) set_page_owner(world.pa, pfn, 2 ** order, 'pool-chunk');
    }
    world.poolLastPage = pfn;
    return pfn === null ? null : pfn * PAGE_SIZE;
  }

  __free_pages(phys: number, order: number): void {
    freeToBuddy(this.w, 'pool', pfnOf(phys), order);
  }

  dev_get_cma_area(): { readonly base: number; readonly size: number } | null {
    const a = this.w.cma;
    return a === null ? null : { base: a.base_pfn * PAGE_SIZE, size: a.count * PAGE_SIZE };
  }

  dma_alloc_from_contiguous(order: number): number | null {
    const world = this.w;
    const pfn = cma_alloc(world, 'pool', 2 ** order, order, PG_POOL);
    world.poolLastPage = pfn;
    return pfn === null ? null : pfn * PAGE_SIZE;
  }

  set_memory_decrypted(phys: number, n: number): number {
    return convert(this.w, 'set_memory_decrypted', phys, n);
  }

  set_memory_encrypted(phys: number, n: number): number {
    return convert(this.w, 'set_memory_encrypted', phys, n);
  }

  gen_pool_add_fails(): boolean {
    return takeFault(this.w, 'gen_pool_add');
  }
}

/** dma-direct's environment (DirectEnv) in a world; see WorldPoolEnv. */
class WorldDirectEnv implements DirectEnv {
  /** Set once, as soon as the world exists. */
  world: World | null = null;

  private get w(): World {
    return this.world as World;
  }

  get platform(): Platform {
    return this.w.config.platform;
  }

  alloc_pages_node(gfp: number, order: number): number | null {
    const pfn = allocFromBuddy(this.w, 'direct', gfp, order);
    return pfn === null ? null : pfn * PAGE_SIZE;
  }

  __free_pages(phys: number, order: number): void {
    freeToBuddy(this.w, 'direct', pfnOf(phys), order);
  }

  dma_alloc_contiguous(_dev: Device, size: number, _gfp: number): number | null {
    const world = this.w;
    world.events.push({ kind: 'may_sleep', what: 'dma_alloc_contiguous()' });
    // single pages come only from a per-device area (none here); with no
    // default area at all, cma_alloc() below returns NULL
    if (size <= PAGE_SIZE) return null;
    // cma_alloc_aligned(): size >> PAGE_SHIFT pages, aligned to get_order(size)
    const count = Math.floor(size / PAGE_SIZE);
    const pfn = cma_alloc(world, 'direct', count, get_order(size), PG_ALLOCATED);
    return pfn === null ? null : pfn * PAGE_SIZE;
  }

  dma_free_contiguous(_dev: Device, phys: number, size: number): ContiguousFree {
    const world = this.w;
    const count = Math.ceil(size / PAGE_SIZE);
    if (cma_release(world, 'direct', pfnOf(phys), count)) return { to: 'cma', npages: count };
    const order = get_order(size);
    freeToBuddy(world, 'direct', pfnOf(phys), order);
    return { to: 'buddy', npages: 2 ** order };
  }

  set_memory_decrypted(phys: number, n: number): number {
    return convert(this.w, 'set_memory_decrypted', phys, n);
  }

  set_memory_encrypted(phys: number, n: number): number {
    return convert(this.w, 'set_memory_encrypted', phys, n);
  }

  dma_alloc_from_pool(
    dev: Device,
    size: number,
    gfp: number,
    phys_ok: PhysAddrOk | null,
  ): number | null {
    const world = this.w;
    if (world.reserve) {
      const ask = world.variant.reserve_rounds_up ? 2 * size : size;
      const r = reserve_pool_alloc(world.reserve, world.poolEnv, dev, ask, gfp, phys_ok);
      syncPool(world);
      return r.block === null ? null : r.block.phys;
    }
    if (!world.pools) return null;
    const r = dma_alloc_from_pool(
      world.pools,
      dev,
      size,
      gfp,
      world.variant.pool_skips_phys_ok ? null : phys_ok,
    );
    if (world.variant.no_schedule_work) world.pools.atomic_pool_work.pending = false;
    syncPool(world);
    lastPoolBlock = r.block;
    return r.block === null ? null : r.block.phys;
  }

  dma_free_from_pool(dev: Device, phys: number, size: number): boolean {
    const world = this.w;
    if (world.reserve && !world.variant.pool_free_misses) {
      const r = reserve_pool_free(world.reserve, world.poolEnv, dev, phys, size);
      syncPool(world);
      return r.freed;
    }
    if (!world.pools || world.variant.pool_free_misses) return false;
    // a BUG in gen_pool_free() comes back as the pool's message (syncPool)
    return dma_free_from_pool(world.pools, dev, phys, size).freed;
  }

  memset(phys: number, bytes: number): void {
    const world = this.w;
    if (world.variant.skip_memset) return;
    world.events.push({ kind: 'zero', pfn: pfnOf(phys), bytes });
  }
}

/** The pool block the last dma_alloc_from_pool returned (read right after the call). */
let lastPoolBlock: PoolBlock | null = null;

/** Builds and boots a world: the page allocator, then dma_atomic_pool_init() (postcore). */
export function createWorld(
  config: WorldConfig,
  policy: Policy,
  pa?: PageAlloc,
  variant: WorldVariant = {},
): World {
  const poolEnv = new WorldPoolEnv();
  const directEnv = new WorldDirectEnv();
  const pageAlloc = pa ?? createPageAlloc(config.machine, policy.pageAlloc, variant.page_alloc);
  const pools = policy.dmaPool ? createDmaPoolState(policy.dmaPool) : null;
  const self: World = {
    config,
    policy,
    variant,
    pa: pageAlloc,
    pools,
    reserve: policy.reservePool ? createReservePoolState(policy.reservePool) : null,
    stepGuarantee: null,
    stepAllocs: [],
    buffers: [],
    kernelPages: [],
    faults: [],
    events: [],
    stepBuffer: null,
    context: 'boot',
    poolMessagesSeen: 0,
    poolLeaksSeen: 0,
    leakedPages: 0,
    conversionFailures: 0,
    converted: [],
    cma: config.cma
      ? {
          base_pfn: pfnOf(config.cma.base),
          count: Math.floor(config.cma.size / PAGE_SIZE),
          bitmap: new Uint8Array(Math.floor(config.cma.size / PAGE_SIZE)),
        }
      : null,
    bootCalls: [],
    poolLastPage: null,
    nextId: 1,
    poolEnv,
    directEnv,
  };
  poolEnv.world = self;
  directEnv.world = self;
  if (pools) {
    const value = config.coherent_pool;
    if (value !== undefined) early_coherent_pool(pools, value);
    const managed = pageAlloc.zones.map((z) => z.managed_pages);
    const init = dma_atomic_pool_init(pools, self.poolEnv, {
      totalram_pages: managed.reduce((a, b) => a + b, 0),
      managed: { DMA: managed[0] ?? 0, DMA32: managed[1] ?? 0, Normal: managed[2] ?? 0 },
    });
    self.bootCalls.push(...init.calls);
    syncPool(self);
  }
  if (self.reserve) {
    const init = reserve_pool_init(self.reserve, self.poolEnv, pageAlloc.zones);
    self.bootCalls.push(...init.calls.map(reserveCallAsPoolCall));
    syncPool(self);
  }
  return self;
}

/**
 * The pool-call log entry of a reserve-pool call (boot log only). Boot runs
 * only kswapd's refill sub-steps, whose calls (alloc_pages,
 * set_memory_{de,en}crypted, __free_pages) are all pool calls: wake_up_kswapd
 * and memset come from allocations, frees and resizes, never from boot.
 */
function reserveCallAsPoolCall(c: ReservePoolCall): PoolCall {
  return {
    fn: c.fn as PoolCall['fn'],
    mayBlock: c.mayBlock,
    pool: c.pool === 'DMA' ? 'dma' : 'dma32',
  };
}

/**
 * Whether a deep copy copies `v` rather than sharing it: an object, neither
 * frozen nor in `keep`. Primitives (functions aside) and null are frozen.
 */
function isCopied(v: unknown, keep: ReadonlySet<object>): v is object {
  return typeof v === 'object' && !Object.isFrozen(v) && !keep.has(v as object);
}

/**
 * A deep copy of plain model data: objects, arrays, Maps, Sets and typed
 * arrays are copied; functions, frozen objects and those in `keep` are
 * shared. With `memo`, an object reached twice is copied once (references
 * stay shared); without it the data must be a tree (see `isTree`). Anything
 * else (a class instance) throws: it has no plain copy.
 */
function copyData<T>(v: T, keep: ReadonlySet<object>, memo: Map<object, unknown> | null): T {
  if (!isCopied(v, keep)) return v;
  if (memo?.has(v)) return memo.get(v) as T;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    // the spread keeps the original's shape; then the nested data is replaced by copies
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    memo?.set(v, o);
    for (const k in o) o[k] = copyData(o[k], keep, memo);
    return o as T;
  }
  let out: unknown;
  if (Array.isArray(v)) {
    const a: unknown[] = v.slice();
    memo?.set(v, a);
    // forEach skips holes, as slice() kept them
    a.forEach((x, i) => {
      a[i] = copyData(x, keep, memo);
    });
    return a as T;
  }
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView) throw new TypeError('copyData: a DataView has no plain copy');
    out = (v as unknown as Uint8Array).slice();
  } else if (v instanceof Map) {
    const m = new Map<unknown, unknown>();
    memo?.set(v, m);
    for (const [k, x] of v) m.set(copyData(k, keep, memo), copyData(x, keep, memo));
    return m as T;
  } else if (v instanceof Set) {
    const m = new Set<unknown>();
    memo?.set(v, m);
    for (const x of v) m.add(copyData(x, keep, memo));
    return m as T;
  } else throw new TypeError('copyData: only plain data is copied');
  memo?.set(v, out);
  return out as T;
}

/** Whether no object of `v` (outside `keep`, frozen ones aside) is reached twice. */
function isTree(v: unknown, keep: ReadonlySet<object>, seen = new Set<object>()): boolean {
  if (!isCopied(v, keep)) return true;
  if (seen.has(v)) return false;
  seen.add(v);
  // a typed array's parts (Object.values) are numbers
  const parts =
    v instanceof Map ? [...v.keys(), ...v.values()] : v instanceof Set ? [...v] : Object.values(v);
  return parts.every((x) => isTree(x, keep, seen));
}

/** A gen_pool-backed atomic pool, copied: its chunks (bitmaps, avail) and its lists. */
function copyAtomicPool(p: AtomicPool | null): AtomicPool | null {
  if (p === null) return null;
  const chunks = p.pool.chunks.map((c) => ({ ...c, bits: c.bits.slice() }));
  return { ...p, pool: { ...p.pool, chunks }, chunks: p.chunks.slice() };
}

/**
 * kernel/dma/pool.c's state, copied field by field (copyData() does the same
 * in ten times the time): what pool.c mutates is copied, the records in its
 * lists (chunk records, messages, leaked blocks: never mutated) are shared.
 */
function copyDmaPoolState(s: DmaPoolState): DmaPoolState {
  return {
    ...s,
    atomic_pool_dma: copyAtomicPool(s.atomic_pool_dma),
    atomic_pool_dma32: copyAtomicPool(s.atomic_pool_dma32),
    atomic_pool_kernel: copyAtomicPool(s.atomic_pool_kernel),
    atomic_pool_work: { ...s.atomic_pool_work },
    messages: s.messages.slice(),
    leaked: s.leaked.slice(),
    warned_once: s.warned_once.slice(),
  };
}

/** The parts of a DmaPoolState copyDmaPoolState() may share: records, and the algorithm's data. */
const POOL_RECORDS =
  // Stryker disable next-line Regex: equivalent: a path it misses sends the clone to the generic copy, an equal world (the shared records are pinned by clone-independence.test.ts); one it wrongly takes would need a field the pool state does not have
  /^\.(atomic_pool_\w+\.chunks\.\d+|messages\.\d+|leaked\.\d+|atomic_pool_\w+\.pool\.data|atomic_pool_\w+\.pool\.chunks\.\d+\.owner)$/;

/** The path of an object `copy` shares with `orig` that is not a known record, or null. */
function sharedPart(
  orig: unknown,
  copy: unknown,
  keep: ReadonlySet<object>,
  path = '',
): string | null {
  if (!isCopied(orig, keep)) return null;
  if (orig === copy) return POOL_RECORDS.test(path) ? null : path;
  // copyDmaPoolState() makes an object of each object it copies; a typed
  // array's entries are numbers, so walking one below finds nothing shared
  if (orig instanceof Map || orig instanceof Set) return path;
  for (const [k, x] of Object.entries(orig)) {
    const found = sharedPart(x, (copy as Record<string, unknown>)[k], keep, `${path}.${k}`);
    if (found !== null) return found;
  }
  return null;
}

/** How a booted world's mutable parts are copied: what is shared, and whether they are trees. */
interface CopyPlan {
  readonly keep: ReadonlySet<object>;
  readonly tree: boolean;
  readonly fastPools: boolean;
}

/** Each booted world's copy plan, made by its first clone. */
const copyPlans = new WeakMap<World, CopyPlan>();

/** The copy plan of `booted`, cloned on `pa` for the first time; kept for its later clones. */
function newCopyPlan(booted: World, pa: PageAlloc): CopyPlan {
  // configuration is shared, and so are the zones (pa keeps them across resets)
  const keep = new Set<object>([booted.config, booted.policy, booted.variant, ...pa.zones]);
  if (booted.pools) keep.add(booted.pools.rules).add(booted.pools.config);
  if (booted.reserve) keep.add(booted.reserve.rules);
  if (booted.pa.zones.some((z, i) => z !== pa.zones[i]))
    throw new Error("cloneWorld: pa is not a reset of the booted world's page allocator");
  const seen = new Set<object>();
  const tree = isTree(booted.pools, keep, seen) && isTree(booted.reserve, keep, seen);
  // the field-by-field copy, unless pool.c's state holds more than it knows how to copy
  const fastPools =
    tree &&
    (booted.pools === null ||
      sharedPart(booted.pools, copyDmaPoolState(booted.pools), keep) === null);
  const plan = { keep, tree, fastPools };
  copyPlans.set(booted, plan);
  return plan;
}

/**
 * A world in the state of `booted` (a world no step has run on), on `pa`,
 * which must hold the page allocator's state as `booted`'s boot left it.
 * Starting each run from a copy costs a few small objects instead of a
 * second dma_atomic_pool_init(): the boot is deterministic, so the copy is
 * the world a fresh boot would build. `booted` stays untouched.
 */
export function cloneWorld(booted: World, pa: PageAlloc): World {
  if (booted.context !== 'boot') throw new Error('cloneWorld: the world has run a step');
  const plan = copyPlans.get(booted) ?? newCopyPlan(booted, pa);
  // an object reached twice: one memo over both parts keeps it shared
  const memo = plan.tree ? null : new Map<object, unknown>();
  const pools =
    plan.fastPools && booted.pools !== null
      ? copyDmaPoolState(booted.pools)
      : copyData(booted.pools, plan.keep, memo);
  const poolEnv = new WorldPoolEnv();
  const directEnv = new WorldDirectEnv();
  const cma = booted.cma;
  // records (events, allocation results, calls, buffers) are never mutated: the arrays are copied, not them
  const self: World = {
    config: booted.config,
    policy: booted.policy,
    variant: booted.variant,
    pa,
    pools,
    reserve: copyData(booted.reserve, plan.keep, memo),
    stepGuarantee: booted.stepGuarantee,
    stepAllocs: booted.stepAllocs.slice(),
    buffers: booted.buffers.slice(),
    kernelPages: booted.kernelPages.slice(),
    faults: booted.faults.slice(),
    events: booted.events.slice(),
    stepBuffer: booted.stepBuffer,
    context: booted.context,
    poolMessagesSeen: booted.poolMessagesSeen,
    poolLeaksSeen: booted.poolLeaksSeen,
    leakedPages: booted.leakedPages,
    conversionFailures: booted.conversionFailures,
    converted: booted.converted.slice(),
    cma: cma ? { base_pfn: cma.base_pfn, count: cma.count, bitmap: cma.bitmap.slice() } : null,
    bootCalls: booted.bootCalls.slice(),
    poolLastPage: booted.poolLastPage,
    nextId: booted.nextId,
    poolEnv,
    directEnv,
  };
  poolEnv.world = self;
  directEnv.world = self;
  return self;
}

/** Starts a step in `context`: clears the previous step's events. */
export function beginStep(w: World, context: Context): void {
  w.events = [];
  w.stepBuffer = null;
  w.stepGuarantee = null;
  w.stepAllocs = [];
  w.context = context;
}

/** What a DMA allocation step did. */
export interface DmaAllocReport {
  readonly buffer: DmaBuffer | null;
  readonly gfp: number;
  readonly effects: readonly DirectEffect[];
}

function gfpFor(w: World, atomic: boolean, nowarn: boolean): number {
  const g = w.pa.gfp;
  return (atomic ? g.GFP_ATOMIC : g.GFP_KERNEL) | (nowarn ? __GFP_NOWARN : 0);
}

function recordDirect(w: World, effects: readonly DirectEffect[]): void {
  for (const e of effects) {
    // the block dma_free_contiguous() would have freed: PFN_UP(size) CMA pages,
    // else 2^get_order(size) buddy pages
    if (e.kind === 'leak')
      leak(
        w,
        e.pfn,
        inCma(w.cma, e.pfn) ? Math.ceil(e.size / PAGE_SIZE) : 2 ** get_order(e.size),
        e.reason,
      );
    else if (e.kind === 'warn') {
      // set_memory's own warning is already logged by convert() (only a warning has a text)
      if (!w.events.some((x) => 'text' in x && x.text === e.text))
        w.events.push({ kind: 'warn', text: e.text });
    } else if (e.kind === 'wild') w.events.push({ kind: 'wild', detail: `${e.op}: ${e.detail}` });
  }
}

/**
 * For the reserve-pool design: which pool, if any, guarantees this request
 * before it runs (the request dma-direct will pass to the pool: the page
 * aligned size, the device's optimal zone OR'ed in).
 */
function noteGuarantee(w: World, device: Device, size: number, gfp: number): void {
  if (!w.reserve || gfp & __GFP_DIRECT_RECLAIM) return;
  if (!force_dma_unencrypted(device, w.config.platform)) return;
  const zoneGfp = gfp | dma_direct_optimal_gfp_mask(device).gfp;
  const order = get_order(Math.ceil(size / PAGE_SIZE) * PAGE_SIZE);
  const p = reserve_pool_guarantee(w.reserve, zoneGfp, order);
  if (p) w.stepGuarantee = { pool: p.zone, order };
}

/**
 * A driver's dma_alloc_coherent() (kernel/dma/mapping.c dma_alloc_attrs(),
 * then dma-direct) from an atomic (GFP_ATOMIC) or task (GFP_KERNEL) context.
 */
export function world_dma_alloc_coherent(
  w: World,
  dev: number,
  size: number,
  atomic: boolean,
  nowarn: boolean,
): DmaAllocReport {
  beginStep(w, atomic ? 'atomic' : 'task');
  const device = w.config.devices[dev] as Device;
  const gfp = gfpFor(w, atomic, nowarn);
  lastPoolBlock = null;
  noteGuarantee(w, device, size, gfp);
  const r = dma_alloc_attrs(w.policy.dmaDirect, w.directEnv, device, size, gfp, 0);
  return handOut(w, r, gfp, {
    dev,
    api: 'coherent',
    requested: size,
    cpu_addr: r.ok ? r.cpu_addr : null,
    page: null,
    atomic,
  });
}

/**
 * Records what an allocation step did and, when it succeeded, the buffer the
 * driver now holds (both DMA APIs).
 */
function handOut(
  w: World,
  r: DirectAllocResult | DirectPagesResult,
  gfp: number,
  b: Pick<DmaBuffer, 'dev' | 'api' | 'requested' | 'cpu_addr' | 'page' | 'atomic'>,
): DmaAllocReport {
  recordDirect(w, r.effects);
  syncPool(w);
  if (!r.ok) return { buffer: null, gfp, effects: r.effects };
  // every field named (no spread of `b`: that made this the costliest line of a step)
  const buffer: DmaBuffer = {
    id: w.nextId++,
    dev: b.dev,
    api: b.api,
    requested: b.requested,
    phys: r.buffer.phys,
    size: r.buffer.size,
    source: r.buffer.source,
    cpu_addr: b.cpu_addr,
    page: b.page,
    dma_handle: r.dma_handle,
    // null unless this step's dma_alloc_from_pool() returned a block, which is then the buffer
    block: lastPoolBlock,
    atomic: b.atomic,
  };
  w.buffers.push(buffer);
  w.stepBuffer = buffer;
  return { buffer, gfp, effects: r.effects };
}

/** dma_free_coherent() of a live coherent buffer, from task context. */
export function world_dma_free_coherent(w: World, b: DmaBuffer): readonly DirectEffect[] {
  beginStep(w, 'task');
  dropBuffer(w, b);
  const device = w.config.devices[b.dev] as Device;
  const r = dma_free_attrs(
    w.policy.dmaDirect,
    w.directEnv,
    device,
    b.requested,
    b.cpu_addr as CpuAddr,
    b.dma_handle,
    0,
  );
  recordDirect(w, r.effects);
  syncPool(w);
  return r.effects;
}

/** The page API (dma_alloc_pages), 6.1 and mainline only. */
export function world_dma_alloc_pages(
  w: World,
  dev: number,
  size: number,
  atomic: boolean,
): DmaAllocReport {
  beginStep(w, atomic ? 'atomic' : 'task');
  const device = w.config.devices[dev] as Device;
  const gfp = gfpFor(w, atomic, false);
  lastPoolBlock = null;
  const r = dma_alloc_pages(w.policy.dmaDirect, w.directEnv, device, size, gfp);
  return handOut(w, r, gfp, {
    dev,
    api: 'pages',
    requested: size,
    cpu_addr: null,
    page: r.ok ? r.page : null,
    atomic,
  });
}

/** dma_free_pages() of a live page-API buffer, from task context. */
export function world_dma_free_pages(w: World, b: DmaBuffer): readonly DirectEffect[] {
  beginStep(w, 'task');
  dropBuffer(w, b);
  const device = w.config.devices[b.dev] as Device;
  const r = dma_free_pages(
    w.policy.dmaDirect,
    w.directEnv,
    device,
    b.requested,
    b.page as StructPage,
    b.dma_handle,
  );
  recordDirect(w, r.effects);
  syncPool(w);
  return r.effects;
}

/** Takes `b` off the live list; a driver's double free finds it gone already. */
function dropBuffer(w: World, b: DmaBuffer): void {
  const i = w.buffers.indexOf(b);
  if (i >= 0) w.buffers.splice(i, 1);
}

/** The debugfs_double_count variant: the chunk a worker step on `pool` added is counted again. */
function countAddedTwice(s: DmaPoolState, pool: PoolName, step: WorkStep): void {
  for (const c of step.calls)
    if (c.fn === 'gen_pool_add_virt' && c.ret === 0) {
      // the add succeeded: the chunk is the last of the worker's pool
      const added = (poolOf(s, pool) as AtomicPool).chunks.at(-1) as { readonly size: number };
      if (pool === 'dma') s.pool_size_dma += added.size;
      else if (pool === 'dma32') s.pool_size_dma32 += added.size;
      else s.pool_size_kernel += added.size;
    }
}

/** One sub-step of atomic_pool_work_fn (process context); null when it has nothing to do. */
export function world_pool_worker(w: World): WorkStep | null {
  if (!w.pools) return null;
  const s = w.pools;
  if (!s.atomic_pool_work.pending && !s.atomic_pool_work.running) return null;
  beginStep(w, 'worker');
  const step = atomic_pool_work_fn(s, w.poolEnv);
  if (w.variant.debugfs_double_count && step.pool) countAddedTwice(s, step.pool, step);
  if (w.variant.worker_gives_up) {
    s.atomic_pool_work.pending = false;
    s.atomic_pool_work.running = null;
  }
  syncPool(w);
  return step;
}

/**
 * One sub-step of kswapd, reclaiming at most `reclaim` pages in a balance
 * round; in the reserve-pool design, kswapd first works on a pending refill
 * (or give-back) of the reserve pools, one sub-step at a time.
 */
export function world_kswapd(
  w: World,
  reclaim: number,
): { readonly kswapd: KswapdStep } | { readonly reserve: ReservePoolStep } | null {
  if (w.reserve && reserve_pool_pending(w.reserve)) {
    beginStep(w, 'kswapd');
    const step = reserve_pool_kswapd_step(w.reserve, w.poolEnv);
    syncPool(w);
    return { reserve: step };
  }
  if (w.pa.pgdat.kswapd.position === 'full_sleep') return null;
  beginStep(w, 'kswapd');
  // kswapd_step() is null only when kswapd is fully asleep, checked above
  return { kswapd: kswapd_step(w.pa, reclaim) as KswapdStep };
}

/** Another kernel user allocates `count` blocks of 2^order pages from `zone`. */
export function world_alloc_pages(
  w: World,
  atomic: boolean,
  zone: 'normal' | 'dma32' | 'dma',
  order: number,
  count: number,
): number {
  beginStep(w, atomic ? 'atomic' : 'task');
  const zoneBits = zone === 'dma' ? __GFP_DMA : zone === 'dma32' ? __GFP_DMA32 : 0;
  const gfp = gfpFor(w, atomic, true) | zoneBits;
  let got = 0;
  for (let i = 0; i < count; i++) {
    const pfn = allocFromBuddy(w, 'kernel', gfp, order);
    if (pfn === null) break;
    w.kernelPages.push({ pfn, order });
    got += 1;
  }
  return got;
}

/** Another kernel user frees up to `count` of its blocks, starting at `pick`. */
export function world_free_pages(w: World, pick: number, count: number): number {
  beginStep(w, 'task');
  let freed = 0;
  for (let i = 0; i < count && w.kernelPages.length > 0; i++) {
    const b = w.kernelPages.splice(pick % w.kernelPages.length, 1)[0] as World['kernelPages'][0];
    freeToBuddy(w, 'kernel', b.pfn, b.order);
    freed += 1;
  }
  return freed;
}

/** Page-cache growth: a folio of 2^order pages that reclaim can free again. */
export function world_page_cache(w: World, order: number, dirty: boolean): number | null {
  beginStep(w, 'task');
  return filemap_add_folio(w.pa, order, dirty).pfn;
}

/**
 * A root task writes /proc/sys/vm/<name> (mm/page_alloc.c's handlers, the
 * policy's version): 0, or -EINVAL with nothing changed. In the
 * reserve-pool design, a write that recomputed the reserves resizes the
 * pools too (reserve_pool_resize: new targets, kswapd woken if a list is
 * now short or above its give-back limit); pages move only in kswapd's
 * sub-steps. Context: process context.
 */
export function world_vm_sysctl_write(
  w: World,
  name: VmSysctlName,
  value: number | readonly number[],
): number {
  beginStep(w, 'task');
  const ret = vm_sysctl_write(w.pa, name, value);
  if (ret === 0 && name === 'lowmem_reserve_ratio' && w.reserve) {
    reserve_pool_resize(w.reserve, w.poolEnv, w.pa.zones);
    syncPool(w);
  }
  return ret;
}

/** Arms a fault for the next matching call. */
export function world_arm_fault(w: World, fault: ArmedFault): void {
  beginStep(w, 'task');
  w.faults.push(fault);
}

/** Free pages of the whole machine that are not private: must be none (I4, whole state). */
export function freePagesNotEncrypted(w: World): { count: number; first: number } {
  const { owner, enc } = w.pa.pages;
  // only converted pages can be other than private: scan the union of those ranges once
  const ranges = w.converted;
  const order: number[] = [];
  // ranges holds whole pairs
  for (let i = 0; i !== ranges.length; i += 2) order.push(i);
  order.sort((a, b) => (ranges[a] as number) - (ranges[b] as number));
  let count = 0;
  let first = -1;
  let done = 0; // pages below `done` are scanned
  for (const i of order) {
    const start = Math.max(ranges[i] as number, done);
    const end = (ranges[i] as number) + (ranges[i + 1] as number);
    for (let p = start; p < end; p++)
      if (owner[p] === PG_FREE && enc[p] !== ENC_ENCRYPTED) {
        count += 1;
        if (first === -1) first = p;
      }
    done = Math.max(done, end);
  }
  return { count, first };
}

export { coherentPoolParam };
