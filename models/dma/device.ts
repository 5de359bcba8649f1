/**
 * The device and the machine as dma-direct sees them on x86_64, v5.4 to
 * mainline: struct device's DMA limits, force_dma_unencrypted()
 * (arch/x86/mm/mem_encrypt.c), and the two kernel/dma/direct.c helpers that
 * read only the device: dma_direct_optimal_gfp_mask() and dma_coherent_ok().
 *
 * Left out, each a simplification:
 * - The SME C-bit in DMA addresses. On an SME host a device that is not
 *   forced to unencrypted DMA gets `phys | sme_me_mask` as its DMA address;
 *   here a DMA address is always the physical address. The C-bit position
 *   still decides force_dma_unencrypted() (the mask test), which is what
 *   changes behaviour.
 * - Bus offsets and dma_range_map (none on x86), hence the v5.10+
 *   DMA_MAPPING_ERROR test in dma_coherent_ok() can never fire.
 * - Hyper-V isolation VMs (another CC_ATTR_GUEST_MEM_ENCRYPT platform: they
 *   behave as a TDX guest here) and restricted-swiotlb devices (DT only).
 *
 * Numbers: masks and limits are doubles. DMA_BIT_MASK(n) for n > 53 is
 * rounded (DMA_BIT_MASK(64) is stored as 2^64), but it stays above every
 * physical address (< 2^52) and compares equal only to itself.
 */
import { GFP_DMA, GFP_DMA32 } from './env.ts';

/** Memory encryption on the machine, as x86 reports it through cc_platform_has() / sev_active() / sme_active(). */
export type CcKind =
  /** No memory encryption: set_memory_{de,en}crypted() return 0 at once. */
  | 'none'
  /** SME host: memory encrypted with a host key; devices that can't reach the C-bit need unencrypted DMA. */
  | 'sme-host'
  /** SEV, SEV-ES or SEV-SNP guest: all DMA must be unencrypted (shared). */
  | 'sev-guest'
  /** TDX guest (v5.19+): all DMA must be shared. */
  | 'tdx-guest';

/** Every CcKind, for checking data read at run time (scenarios, user policies). */
export const CC_KINDS: readonly CcKind[] = ['none', 'sme-host', 'sev-guest', 'tdx-guest'];

/** The machine: encryption and the kernel configuration dma-direct depends on. */
export interface Platform {
  readonly cc: CcKind;
  /** SME: the C-bit position, sme_me_mask = 2^sme_c_bit (47 on EPYC). Read only for `sme-host`. */
  readonly sme_c_bit: number;
  readonly CONFIG_ZONE_DMA: boolean;
  readonly CONFIG_ZONE_DMA32: boolean;
  /** v5.8+: the atomic pools (selected by AMD_MEM_ENCRYPT). v5.4 has none on x86 whatever this says. */
  readonly CONFIG_DMA_COHERENT_POOL: boolean;
}

/** struct device, the fields dma-direct reads. */
export interface Device {
  /** dev_name(), for reports: `nvme0`. */
  readonly name: string;
  /** Highest DMA address for coherent allocations: DMA_BIT_MASK(n). */
  readonly coherent_dma_mask: number;
  /** Interconnect limit, 0 = none (v5.4 calls it bus_dma_mask). */
  readonly bus_dma_limit: number;
  /** Behind an IOMMU with dma-iommu ops: dma_alloc_attrs() does not reach dma-direct. */
  readonly iommu: boolean;
  /** dev_is_dma_coherent(): true for every x86 device. */
  readonly coherent: boolean;
}

/** include/linux/dma-mapping.h DMA_BIT_MASK(n): 2^n - 1 (n = 64: all ones, stored as 2^64). */
export function DMA_BIT_MASK(n: number): number {
  return 2 ** n - 1;
}

/** include/linux/minmax.h min_not_zero(): the smaller of two values, ignoring a zero. */
export function min_not_zero(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

/** x86 zone_dma_bits (kernel/dma/direct.c, 5.5+; ARCH_ZONE_DMA_BITS before): ZONE_DMA is the first 16 MiB. */
export const zone_dma_bits = 24;

/** The device's DMA limit: min_not_zero(coherent_dma_mask, bus_dma_limit), as every version computes it. */
export function dma_direct_limit(dev: Device): number {
  return min_not_zero(dev.coherent_dma_mask, dev.bus_dma_limit);
}

/**
 * arch/x86/mm/mem_encrypt.c force_dma_unencrypted(), v5.4 (sev_active /
 * sme_active) and 6.1+ (cc_platform_has): true for a guest with encrypted
 * memory; on an SME host true iff the device limit does not reach the C-bit
 * (limit <= DMA_BIT_MASK(c_bit)); false without encryption. The versions
 * agree on every platform both know; which platforms a version knows is a
 * rule (`cc_platforms`, direct_rules.ts).
 */
export function force_dma_unencrypted(dev: Device, platform: Platform): boolean {
  switch (platform.cc) {
    case 'none':
      return false;
    case 'sev-guest':
    case 'tdx-guest':
      return true;
    case 'sme-host':
      return dma_direct_limit(dev) <= DMA_BIT_MASK(platform.sme_c_bit);
  }
}

/** The zone a device asks for first, and its limit as a physical address. */
export interface OptimalGfp {
  /** GFP_DMA, GFP_DMA32 or 0. */
  readonly gfp: number;
  /** The device limit translated to a physical address (the same number here: no C-bit, no offset). */
  readonly phys_limit: number;
}

/**
 * kernel/dma/direct.c dma_direct_optimal_gfp_mask(), 6.1 (and
 * __dma_direct_optimal_gfp_mask(), v5.4/v5.8, which takes the mask as an
 * argument: the result is the same): GFP_DMA when the limit fits 24 bits,
 * GFP_DMA32 when it fits 32, else no zone bit. The bit is returned even
 * when the zone is not configured (then it is a no-op for the allocator).
 */
export function dma_direct_optimal_gfp_mask(dev: Device): OptimalGfp {
  const phys_limit = dma_direct_limit(dev);
  if (phys_limit <= DMA_BIT_MASK(zone_dma_bits)) return { gfp: GFP_DMA, phys_limit };
  if (phys_limit <= DMA_BIT_MASK(32)) return { gfp: GFP_DMA32, phys_limit };
  return { gfp: 0, phys_limit };
}

/**
 * kernel/dma/direct.c phys_to_dma_direct(), 5.10 (open-coded in v5.4/v5.8):
 * the DMA address of a physical address, unencrypted when the device is
 * forced to unencrypted DMA. Without the C-bit and without offsets both
 * translations are the identity on x86 (see the header).
 */
export function phys_to_dma_direct(_dev: Device, _platform: Platform, phys: number): number {
  return phys;
}

/**
 * kernel/dma/direct.c dma_coherent_ok(), v5.4 to mainline: the last byte of
 * [phys, phys + size) translated to a DMA address lies at or below the
 * device limit.
 */
export function dma_coherent_ok(
  dev: Device,
  platform: Platform,
  phys: number,
  size: number,
): boolean {
  return phys_to_dma_direct(dev, platform, phys) + size - 1 <= dma_direct_limit(dev);
}
