/**
 * Deliberately broken DMA worlds, one per bug family. A mutant is either a
 * policy override (a decision put back to what a buggy kernel did) or a
 * world variant (broken glue that no policy field expresses). The known
 * kernel bugs are defined in the bug zoo (src/zoo/dma.ts), which ships them;
 * the mutants below are test-only twins. Never shipped.
 */

import { kernelFns, type PageAllocVariant } from '../../../models/page_alloc/fns.ts';
import { mainline } from '../../../models/policies/mainline.ts';
import { reservePool2019 } from '../../../models/policies/reserve-pool-2019.ts';
import type { Policy } from '../../../models/policy.ts';
import type { WorldVariant } from '../../../models/world/world.ts';
import type { DmaScenarioConfig } from '../../../src/systems/dma/system.ts';
import { zooDmaVariants } from '../../../src/zoo/dma.ts';
import { zooScenarioConfig } from '../../../src/zoo/scenarios.ts';

export interface DmaMutant {
  readonly id: string;
  readonly zoo?: string;
  readonly why: string;
  readonly policy: Policy;
  readonly variant?: WorldVariant;
  /** The scenario it shows in; absent: the tests' default SEV guest. */
  readonly config?: DmaScenarioConfig;
}

const base = mainline;
const k = kernelFns();
/** zone_watermark_fast() told to use the tested zone's index as the reserve index. */
const classzoneOwnZone: PageAllocVariant = {
  zone_watermark_fast: (ctx, z, order, mark, _hz, flags, gfp) =>
    k.zone_watermark_fast(ctx, z, order, mark, z.idx, flags, gfp),
};
const pool = base.dmaPool as NonNullable<Policy['dmaPool']>;
const withPool = (o: Partial<typeof pool>): Policy => ({ ...base, dmaPool: { ...pool, ...o } });
const withDirect = (o: Partial<Policy['dmaDirect']>): Policy => ({
  ...base,
  dmaDirect: { ...base.dmaDirect, ...o },
});

const testOnly: readonly DmaMutant[] = [
  {
    id: 'classzone-own-zone',
    why: 'the watermark check uses the tested zone as the reserve index, so lowmem_reserve never applies',
    policy: base,
    variant: { page_alloc: classzoneOwnZone },
  },
  {
    id: 'reserve-rounds-up',
    why: 'the reserve pool is asked for twice the size: the order-K guarantee is lost',
    policy: reservePool2019,
    variant: { reserve_rounds_up: true },
  },
  {
    id: 'page-api-returns-cpu-address',
    why: 'the page API returns the pool block CPU address as its struct page (dma.md T15)',
    policy: withDirect({ dma_direct_alloc_pages: { pool_returns: 'cpu_addr' } }),
  },
  {
    id: 'skip-memset',
    why: 'dma-direct hands out fresh pages without zeroing them',
    policy: base,
    variant: { skip_memset: true },
  },
  {
    id: 'pool-128k-per-16m',
    why: 'atomic_pool_size as first merged in v5.8-rc1 (1d659236fb43): 128 KiB per 16 MiB',
    policy: withPool({ atomic_pool_size_default: '128K-per-16M' }),
  },
  {
    id: 'no-schedule-work',
    why: 'a pool allocation below the threshold does not queue the worker',
    policy: base,
    variant: { no_schedule_work: true },
  },
  {
    id: 'debugfs-double-count',
    why: 'debugfs pool_size_<name> counts an added chunk twice',
    policy: base,
    variant: { debugfs_double_count: true },
  },
  {
    id: 'worker-gives-up',
    why: 'the worker drops its work after the first threshold check',
    policy: base,
    variant: { worker_gives_up: true },
  },
];

export const dmaMutants: readonly DmaMutant[] = [
  ...zooDmaVariants.map((v) => ({
    id: v.id,
    ...(v.zoo ? { zoo: v.zoo } : {}),
    why: v.why,
    policy: v.policy,
    ...(v.variant ? { variant: v.variant } : {}),
    ...(v.scenario ? { config: zooScenarioConfig(v.scenario) as DmaScenarioConfig } : {}),
  })),
  ...testOnly,
];

export function dmaMutant(id: string): DmaMutant {
  const m = dmaMutants.find((x) => x.id === id);
  if (!m) throw new Error(`no DMA mutant ${id}`);
  return m;
}
