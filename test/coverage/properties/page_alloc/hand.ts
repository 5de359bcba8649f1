/**
 * Hand-written page-allocator records for the branch tests of
 * properties/page_alloc (`*.branches.test.ts`): allocation results and the
 * watermark check that won them, written out field by field so a test can
 * put a property exactly on one boundary, and kswapd sub-steps; each is
 * installed as the last step of a freshly booted allocator (fixtures).
 */
import type {
  AllocResult,
  AllocStage,
  WinningCheck,
} from '../../../../models/page_alloc/page_alloc.ts';
import type { BalanceObs, KswapdStep, ZoneObs } from '../../../../models/vmscan/kswapd.ts';
import type { StepContext } from '../../../../properties/property.ts';
import type { PageAllocOp } from '../../../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../../../src/systems/page_alloc/system.ts';
import { ctx, DMA32 } from '../../fixtures/page-alloc.ts';

export const allocOp = {
  op: 'alloc_pages',
  gfp: 'GFP_KERNEL',
  order: 0,
  count: 1,
  reclaim: 0,
} as const satisfies PageAllocOp;
export const kswapdOp = { op: 'kswapd', steps: 64, reclaim: 32 } as const satisfies PageAllocOp;

/** A winning check on DMA32 marks min 400, low 500, high 600, no boost, reserve or highatomic. */
export function won(over: Partial<WinningCheck> = {}): WinningCheck {
  return {
    stage: 'slowpath',
    alloc_flags: 0,
    zone: DMA32,
    free: 1000,
    watermark: [400, 500, 600],
    boost: 0,
    reserve: 0,
    nr_reserved_highatomic: 0,
    nr_free_highatomic: 0,
    ...over,
  };
}

/** A request as __alloc_pages() records it: by default an order-0 DMA32 request that failed on the fast path. */
export function request(over: Partial<AllocResult> = {}): AllocResult {
  return {
    pfn: null,
    order: 0,
    gfp: 0,
    zone: -1,
    highest_zoneidx: DMA32,
    won: null,
    slow_flags: -1,
    oom_victim: false,
    reclaim_rounds: 0,
    reclaimed: 0,
    events: [],
    ...over,
  };
}

/**
 * A success of `gfp` from DMA32 won by `check` (see `won`); a win after the
 * fast path carries slowpath flags (0 here), a fast-path win carries -1.
 */
export function success(
  gfp: number,
  check: Partial<WinningCheck> = {},
  over: Partial<AllocResult> = {},
): AllocResult {
  const w = won(check);
  const stage: AllocStage = w.stage;
  return request({
    pfn: 4096,
    gfp,
    zone: w.zone,
    won: w,
    slow_flags: stage === 'fast' ? -1 : 0,
    ...over,
  });
}

/** The context of a step that made the allocations `results` (set as the state's last step). */
export function afterAlloc(
  state: PageAllocState,
  results: readonly AllocResult[],
): StepContext<PageAllocState, PageAllocOp> {
  state.last = { kind: 'alloc', results };
  return ctx(state, allocOp);
}

/** A kswapd sub-step at order 0 for DMA32. */
export function kstep(what: string, failures: number, over: Partial<KswapdStep> = {}): KswapdStep {
  return { what, order: 0, highest_zoneidx: DMA32, kswapd_failures: failures, obs: null, ...over };
}

/** The context of a kswapd step (or of `op`) whose sub-steps were `steps`. */
export function afterKswapd(
  state: PageAllocState,
  steps: readonly KswapdStep[],
  op: PageAllocOp = kswapdOp,
): StepContext<PageAllocState, PageAllocOp> {
  state.last = { kind: 'kswapd', steps };
  return ctx(state, op);
}

/** One zone as pgdat_balanced() read it: free 700, high 500, no reserve or unusable pages. */
export function zoneObs(over: Partial<ZoneObs> = {}): ZoneObs {
  return { zone: DMA32, free: 700, mark: 500, reserve: 0, unusable: 0, hasBlock: true, ...over };
}

/** An order-0 balance observation of `zones` up to DMA32 with the answer `balanced`. */
export function obs(balanced: boolean, zones: readonly ZoneObs[]): BalanceObs {
  return { order: 0, highest_zoneidx: DMA32, zones, balanced };
}
