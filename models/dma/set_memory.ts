/**
 * arch/x86/mm/pat/set_memory.c set_memory_decrypted() / set_memory_encrypted()
 * (read at ~v6.6; v5.4 and mainline differences below), as the world applies
 * them to its page states, and the page count dma-direct converts
 * (kernel/dma/direct.c: `1 << get_order(size)` in v5.4/v5.8,
 * dma_set_decrypted()/dma_set_encrypted()'s PFN_UP(size) from v5.19).
 *
 * Semantics (dma.md §2.10):
 * - No memory encryption: return 0 at once; nothing changes, nothing sleeps.
 *   An injected fault is ignored (there is no conversion to fail).
 * - Encryption active: the call may sleep (vm_unmap_aliases() takes the
 *   vmap_purge_lock mutex; splitting a large page allocates a page table
 *   with GFP_KERNEL), whether it then succeeds or fails.
 * - Success: every page of the range is in the target state.
 * - Failure (-ENOMEM from a page-table split, -EIO from a TDX/Hyper-V
 *   hypervisor hook): the range may be half-converted and the caller cannot
 *   tell which pages changed, so the model puts EVERY page of the range in
 *   `unknown`. This is our choice, the conservative reading of "callers
 *   treat it as unknown". -EIO also prints a WARN_ONCE.
 * - Mainline only (v6.11+): -EBUSY when kexec holds mem_enc_lock. The
 *   trylock comes before any work, so nothing changes and nothing sleeps.
 *
 * Left out: SEV-SNP page-state-change failures, which terminate the guest
 * instead of returning (a world may model them as a stop, not a return);
 * the kmap flush, the cache/TLB IPIs and the hook order, which change no
 * state the properties read.
 */
import type { EncState } from '../page_alloc/pages.ts';
import type { Platform } from './device.ts';
import { EBUSY, EIO, get_order, PFN_UP } from './env.ts';

/** Page encryption states (the page allocator's; bug-zoo's PRIVATE/SHARED/UNKNOWN). */
export type { EncState };

/** The two conversions. */
export type SetMemoryOp = 'set_memory_decrypted' | 'set_memory_encrypted';

/** What one set_memory_{de,en}crypted() call did. */
export interface SetMemoryOutcome {
  readonly op: SetMemoryOp;
  readonly pfn: number;
  readonly numpages: number;
  /** 0 or -errno, as returned to the caller. */
  readonly ret: number;
  /** The call reached code that may sleep (encryption active and past the mem_enc_lock trylock). */
  readonly may_sleep: boolean;
  /** The state every page of the range is left in; null when no page changed. */
  readonly state: EncState | null;
  /** The warning the kernel printed, if any (WARN_ONCE: the world prints it once per boot). */
  readonly warning: string | null;
}

/**
 * arch/x86/mm/mem_encrypt.c mem_encrypt_active() (v5.4) /
 * cc_platform_has(CC_ATTR_MEM_ENCRYPT) (5.16+): any memory encryption.
 */
export function mem_encrypt_active(platform: Platform): boolean {
  return platform.cc !== 'none';
}

/** The state a successful conversion leaves pages in. */
function target(op: SetMemoryOp): EncState {
  return op === 'set_memory_decrypted' ? 'decrypted' : 'encrypted';
}

/** The state the conversion expects to find (its "from"). */
export function set_memory_source_state(op: SetMemoryOp): EncState {
  return op === 'set_memory_decrypted' ? 'encrypted' : 'decrypted';
}

/**
 * arch/x86/mm/pat/set_memory.c set_memory_decrypted()/set_memory_encrypted(),
 * ~v6.6 (+ mainline's mem_enc_lock): the outcome of converting `numpages`
 * pages from pfn when the world injects `injected` (0 = no fault, else
 * -errno). Pure: the world applies `state` to the range.
 */
export function set_memory_outcome(
  platform: Platform,
  op: SetMemoryOp,
  pfn: number,
  numpages: number,
  injected: number,
): SetMemoryOutcome {
  if (!mem_encrypt_active(platform)) {
    return { op, pfn, numpages, ret: 0, may_sleep: false, state: null, warning: null };
  }
  if (injected === 0) {
    return { op, pfn, numpages, ret: 0, may_sleep: true, state: target(op), warning: null };
  }
  if (injected === -EBUSY) {
    return { op, pfn, numpages, ret: injected, may_sleep: false, state: null, warning: null };
  }
  // The kernel prints a hashed pointer; the model names the pfn instead.
  const warning =
    injected === -EIO
      ? `CPA VMM failure to convert memory (pfn 0x${pfn.toString(16)}, numpages=${numpages}) to ${op === 'set_memory_decrypted' ? 'shared' : 'private'}`
      : null;
  return { op, pfn, numpages, ret: injected, may_sleep: true, state: 'unknown', warning };
}

/** arch/x86/mm/pat/set_memory.c set_memory_decrypted(): see set_memory_outcome(). */
export function set_memory_decrypted(
  platform: Platform,
  pfn: number,
  numpages: number,
  injected = 0,
): SetMemoryOutcome {
  return set_memory_outcome(platform, 'set_memory_decrypted', pfn, numpages, injected);
}

/** arch/x86/mm/pat/set_memory.c set_memory_encrypted(): see set_memory_outcome(). */
export function set_memory_encrypted(
  platform: Platform,
  pfn: number,
  numpages: number,
  injected = 0,
): SetMemoryOutcome {
  return set_memory_outcome(platform, 'set_memory_encrypted', pfn, numpages, injected);
}

/** Applies an outcome to a page-state store (the world's typed arrays behind a setter). */
export function apply_set_memory(
  outcome: SetMemoryOutcome,
  set: (pfn: number, state: EncState) => void,
): void {
  if (outcome.state === null) return;
  for (let i = 0; i < outcome.numpages; i++) set(outcome.pfn + i, outcome.state);
}

/**
 * How dma-direct counts the pages it converts for a buffer of `size` bytes:
 * `order` = 1 << get_order(size) (v5.4, v5.8: over-converts a CMA block
 * whose page count is not a power of two), `pfn_up` = PFN_UP(size)
 * (dma_set_decrypted()/dma_set_encrypted(), 4a37f3dd9a83, v5.19).
 */
export type DmaSetMemoryCount = 'order' | 'pfn_up';

/** kernel/dma/direct.c dma_set_decrypted()/dma_set_encrypted() page count, per version (see DmaSetMemoryCount). */
export function dma_set_memory_numpages(count: DmaSetMemoryCount, size: number): number {
  return count === 'order' ? 2 ** get_order(size) : PFN_UP(size);
}
