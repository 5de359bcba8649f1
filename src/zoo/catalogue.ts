/**
 * The bug zoo: every known kernel bug of spec/bug-zoo.md as data. Each
 * entry names the bug, its fix, and either the variants that put it back
 * (with the system and scenario each runs in, the property expected to catch
 * it and an upper bound on the shrunk counterexample), a finding (a design
 * defect no invariant of the real kernel breaks), or one line on why the
 * models cannot express it. `run.ts` runs the variants; this file only
 * describes them and never runs anything.
 */
import { builtinPolicy } from '../../models/policies/index.ts';
import type { Policy } from '../../models/policy.ts';
import type { DmaVariant } from './dma.ts';
import * as dma from './dma.ts';
import type { GenpoolZooVariant } from './genpool.ts';
import * as genpool from './genpool.ts';
import type { PageAllocZooVariant } from './page_alloc.ts';
import * as pageAlloc from './page_alloc.ts';

/** How a case is built: a variant of one system. */
export type ZooBuild =
  | { readonly system: 'dma'; readonly variant: DmaVariant }
  | { readonly system: 'genpool'; readonly variant: GenpoolZooVariant }
  | { readonly system: 'page-alloc'; readonly variant: PageAllocZooVariant };

/** One variant of a bug and what must catch it. */
export interface ZooCase {
  readonly build: ZooBuild;
  /** The property expected to catch it. */
  readonly property: string;
  /** Most steps its shrunk counterexample may have. */
  readonly maxSteps: number;
}

export type ZooScope =
  | { readonly kind: 'caught'; readonly cases: readonly ZooCase[]; readonly note?: string }
  | { readonly kind: 'finding'; readonly why: string }
  | { readonly kind: 'out-of-scope'; readonly why: string };

export interface ZooEntry {
  /** `BZ-nn`, as spec/bug-zoo.md numbers it. */
  readonly id: string;
  readonly title: string;
  /** The fix commit(s), first the one that names the bug; `open` when unfixed. */
  readonly fix: readonly string[];
  readonly scope: ZooScope;
}

/** The id of a case's variant. */
export function caseId(c: ZooCase): string {
  return c.build.system === 'genpool' ? c.build.variant.variant.id : c.build.variant.id;
}

/** The system and scenario (or configuration, or machine) a case runs in. */
export function caseSetting(c: ZooCase): string {
  const b = c.build;
  if (b.system === 'dma') return `dma ${b.variant.scenario ?? 'sev-4g-nvme'}`;
  if (b.system === 'genpool') return `genpool ${b.variant.config}`;
  return `page-alloc ${b.variant.machine.name}`;
}

/** How a case's variant is built, in one line. */
export function caseHow(c: ZooCase): string {
  const b = c.build;
  if (b.system === 'genpool') return `gen_pool variant: ${b.variant.wrong}`;
  return b.variant.how;
}

const dmaCase = (variant: DmaVariant, property: string, maxSteps: number): ZooCase => ({
  build: { system: 'dma', variant },
  property,
  maxSteps,
});

const policyAsIs = (id: string, zoo: string, why: string, scenario?: string): DmaVariant => ({
  id: `${id}-as-is`,
  zoo,
  why,
  how: `the ${id} policy as it is`,
  policy: builtinPolicy(id) as Policy,
  ...(scenario ? { scenario } : {}),
});

export const zooCatalogue: readonly ZooEntry[] = [
  {
    id: 'BZ-01',
    title: 'sleeping decryption in a non-blocking DMA allocation',
    fix: ['82fef0ad811f', '76a19940bd62'],
    scope: {
      kind: 'caught',
      cases: [
        dmaCase(dma.atomicDecryptsInPlace, 'dma/no-sleep-in-atomic', 1),
        dmaCase(
          policyAsIs('v5.4', 'BZ-01', 'v5.4 decrypts fresh pages in the caller context'),
          'dma/no-sleep-in-atomic',
          1,
        ),
      ],
    },
  },
  {
    id: 'BZ-03',
    title: 'zone pools backed by CMA outside their zone',
    fix: ['d9765e41d8e9', 'd7e673ec2c8e'],
    scope: {
      kind: 'caught',
      cases: [
        dmaCase(dma.expandCmaAnyZone, 'dma/pool-zone-membership', 0),
        dmaCase(dma.expandIgnoresZone, 'dma/pool-zone-membership', 0),
      ],
    },
  },
  {
    id: 'BZ-05',
    title: 'pool guessed from the mask, no post-check, free in one pool',
    fix: ['81e9d894e03f', '48b6703858dd', '23e469be6239'],
    scope: {
      kind: 'caught',
      cases: [
        dmaCase(dma.poolSkipsAddressCheck, 'dma/addressable', 1),
        dmaCase(dma.freeMissesPool, 'dma/free-to-owner', 2),
      ],
    },
  },
  {
    id: 'BZ-06',
    title: 'addressability filter applied to IOMMU-mapped allocations',
    fix: ['9420139f516d'],
    scope: {
      kind: 'out-of-scope',
      why: 'dma-iommu: it takes the pools only for non-coherent devices with DMA_DIRECT_REMAP (dma.md 2.11); every x86 device is coherent',
    },
  },
  {
    id: 'BZ-07',
    title: 'uninitialised page in atomic_pool_expand()',
    fix: ['892fc9f6835e'],
    scope: { kind: 'caught', cases: [dmaCase(dma.expandStalePage, 'dma/pool-zone-membership', 0)] },
  },
  {
    id: 'BZ-08',
    title: 'a DMA-zone pool when ZONE_DMA has no managed pages',
    fix: ['a674e48c5443'],
    scope: {
      kind: 'caught',
      cases: [dmaCase(dma.poolForEmptyZone, 'dma/pools-for-managed-zones', 0)],
    },
  },
  {
    id: 'BZ-09',
    title: 'DMA and DMA32 pools sized from total RAM, not zone size',
    fix: ['not merged'],
    scope: {
      kind: 'finding',
      why: 'a design defect mainline keeps: no invariant of the real kernel fails; the zoo measures it',
    },
  },
  {
    id: 'BZ-10',
    title: 'pages leaked, or decrypted pages freed, on expand error paths',
    fix: ['0510cb5b2303'],
    scope: {
      kind: 'caught',
      cases: [
        dmaCase(dma.expandFreesUnknownPages, 'dma/no-shared-page-freed', 7),
        dmaCase(dma.expandLeaksOnAddFailure, 'dma/leak-only-if-refused', 11),
      ],
    },
  },
  {
    id: 'BZ-11',
    title: 'CMA-sourced pool page freed to buddy on the error path',
    fix: ['open'],
    scope: { kind: 'caught', cases: [dmaCase(dma.cmaChunkToBuddy, 'dma/cma-to-cma', 11)] },
  },
  {
    id: 'BZ-13',
    title: 'caller checks an out-parameter written only on success',
    fix: ['af95a0ebc0a0'],
    scope: {
      kind: 'out-of-scope',
      why: "dma-iommu's caller; on x86 only dma-direct takes the pools, and its pool path returns the page itself (dma.md 2.11)",
    },
  },
  {
    id: 'BZ-14',
    title: 'spurious or unsuppressible warnings',
    fix: ['463d439becb8', '56c430c7f06d'],
    scope: {
      kind: 'caught',
      cases: [
        dmaCase(dma.expandWarnsEachOrder, 'dma/pool-warnings', 5),
        dmaCase(dma.warnIgnoresNowarn, 'dma/pool-warnings', 1),
      ],
    },
  },
  {
    id: 'BZ-15',
    title: 'pool used for every non-blocking allocation (RFC v1)',
    fix: ['review'],
    scope: {
      kind: 'caught',
      cases: [dmaCase(dma.poolForEveryAtomic, 'dma/pool-only-when-unencrypted', 1)],
    },
  },
  {
    id: 'BZ-16',
    title: 'remapped coherent buffers not decrypted, then via the wrong VA',
    fix: ['1a2b3357e860', '5570449b6876'],
    scope: {
      kind: 'out-of-scope',
      why: 'needs the DMA_DIRECT_REMAP remap branch (a vmap VA); x86 never takes it (dma.md 2.9), and no configuration has both',
    },
  },
  {
    id: 'BZ-17',
    title: 'conversion errors ignored',
    fix: ['56fccf21d196'],
    scope: {
      kind: 'caught',
      cases: [
        dmaCase(dma.decryptFailureIgnored, 'dma/buffer-decrypted', 2),
        dmaCase(dma.decryptFailureFrees, 'dma/no-shared-page-freed', 2),
      ],
    },
  },
  {
    id: 'BZ-18',
    title: 'error path after decryption frees without re-encrypting',
    fix: ['96a539fa3bb7'],
    scope: {
      kind: 'out-of-scope',
      why: 'the arch_dma_set_uncached() failure path exists only on set_uncached arches, not x86 (dma.md 2.9)',
    },
  },
  {
    id: 'BZ-19',
    title: 'size rounding mismatch between allocator and converter',
    fix: ['633d5fce78a6'],
    scope: {
      kind: 'caught',
      cases: [
        dmaCase(dma.cmaOnePageShort, 'dma/exact-conversion', 1),
        dmaCase(
          policyAsIs(
            'v5.8',
            'BZ-19',
            'v5.8 decrypts 2^order pages of a PFN_UP(size) CMA block (4a37f3dd9a83, not listed)',
            'sev-4g-cma',
          ),
          'dma/exact-conversion',
          1,
        ),
      ],
    },
  },
  {
    id: 'BZ-23',
    title: 'no zone fallback after an unaddressable CMA allocation',
    fix: ['90ae409f9eb3'],
    scope: {
      kind: 'caught',
      cases: [dmaCase(dma.cmaRetriedEveryZone, 'dma/direct-finds-memory', 1)],
    },
  },
  {
    id: 'BZ-25',
    title: 'alignment relative to the chunk, not the address',
    fix: ['52fbf1134d47'],
    scope: {
      kind: 'caught',
      cases: [
        {
          build: { system: 'genpool', variant: genpool.alignRelativeToChunk },
          property: 'genpool/aligned-address',
          maxSteps: 1,
        },
      ],
    },
  },
  {
    id: 'BZ-26',
    title: 'integer overflow in size/avail accounting',
    fix: ['36845663843f'],
    scope: {
      kind: 'caught',
      cases: [
        {
          build: { system: 'genpool', variant: genpool.nbitsInt32 },
          property: 'genpool/avail-accounting',
          maxSteps: 1,
        },
      ],
    },
  },
  {
    id: 'BZ-27',
    title: 'inclusive vs exclusive chunk end (fix hash unconfirmed)',
    fix: ['674470d97958?'],
    scope: {
      kind: 'caught',
      cases: [
        {
          build: { system: 'genpool', variant: genpool.exclusiveChunkEnd },
          property: 'genpool/has-addr-exact',
          maxSteps: 1,
        },
      ],
    },
  },
  {
    id: 'BZ-28',
    title: 'watermark boost applied to atomic order-0 allocations',
    fix: ['f80b08fc4453'],
    scope: {
      kind: 'caught',
      cases: [
        {
          build: { system: 'page-alloc', variant: pageAlloc.boostInAtomicMin },
          property: 'page-alloc/boost-neutral-atomic',
          // 6.18's claim/steal split boosts only on a claim, never on a movable steal,
          // so the shortest run needs more steps than under 6.1's fallback
          maxSteps: 4,
        },
      ],
    },
  },
  {
    id: 'BZ-31',
    title: 'lowmem_reserve index taken from node-local topology',
    fix: ['3334a45eb9e2'],
    scope: {
      kind: 'out-of-scope',
      why: 'needs two nodes or a populated ZONE_MOVABLE; the page-allocator model has one node and no Movable zone',
    },
  },
  {
    id: 'BZ-34',
    title: 'kswapd busy-loop on unreclaimable nodes; throttle livelock',
    fix: ['c73322d098e4'],
    scope: {
      kind: 'caught',
      cases: [
        {
          build: { system: 'page-alloc', variant: pageAlloc.kswapdNeverBacksOff },
          property: 'page-alloc/kswapd-backs-off',
          maxSteps: 2,
        },
        {
          build: { system: 'page-alloc', variant: pageAlloc.throttleIgnoresBackoff },
          property: 'page-alloc/kswapd-backs-off',
          maxSteps: 3,
        },
      ],
    },
  },
  {
    id: 'BZ-35',
    title: 'unaccepted memory versus uninitialised watermarks',
    fix: ['800f1059c99e'],
    scope: {
      kind: 'out-of-scope',
      why: 'the page-allocator model leaves out zone->unaccepted_pages and lock order (zone.ts): no accept path to break',
    },
  },
];
