/**
 * kernel/dma/direct.c (and the dma-direct half of kernel/dma/mapping.c) on
 * x86_64 for v5.4, v5.8, 6.1 (Debian 6.1.192) and mainline (94a04ad732c9):
 * coherent allocations for devices without an IOMMU, under memory
 * encryption. Per-version decisions come from `direct_rules.ts`; everything
 * outside direct.c is reached through `DirectEnv` (env.ts).
 *
 * Models: dma_alloc_attrs / dma_free_attrs (zone bits stripped, T12),
 * dma_direct_alloc, dma_direct_free, __dma_direct_alloc_pages (CMA first when
 * blocking, then the buddy allocator with the zone retry GFP_DMA32, GFP_DMA
 * after an unaddressable page), the pool decision and
 * dma_direct_alloc_from_pool, decrypt-after-allocation with each version's
 * error path, zeroing after decrypting, encrypt-on-free with each version's
 * error path, and the page API (dma_alloc_pages / dma_free_pages,
 * dma_direct_alloc_pages / dma_direct_free_pages, v5.10+) with T15.
 *
 * Names: in v5.4 the function called from dma_direct_alloc() was itself
 * named dma_direct_alloc_pages() and returned a CPU address; here
 * `dma_direct_alloc` covers that path for every version and
 * `dma_direct_alloc_pages` is the page API of 6.1 and mainline.
 *
 * Every entry point returns what it observed as data, with the ordered list
 * of effects it performed (`DirectEffect`): operations that may sleep, page
 * allocations, encryption conversions, frees, leaks, warnings, zeroing. The
 * properties (I1, I3-I6, I19) read these and the world's page state.
 * Units: the env and the results name memory by physical address (bytes,
 * as the pool model does); effects name page ranges by pfn (as the page
 * allocator's arrays do); a struct page is its pfn.
 *
 * Left out, each a simplification (x86 makes most of them unreachable):
 * - Non-coherent devices, DMA_DIRECT_REMAP/vmap, arch_dma_alloc, the global
 *   coherent pool and arch_dma_set_uncached: no x86 device or configuration
 *   reaches them. BZ-16 (decrypting a vmap alias) and BZ-18 (uncached error
 *   path) therefore have no code here; calling with a non-coherent device
 *   is an error.
 * - dma-iommu (IOMMU devices): dma_alloc_attrs refuses them; the world
 *   routes them elsewhere.
 * - Per-device coherent memory (dma_alloc_from_dev_coherent), restricted
 *   swiotlb (DT only), highmem (none on x86_64), NUMA nodes, the __GFP_COMP
 *   rejection, the WARN_ON_ONCE(!coherent_dma_mask) of dma_alloc_attrs.
 * - The SME C-bit in DMA handles (device.ts): a handle is the physical address.
 * - The DMA_ATTR_NO_KERNEL_MAPPING cookie is a struct page pointer; here a
 *   CpuAddr with mapping `page-cookie`. Such a pointer never lies in a pool,
 *   so the free path does not look one up in the pools (v5.8 did, and missed).
 * - Frees name the page by the CPU address (v5.4) where v5.8+ derive it from
 *   the DMA handle: the same page whenever the caller hands back what it got.
 * - Whether dma_alloc_contiguous() actually reaches cma_alloc() (the world
 *   knows the CMA areas): its may-sleep effect is recorded whenever it is
 *   called, i.e. for every blocking request.
 * - v5.8 dma_direct_free() tried the pools before testing for a cookie;
 *   6.1 tests the cookie first. On x86 a cookie belongs to a device not
 *   forced to unencrypted DMA and a pool block to one that is, so the order
 *   is not observable; the model tests the cookie first.
 *
 * Context: with a gfp that does not allow blocking, v5.8, 6.1 and mainline
 * perform no may-sleep operation; v5.4 decrypts fresh pages in the caller's
 * context when the device is forced to unencrypted DMA (BZ-01). Frees of
 * non-pool buffers of such devices may sleep in every version.
 */

import { __GFP_NOWARN, __GFP_ZERO, gfpflags_allow_blocking } from '../page_alloc/gfp.ts';
import {
  type Device,
  DMA_BIT_MASK,
  dma_coherent_ok,
  dma_direct_optimal_gfp_mask,
  force_dma_unencrypted,
  type Platform,
  phys_to_dma_direct,
} from './device.ts';
import type { DmaDirectRules } from './direct_rules.ts';
import {
  type DirectEnv,
  DMA_ATTR_NO_KERNEL_MAPPING,
  DMA_ATTR_NO_WARN,
  GFP_DMA,
  GFP_DMA32,
  GFP_ZONE_BITS,
  get_order,
  PAGE_ALIGN,
  PAGE_SIZE,
  PFN_UP,
} from './env.ts';
import {
  dma_set_memory_numpages,
  type EncState,
  type SetMemoryOp,
  set_memory_outcome,
  set_memory_source_state,
} from './set_memory.ts';

// ---------------------------------------------------------------------------
// Observations.

/** Operations that may sleep, by the kernel call that performs them. */
export type MaySleepOp =
  | 'set_memory_decrypted'
  | 'set_memory_encrypted'
  /** alloc_pages with __GFP_DIRECT_RECLAIM: direct reclaim, compaction. */
  | 'alloc_pages'
  /** CMA: cma_alloc() takes a mutex and migrates pages. */
  | 'dma_alloc_contiguous';

/** One thing dma-direct did, in the order it did it. */
export type DirectEffect =
  /** An operation that may sleep was performed (I1 reads these). */
  | { readonly kind: 'may_sleep'; readonly op: MaySleepOp; readonly why: string }
  /** Pages asked of the buddy allocator (npages = 2^order) or CMA; pfn null = none given. */
  | {
      readonly kind: 'page_alloc';
      readonly source: 'buddy' | 'cma';
      readonly gfp: number;
      readonly npages: number;
      readonly pfn: number | null;
    }
  /**
   * One set_memory_{de,en}crypted() call on [pfn, pfn + npages): `from` is
   * the state it converts away from, `to` the state the pages are left in
   * (`unknown` after a failure), `ret` its return value.
   */
  | {
      readonly kind: 'convert';
      readonly op: SetMemoryOp;
      readonly pfn: number;
      readonly npages: number;
      readonly from: EncState;
      readonly to: EncState;
      readonly ok: boolean;
      readonly ret: number;
    }
  /** Pages given back: to the buddy allocator, a CMA area or an atomic pool. */
  | {
      readonly kind: 'free';
      readonly to: 'buddy' | 'cma' | 'pool';
      readonly pfn: number;
      readonly npages: number;
    }
  /**
   * An allocation abandoned for good: the block dma_free_contiguous(pfn,
   * size) would have given back (2^get_order(size) buddy pages, or
   * PFN_UP(size) CMA pages; the world knows which).
   */
  | { readonly kind: 'leak'; readonly pfn: number; readonly size: number; readonly reason: string }
  /** A kernel warning; `once` for WARN_ONCE/WARN_ON_ONCE (the world prints it once per boot). */
  | { readonly kind: 'warn'; readonly text: string; readonly once: boolean }
  /** memset(buffer, 0, bytes) through the linear map. */
  | { readonly kind: 'zero'; readonly pfn: number; readonly bytes: number }
  /** dma_alloc_from_pool(): a block from the atomic pools, or null. */
  | {
      readonly kind: 'pool_alloc';
      readonly size: number;
      readonly gfp: number;
      readonly pfn: number | null;
    }
  /**
   * An operation on memory the model cannot name (T15: an address derived
   * from a CPU address taken as a struct page). `pfn` is the buffer whose
   * CPU address was misused; the operation did not act on it.
   */
  | {
      readonly kind: 'wild';
      readonly op: 'dma_free_from_pool' | 'set_memory_encrypted' | 'dma_free_contiguous';
      readonly pfn: number;
      readonly detail: string;
    };

/**
 * A CPU address handed to the caller, as (mapping, physical address): the
 * linear map of the buffer (x86 has no other mapping for dma-direct
 * buffers), or its first page as an opaque cookie (DMA_ATTR_NO_KERNEL_MAPPING).
 */
export interface CpuAddr {
  readonly mapping: 'linear' | 'page-cookie';
  readonly phys: number;
}

/** The memory behind a successful allocation. */
export interface DirectBuffer {
  /** Physical address of the first byte (page-aligned). */
  readonly phys: number;
  /** Bytes the caller owns: PAGE_ALIGNed in v5.8+, the caller's size in v5.4. */
  readonly size: number;
  /** Where the pages came from (buddy block of 2^get_order(size), CMA range of PFN_UP(size), pool block). */
  readonly source: 'buddy' | 'cma' | 'pool';
}

/** dma_alloc_attrs()/dma_direct_alloc(): a CPU address and DMA handle, or NULL (no handle written). */
export type DirectAllocResult =
  | {
      readonly ok: true;
      readonly cpu_addr: CpuAddr;
      readonly dma_handle: number;
      readonly buffer: DirectBuffer;
      readonly effects: readonly DirectEffect[];
    }
  | { readonly ok: false; readonly effects: readonly DirectEffect[] };

/**
 * The struct page the page API returns: the buffer's first page, or (T15)
 * the buffer's CPU address passed off as a struct page. `pfn` names the
 * buffer in both cases; only kind `page` is a page the caller can use.
 */
export interface StructPage {
  readonly kind: 'page' | 'cpu_addr';
  readonly pfn: number;
}

/** dma_alloc_pages()/dma_direct_alloc_pages(): a page and DMA handle, or NULL. */
export type DirectPagesResult =
  | {
      readonly ok: true;
      readonly page: StructPage;
      readonly dma_handle: number;
      readonly buffer: DirectBuffer;
      readonly effects: readonly DirectEffect[];
    }
  | { readonly ok: false; readonly effects: readonly DirectEffect[] };

/** What a free did. */
export interface DirectFreeResult {
  readonly effects: readonly DirectEffect[];
}

// ---------------------------------------------------------------------------
// Helpers.

const SET_MEMORY_SLEEPS =
  'vm_unmap_aliases() takes vmap_purge_lock; a large-page split allocates with GFP_KERNEL';

/** A platform this version does not know (a TDX guest before v5.19) is a configuration error. */
function check_platform(rules: DmaDirectRules, platform: Platform): void {
  if (!rules.force_dma_unencrypted_platforms.includes(platform.cc)) {
    throw new Error(`dma-direct ${rules.version}: platform ${platform.cc} is not supported`);
  }
}

/** dma-direct on x86 serves coherent devices without an IOMMU only (see the header). */
function check_device(dev: Device): void {
  if (dev.iommu) throw new Error(`${dev.name}: IOMMU devices use dma-iommu, not dma-direct`);
  if (!dev.coherent) throw new Error(`${dev.name}: non-coherent devices are not modelled (x86)`);
}

function fail(effects: DirectEffect[]): { readonly ok: false; readonly effects: DirectEffect[] } {
  return { ok: false, effects };
}

/** The pfn of a physical address. */
function pfn_of(phys: number): number {
  return Math.floor(phys / PAGE_SIZE);
}

/** kernel/dma/contiguous.c dma_free_contiguous(), through the env, with its effect. */
function free_contiguous(
  env: DirectEnv,
  dev: Device,
  phys: number,
  size: number,
  fx: DirectEffect[],
): void {
  const back = env.dma_free_contiguous(dev, phys, size);
  fx.push({ kind: 'free', to: back.to, pfn: pfn_of(phys), npages: back.npages });
}

/** One set_memory_{de,en}crypted() call through the env, with its effects. */
function convert(
  env: DirectEnv,
  op: SetMemoryOp,
  phys: number,
  numpages: number,
  fx: DirectEffect[],
): number {
  const ret =
    op === 'set_memory_decrypted'
      ? env.set_memory_decrypted(phys, numpages)
      : env.set_memory_encrypted(phys, numpages);
  const pfn = pfn_of(phys);
  const out = set_memory_outcome(env.platform, op, pfn, numpages, ret);
  if (out.may_sleep) fx.push({ kind: 'may_sleep', op, why: SET_MEMORY_SLEEPS });
  const from = set_memory_source_state(op);
  fx.push({
    kind: 'convert',
    op,
    pfn,
    npages: numpages,
    from,
    to: out.state ?? from,
    ok: ret === 0,
    ret,
  });
  if (out.warning !== null) fx.push({ kind: 'warn', text: out.warning, once: true });
  return ret;
}

/** memset(buffer, 0, bytes), through the env, with its effect. */
function zero(env: DirectEnv, phys: number, bytes: number, fx: DirectEffect[]): void {
  env.memset(phys, bytes);
  fx.push({ kind: 'zero', pfn: pfn_of(phys), bytes });
}

// ---------------------------------------------------------------------------
// The pool decision.

/**
 * kernel/dma/direct.c dma_should_alloc_from_pool(), v5.8: the pools are
 * configured, the request may not block, and the device needs unencrypted
 * memory (the DIRECT_REMAP/uncached arm is not x86).
 */
export function dma_should_alloc_from_pool(dev: Device, platform: Platform, gfp: number): boolean {
  return (
    platform.CONFIG_DMA_COHERENT_POOL &&
    !gfpflags_allow_blocking(gfp) &&
    force_dma_unencrypted(dev, platform)
  );
}

/**
 * kernel/dma/direct.c dma_direct_use_pool(), 6.1 and mainline: the request
 * may not block (and the device has no restricted swiotlb: never on x86).
 * The callers AND it with force_dma_unencrypted() (remap is not x86).
 */
export function dma_direct_use_pool(_dev: Device, gfp: number): boolean {
  return !gfpflags_allow_blocking(gfp);
}

/** Whether this version sends the request to the atomic pools (rules.dma_direct_alloc_from_pool_when). */
function wants_pool(rules: DmaDirectRules, dev: Device, platform: Platform, gfp: number): boolean {
  switch (rules.dma_direct_alloc_from_pool_when) {
    // Stryker disable next-line StringLiteral: an unmatched rule falls off the switch to undefined, as falsy as this false
    case 'never':
      return false;
    case 'dma_should_alloc_from_pool':
      return dma_should_alloc_from_pool(dev, platform, gfp);
    case 'dma_direct_use_pool':
      return force_dma_unencrypted(dev, platform) && dma_direct_use_pool(dev, gfp);
    case 'not-blocking':
      return platform.CONFIG_DMA_COHERENT_POOL && !gfpflags_allow_blocking(gfp);
  }
}

/**
 * kernel/dma/direct.c dma_direct_alloc_from_pool(), v5.8 (inline) to
 * mainline: a zeroed block from the atomic pools, checked with
 * dma_coherent_ok(); its physical address, or null. Never sleeps.
 */
function dma_direct_alloc_from_pool(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  gfp: number,
  fx: DirectEffect[],
): number | null {
  const platform = env.platform;
  if (!platform.CONFIG_DMA_COHERENT_POOL) {
    // 6.1+: WARN_ON_ONCE(!IS_ENABLED(CONFIG_DMA_COHERENT_POOL)); v5.8 never gets here without it.
    fx.push({
      kind: 'warn',
      text: 'WARNING: at kernel/dma/direct.c:? dma_direct_alloc_from_pool',
      once: true,
    });
    return null;
  }
  if (rules.dma_direct_alloc_from_pool_optimal_gfp) gfp |= dma_direct_optimal_gfp_mask(dev).gfp;
  const phys = env.dma_alloc_from_pool(dev, size, gfp, (d, p, sz) =>
    dma_coherent_ok(d, platform, p, sz),
  );
  fx.push({ kind: 'pool_alloc', size, gfp, pfn: phys === null ? null : pfn_of(phys) });
  return phys;
}

// ---------------------------------------------------------------------------
// Fresh pages.

/** The block __dma_direct_alloc_pages() settled on. */
export interface FreshPage {
  readonly phys: number;
  readonly source: 'buddy' | 'cma';
}

/**
 * kernel/dma/direct.c __dma_direct_alloc_pages(), v5.4 (with 90ae409f9eb3)
 * to mainline: OR the device's optimal zone into gfp; if the gfp may block,
 * try CMA once (an unaddressable CMA block goes back; `rules` may put CMA in
 * every retry instead, or hand it the caller's size: BZ-23, BZ-19); then the buddy
 * allocator at get_order(size): an unaddressable page goes back and the
 * request is retried with GFP_DMA32 (no zone bit yet, limit below 2^64 - 1),
 * then with GFP_DMA; NULL when a zone has no page or no lower zone is left.
 * Context: may sleep iff gfp allows blocking.
 */
export function __dma_direct_alloc_pages(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  gfp: number,
  fx: DirectEffect[],
): FreshPage | null {
  const platform = env.platform;
  // v5.4 rounds here; later callers pass a PAGE_ALIGNed size already.
  const alloc_size = PAGE_ALIGN(size);
  const order = get_order(alloc_size);
  const optimal = dma_direct_optimal_gfp_mask(dev);
  gfp |= optimal.gfp;
  // what dma_alloc_contiguous() is asked for (the caller's size in BZ-19's window)
  const cma_size = rules.dma_alloc_contiguous_size === 'page-aligned' ? alloc_size : size;

  /** One dma_alloc_contiguous(): a usable CMA block, `gone` (unaddressable, given back), or none. */
  const contiguous = (): FreshPage | 'gone' | null => {
    fx.push({
      kind: 'may_sleep',
      op: 'dma_alloc_contiguous',
      why: 'cma_alloc() takes a mutex and migrates pages',
    });
    const phys = env.dma_alloc_contiguous(dev, cma_size, gfp);
    fx.push({
      kind: 'page_alloc',
      source: 'cma',
      gfp,
      npages: Math.floor(cma_size / PAGE_SIZE),
      pfn: phys === null ? null : pfn_of(phys),
    });
    if (phys === null) return null;
    if (dma_coherent_ok(dev, platform, phys, size)) return { phys, source: 'cma' };
    free_contiguous(env, dev, phys, cma_size, fx);
    return 'gone';
  };

  if (gfpflags_allow_blocking(gfp) && rules.dma_direct_cma_retry === 'once') {
    const got = contiguous();
    if (got !== null && got !== 'gone') return got;
  }

  // At most three rounds: the zone bits only ever move down (none, DMA32, DMA).
  for (;;) {
    // BZ-23: every zone step asks CMA again, which ignores the zone bits
    const again =
      rules.dma_direct_cma_retry === 'every-zone' && gfpflags_allow_blocking(gfp)
        ? contiguous()
        : null;
    if (again !== null && again !== 'gone') return again;
    if (again === null) {
      const got = buddy();
      if (got === 'none') return null;
      if (got !== 'gone') return got;
    }
    if (
      platform.CONFIG_ZONE_DMA32 &&
      // Stryker disable next-line ConditionalExpression,EqualityOperator: reached only when dma_coherent_ok() failed for a page below 2^52, so the limit is below 2^52 too
      optimal.phys_limit < DMA_BIT_MASK(64) &&
      (gfp & (GFP_DMA32 | GFP_DMA)) === 0
    ) {
      gfp |= GFP_DMA32;
    } else if (platform.CONFIG_ZONE_DMA && (gfp & GFP_DMA) === 0) {
      gfp = (gfp & ~GFP_DMA32) | GFP_DMA;
    } else {
      return null;
    }
  }

  /** One alloc_pages_node(): a usable block, `gone` (unaddressable, given back), or `none`. */
  function buddy(): FreshPage | 'gone' | 'none' {
    if (gfpflags_allow_blocking(gfp)) {
      fx.push({
        kind: 'may_sleep',
        op: 'alloc_pages',
        why: '__GFP_DIRECT_RECLAIM: direct reclaim and compaction',
      });
    }
    const phys = env.alloc_pages_node(gfp, order);
    fx.push({
      kind: 'page_alloc',
      source: 'buddy',
      gfp,
      npages: 2 ** order,
      pfn: phys === null ? null : pfn_of(phys),
    });
    if (phys === null) return 'none';
    if (dma_coherent_ok(dev, platform, phys, size)) return { phys, source: 'buddy' };
    if (rules.free_unaddressable_page === 'dma_free_contiguous') {
      free_contiguous(env, dev, phys, size, fx);
    } else {
      env.__free_pages(phys, order);
      fx.push({ kind: 'free', to: 'buddy', pfn: pfn_of(phys), npages: 2 ** order });
    }
    return 'gone';
  }
}

/**
 * kernel/dma/direct.c dma_set_decrypted() (v5.18+; open-coded
 * set_memory_decrypted(addr, 1 << get_order(size)) before): convert the
 * buffer's pages to shared. Only called for forced-unencrypted devices.
 * Context: may sleep.
 */
function dma_set_decrypted(
  rules: DmaDirectRules,
  env: DirectEnv,
  phys: number,
  size: number,
  fx: DirectEffect[],
): number {
  const numpages = dma_set_memory_numpages(rules.dma_set_memory_count, size);
  return convert(env, 'set_memory_decrypted', phys, numpages, fx);
}

/**
 * kernel/dma/direct.c dma_set_encrypted() (v5.18+: warns when it fails;
 * open-coded and silent before): convert the buffer's pages back to private.
 * Context: may sleep.
 */
function dma_set_encrypted(
  rules: DmaDirectRules,
  env: DirectEnv,
  phys: number,
  size: number,
  fx: DirectEffect[],
): number {
  const numpages = dma_set_memory_numpages(rules.dma_set_memory_count, size);
  const ret = convert(env, 'set_memory_encrypted', phys, numpages, fx);
  if (ret !== 0 && rules.set_memory_encrypted_failure === 'leak') {
    fx.push({ kind: 'warn', text: "leaking DMA memory that can't be re-encrypted", once: false });
  }
  return ret;
}

/**
 * Decrypt a fresh block for a forced-unencrypted device and apply this
 * version's error path (rules.set_memory_decrypted_failure). True when the
 * buffer may be returned to the caller.
 */
function decrypt_fresh(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  phys: number,
  size: number,
  fx: DirectEffect[],
): boolean {
  if (dma_set_decrypted(rules, env, phys, size, fx) === 0) return true;
  switch (rules.set_memory_decrypted_failure) {
    case 'ignore':
      return true;
    case 'free':
      free_contiguous(env, dev, phys, size, fx);
      return false;
    case 'leak':
      fx.push({ kind: 'leak', pfn: pfn_of(phys), size, reason: 'set_memory_decrypted failed' });
      return false;
  }
}

/**
 * Re-encrypt a non-pool buffer on free and apply this version's error path
 * (rules.set_memory_encrypted_failure). True when the pages may be freed.
 */
function encrypt_for_free(
  rules: DmaDirectRules,
  env: DirectEnv,
  phys: number,
  size: number,
  fx: DirectEffect[],
): boolean {
  if (dma_set_encrypted(rules, env, phys, size, fx) === 0) return true;
  if (rules.set_memory_encrypted_failure === 'ignore') return true;
  fx.push({ kind: 'leak', pfn: pfn_of(phys), size, reason: 'set_memory_encrypted failed' });
  return false;
}

// ---------------------------------------------------------------------------
// The coherent API.

/**
 * kernel/dma/direct.c dma_direct_alloc(), v5.4 (via its dma_direct_alloc_pages)
 * to mainline, for a coherent x86 device: round the size (v5.8+), take the
 * atomic pools when the version says so, else fresh pages; a
 * DMA_ATTR_NO_KERNEL_MAPPING request of a device not forced to unencrypted
 * DMA gets the page as a cookie; otherwise decrypt for a forced device,
 * zero, and return the linear address.
 * Context: v5.8+ never sleeps with a non-blocking gfp; v5.4 may (BZ-01).
 */
export function dma_direct_alloc(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  gfp: number,
  attrs: number,
): DirectAllocResult {
  const fx: DirectEffect[] = [];
  const platform = env.platform;
  check_platform(rules, platform);
  check_device(dev);
  const force = force_dma_unencrypted(dev, platform);
  if (rules.dma_direct_alloc_page_align) size = PAGE_ALIGN(size);
  if (attrs & DMA_ATTR_NO_WARN) gfp |= __GFP_NOWARN;

  if (wants_pool(rules, dev, platform, gfp)) {
    const phys = dma_direct_alloc_from_pool(rules, env, dev, size, gfp, fx);
    if (phys === null) return fail(fx);
    return {
      ok: true,
      cpu_addr: { mapping: 'linear', phys },
      dma_handle: phys_to_dma_direct(dev, platform, phys),
      buffer: { phys, size, source: 'pool' },
      effects: fx,
    };
  }

  // The memory is zeroed by hand once it is decrypted: never ask for __GFP_ZERO.
  const page = __dma_direct_alloc_pages(rules, env, dev, size, gfp & ~__GFP_ZERO, fx);
  if (page === null) return fail(fx);
  const phys = page.phys;
  const buffer: DirectBuffer = { phys, size, source: page.source };
  const dma_handle = phys_to_dma_direct(dev, platform, phys);

  if (attrs & DMA_ATTR_NO_KERNEL_MAPPING && !force) {
    return {
      ok: true,
      cpu_addr: { mapping: 'page-cookie', phys },
      dma_handle,
      buffer,
      effects: fx,
    };
  }
  if (force && !decrypt_fresh(rules, env, dev, phys, size, fx)) return fail(fx);
  // After decrypting: zeroes written through an encrypted mapping would read back as noise.
  zero(env, phys, size, fx);
  return { ok: true, cpu_addr: { mapping: 'linear', phys }, dma_handle, buffer, effects: fx };
}

/**
 * kernel/dma/direct.c dma_direct_free(), v5.4 (via its dma_direct_free_pages)
 * to mainline: a cookie goes straight back; otherwise the pools get the
 * first chance (v5.8+); a forced device's buffer is re-encrypted (failure:
 * ignored in v5.4/v5.8, warn and leak in 6.1/mainline) and the pages go back
 * to CMA or the buddy allocator.
 * Context: may sleep when the device is forced to unencrypted DMA and the
 * buffer is not from a pool.
 */
export function dma_direct_free(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  cpu_addr: CpuAddr,
  _dma_handle: number,
  attrs: number,
): DirectFreeResult {
  const fx: DirectEffect[] = [];
  const platform = env.platform;
  check_platform(rules, platform);
  check_device(dev);
  const force = force_dma_unencrypted(dev, platform);
  const phys = cpu_addr.phys;

  if (attrs & DMA_ATTR_NO_KERNEL_MAPPING && !force) {
    free_contiguous(env, dev, phys, size, fx);
    return { effects: fx };
  }
  if (rules.dma_should_free_from_pool && platform.CONFIG_DMA_COHERENT_POOL) {
    if (env.dma_free_from_pool(dev, phys, PAGE_ALIGN(size))) {
      fx.push({ kind: 'free', to: 'pool', pfn: pfn_of(phys), npages: PFN_UP(size) });
      return { effects: fx };
    }
  }
  if (force && !encrypt_for_free(rules, env, phys, size, fx)) return { effects: fx };
  free_contiguous(env, dev, phys, size, fx);
  return { effects: fx };
}

/**
 * kernel/dma/mapping.c dma_alloc_attrs(), v5.4 to mainline, for a dma-direct
 * device: strip the caller's zone bits (GFP_DMA, GFP_DMA32, __GFP_HIGHMEM:
 * the device mask alone picks zones and pools, T12), then dma_direct_alloc().
 * Context: as dma_direct_alloc().
 */
export function dma_alloc_attrs(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  gfp: number,
  attrs: number,
): DirectAllocResult {
  check_device(dev);
  return dma_direct_alloc(rules, env, dev, size, gfp & ~GFP_ZONE_BITS, attrs);
}

/** kernel/dma/mapping.c dma_free_attrs(), v5.4 to mainline, for a dma-direct device. */
export function dma_free_attrs(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  cpu_addr: CpuAddr,
  dma_handle: number,
  attrs: number,
): DirectFreeResult {
  return dma_direct_free(rules, env, dev, size, cpu_addr, dma_handle, attrs);
}

// ---------------------------------------------------------------------------
// The page API (v5.10+).

function page_api(rules: DmaDirectRules): { readonly pool_returns: 'cpu_addr' | 'page' } {
  if (rules.dma_direct_alloc_pages === null) {
    throw new Error(`dma-direct ${rules.version}: no page API (dma_alloc_pages is v5.10+)`);
  }
  return rules.dma_direct_alloc_pages;
}

/**
 * kernel/dma/direct.c dma_direct_alloc_pages(), 6.1 and mainline (page API):
 * a non-blocking request of a forced-unencrypted device comes from the
 * pools, whose path returned the CPU address as the struct page until
 * 94a04ad732c9 (T15: 6.1 has it); otherwise fresh pages, decrypted (error
 * path as dma_direct_alloc's), zeroed, and the page returned.
 * Context: never sleeps with a non-blocking gfp.
 */
export function dma_direct_alloc_pages(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  gfp: number,
): DirectPagesResult {
  const api = page_api(rules);
  const fx: DirectEffect[] = [];
  const platform = env.platform;
  check_platform(rules, platform);
  check_device(dev);
  const force = force_dma_unencrypted(dev, platform);

  if (wants_pool(rules, dev, platform, gfp)) {
    const phys = dma_direct_alloc_from_pool(rules, env, dev, size, gfp, fx);
    if (phys === null) return fail(fx);
    return {
      ok: true,
      page: { kind: api.pool_returns, pfn: pfn_of(phys) },
      dma_handle: phys_to_dma_direct(dev, platform, phys),
      buffer: { phys, size, source: 'pool' },
      effects: fx,
    };
  }

  const page = __dma_direct_alloc_pages(rules, env, dev, size, gfp, fx);
  if (page === null) return fail(fx);
  const phys = page.phys;
  if (force && !decrypt_fresh(rules, env, dev, phys, size, fx)) return fail(fx);
  zero(env, phys, size, fx);
  return {
    ok: true,
    page: { kind: 'page', pfn: pfn_of(phys) },
    dma_handle: phys_to_dma_direct(dev, platform, phys),
    buffer: { phys, size, source: page.source },
    effects: fx,
  };
}

/**
 * kernel/dma/direct.c dma_direct_free_pages(), 6.1 and mainline: give a
 * page-API buffer back to the pools if it came from one, else re-encrypt
 * (failure: warn and leak) and free it. With T15's bogus page, the address
 * derived from it lies in no pool, the conversion and the free act on
 * memory that is not the buffer (recorded as `wild`), and the pool block
 * stays allocated for good.
 * Context: may sleep for a forced device's non-pool buffer (and for T15's).
 */
export function dma_direct_free_pages(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  page: StructPage,
  _dma_handle: number,
): DirectFreeResult {
  page_api(rules);
  const fx: DirectEffect[] = [];
  const platform = env.platform;
  check_platform(rules, platform);
  check_device(dev);
  const force = force_dma_unencrypted(dev, platform);

  if (page.kind === 'cpu_addr') {
    const buf = `0x${page.pfn.toString(16)}`;
    fx.push({
      kind: 'wild',
      op: 'dma_free_from_pool',
      pfn: page.pfn,
      detail: `page_address() of the CPU address of pfn ${buf} lies in no pool; the block stays allocated`,
    });
    if (force) {
      // A forced device means encryption is active: the call sleeps like a
      // real re-encryption, but what it converts is unknown.
      fx.push({ kind: 'may_sleep', op: 'set_memory_encrypted', why: SET_MEMORY_SLEEPS });
      fx.push({
        kind: 'wild',
        op: 'set_memory_encrypted',
        pfn: page.pfn,
        detail: `converts ${PFN_UP(size)} pages at an address that is not the buffer at pfn ${buf}`,
      });
    }
    // Assuming that conversion returned 0: the model cannot know what it touched.
    fx.push({
      kind: 'wild',
      op: 'dma_free_contiguous',
      pfn: page.pfn,
      detail: `frees a page that is not the buffer at pfn ${buf}`,
    });
    return { effects: fx };
  }

  const phys = page.pfn * PAGE_SIZE;
  if (rules.dma_should_free_from_pool && platform.CONFIG_DMA_COHERENT_POOL) {
    if (env.dma_free_from_pool(dev, phys, size)) {
      fx.push({ kind: 'free', to: 'pool', pfn: page.pfn, npages: PFN_UP(size) });
      return { effects: fx };
    }
  }
  if (force && !encrypt_for_free(rules, env, phys, size, fx)) return { effects: fx };
  free_contiguous(env, dev, phys, size, fx);
  return { effects: fx };
}

/**
 * kernel/dma/mapping.c dma_alloc_pages(), 6.1 and mainline, for a dma-direct
 * device: a gfp with zone bits is refused with a WARN_ON_ONCE (the page API
 * does not strip them); the size is PAGE_ALIGNed; then dma_direct_alloc_pages().
 */
export function dma_alloc_pages(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  gfp: number,
): DirectPagesResult {
  page_api(rules);
  check_device(dev);
  if (gfp & GFP_ZONE_BITS) {
    return fail([
      { kind: 'warn', text: 'WARNING: at kernel/dma/mapping.c:? __dma_alloc_pages', once: true },
    ]);
  }
  return dma_direct_alloc_pages(rules, env, dev, PAGE_ALIGN(size), gfp);
}

/** kernel/dma/mapping.c dma_free_pages(), 6.1 and mainline: PAGE_ALIGN the size, then dma_direct_free_pages(). */
export function dma_free_pages(
  rules: DmaDirectRules,
  env: DirectEnv,
  dev: Device,
  size: number,
  page: StructPage,
  dma_handle: number,
): DirectFreeResult {
  return dma_direct_free_pages(rules, env, dev, PAGE_ALIGN(size), page, dma_handle);
}
