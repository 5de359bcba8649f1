/**
 * Catch families, not instances: each generator, as `check` samples it
 * (runs of up to 40 ops, swarm runs included), reaches the corners the
 * known bugs live in. A corner never reached would make a whole family of
 * bugs invisible.
 *
 * - DMA: pools of two and three chunks, expansion error paths, multi-page
 *   and odd-sized buffers, refused conversions everywhere, lowmem_reserve
 *   ratios of zero, and, with a CMA area outside the DMA zones, CMA chunks
 *   and unaddressable CMA blocks.
 * - Page allocator: lowmem_reserve ratios of zero, highatomic blocks,
 *   kswapd woken for each zone and back asleep, stolen pageblocks, boosts,
 *   zonelist fallback, high orders, injected failures, min_free_kbytes.
 * - The 2019 reserve pool: every guaranteed order served, kswapd refilling,
 *   refused refills, splits of a larger block, give-backs above twice the
 *   target, orders above the guarantee.
 *
 * A corner is a predicate over the state and op after each executed step
 * (with, where a corner is a change, what the state was just before it);
 * each must occur in at least MIN_RUNS of the RUNS runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { get_order } from '../../models/dma/env.ts';
import { kernelFns } from '../../models/page_alloc/fns.ts';
import { __GFP_DIRECT_RECLAIM } from '../../models/page_alloc/gfp.ts';
import { MIGRATE_HIGHATOMIC } from '../../models/page_alloc/pages.ts';
import { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL } from '../../models/page_alloc/zone.ts';
import { builtinPolicy } from '../../models/policies/index.ts';
import type { Policy } from '../../models/policy.ts';
import type { ReservePoolStats } from '../../models/reserve_pool/reserve_pool.ts';
import type { World } from '../../models/world/world.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_SEED } from '../../src/cli/budget.ts';
import { runInputArbitrary } from '../../src/harness/check.ts';
import { makePlan, runOps } from '../../src/harness/run.ts';
import type { Op, System } from '../../src/harness/system.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { type DmaScenarioConfig, makeDmaSystem } from '../../src/systems/dma/system.ts';
import { pageAllocMachines } from '../../src/systems/page_alloc/machines.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import { makePageAllocSystem, type PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { zooScenarioConfig } from '../../src/zoo/scenarios.ts';

const RUNS = 300;
const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** A corner: after an executed step, given the state just before it. */
type Corner<S, O extends Op, B> = (s: S, op: O, before: B) => boolean;

function policy(id: string): Policy {
  const p = builtinPolicy(id);
  if (p === undefined) throw new Error(`no built-in policy '${id}'`);
  return p;
}

/**
 * How many of `RUNS` generated runs reach each corner: the runs `check`
 * generates at the default seed (runInputArbitrary, swarm bits switching op
 * kinds off as check does). `before` snapshots what a corner compares with,
 * before each step and each repetition inside one (a burst's request, a
 * worker or kswapd sub-step), where a corner is looked for too.
 */
function reach<S, O extends Op, B>(
  base: System<S, O>,
  corners: Readonly<Record<string, Corner<S, O, B>>>,
  before: (s: S) => B,
): Record<string, number> {
  let seen = new Set<string>();
  const system: System<S, O> = {
    ...base,
    // corners are looked for after each repetition of a burst or sub-step run too
    step(s: S, op: O, describe?: boolean, checkpoint?: () => boolean) {
      let b = before(s);
      const look = () => {
        for (const [name, hit] of Object.entries(corners))
          if (!seen.has(name) && hit(s, op, b)) seen.add(name);
      };
      const out = base.step(s, op, describe, () => {
        look();
        b = before(s);
        return checkpoint?.() ?? false;
      });
      if (out !== null) look();
      return out;
    },
  };
  const kinds = base.opKinds ?? [];
  const count: Record<string, number> = Object.fromEntries(Object.keys(corners).map((k) => [k, 0]));
  const arb = runInputArbitrary(system, kinds, DEFAULT_MAX_STEPS);
  for (const input of fc.sample(arb, { seed: DEFAULT_SEED, numRuns: RUNS })) {
    seen = new Set();
    const disabled = new Set(kinds.filter((_, i) => Math.floor(input.swarm / 2 ** i) % 2 === 1));
    runOps(system, makePlan([]), input.ops, { disabled });
    for (const name of seen) count[name] = (count[name] ?? 0) + 1;
  }
  return count;
}

/** Runs a corner must occur in: more than a fluke of one sample. */
const MIN_RUNS = 3;

/** The corners reached in fewer than MIN_RUNS runs, with their counts. */
const unreached = (count: Record<string, number>) =>
  Object.entries(count).filter(([, n]) => n < MIN_RUNS);

// ---------------------------------------------------------------------------
// DMA: atomic pools, dma-direct, CMA.

/** What a DMA corner compares with: each zone's lowmem_reserve[] just before the step. */
type DmaBefore = readonly (readonly number[])[];

type DmaCorner = Corner<World, DmaOp, DmaBefore>;

const reserves = (w: World): DmaBefore => w.pa.zones.map((z) => [...z.lowmem_reserve]);

const pools = (w: World) =>
  w.pools ? [w.pools.atomic_pool_dma, w.pools.atomic_pool_dma32, w.pools.atomic_pool_kernel] : [];
const refused = (w: World, what: string) =>
  w.events.some((e) => e.kind === 'convert' && !e.ok && e.op === what);
const isAlloc = (op: DmaOp) => op.op === 'dma_alloc_coherent' || op.op === 'dma_alloc_pages';
const isFree = (op: DmaOp) => op.op === 'dma_free_coherent' || op.op === 'dma_free_pages';

const dmaCorners: Readonly<Record<string, DmaCorner>> = {
  'a pool with two chunks': (w) => pools(w).some((p) => (p?.chunks.length ?? 0) >= 2),
  'a pool with three chunks': (w) => pools(w).some((p) => (p?.chunks.length ?? 0) >= 3),
  'a chunk smaller than asked (order fallback)': (w) =>
    pools(w).some((p) =>
      (p?.chunks ?? []).some((c, i, all) => {
        const before = all.slice(0, i).reduce((a, x) => a + x.size, 0);
        return i > 0 && c.size < Math.min(4 << 20, 4096 * 2 ** Math.ceil(Math.log2(before / 4096)));
      }),
    ),
  'a multi-page buffer': (w) => (w.stepBuffer?.size ?? 0) > 4096,
  'a multi-page pool block': (w) => w.stepBuffer?.source === 'pool' && w.stepBuffer.size > 4096,
  'a request of a non-power-of-two size': (w, op) =>
    w.stepBuffer !== null && 'size' in op && !isPow2(op.size),
  'a buffer of a non-power-of-two page count': (w) =>
    w.stepBuffer !== null && !isPow2(Math.ceil(w.stepBuffer.size / 4096)),
  'an atomic request the pools cannot serve': (w, op) =>
    op.op === 'dma_alloc_coherent' && op.atomic && w.stepBuffer === null,
  'a refused decrypt in dma-direct': (w, op) => isAlloc(op) && refused(w, 'set_memory_decrypted'),
  'a refused re-encrypt on free': (w, op) => isFree(op) && refused(w, 'set_memory_encrypted'),
  'a refused decrypt in atomic_pool_expand': (w, op) =>
    op.op === 'atomic_pool_work_fn' && refused(w, 'set_memory_decrypted'),
  'a refused re-encrypt in atomic_pool_expand': (w, op) =>
    op.op === 'atomic_pool_work_fn' && refused(w, 'set_memory_encrypted'),
  'a gen_pool_add_virt failure in atomic_pool_expand': (w) =>
    w.events.some((e) => e.kind === 'fault' && e.at === 'gen_pool_add'),
  'a pool block freed back to its pool': (w, op) =>
    isFree(op) && w.events.length > 0 && !w.events.some((e) => e.kind === 'free'),
  // a zero ratio in zone i: every reserve above it that was not 0 becomes 0
  'a lowmem_reserve_ratio write with a zero that took effect': (w, op, b) =>
    op.op === 'sysctl' &&
    w.pa.zones.some(
      (z, i) =>
        (op.value[i] ?? 1) < 1 &&
        z.lowmem_reserve.some((r, j) => j > i && r === 0 && (b[i]?.[j] ?? 0) > 0),
    ),
  'a lowmem_reserve_ratio write that raised a reserve': (w, op, b) =>
    op.op === 'sysctl' &&
    w.pa.zones.some((z, i) => z.lowmem_reserve.some((r, j) => r > (b[i]?.[j] ?? 0))),
};

const cmaCorners: Readonly<Record<string, DmaCorner>> = {
  'a pool chunk grown from CMA': (w, op) =>
    op.op === 'atomic_pool_work_fn' && w.events.some((e) => e.kind === 'alloc' && e.cma === true),
  'a dma-direct buffer from CMA': (w) => w.stepBuffer?.source === 'cma',
  'an unaddressable CMA block given back': (w, op) =>
    isAlloc(op) && w.events.some((e) => e.kind === 'free' && e.into === 'cma'),
};

function dmaSystem(scenario: string, policyId: string) {
  return makeDmaSystem(zooScenarioConfig(scenario) as DmaScenarioConfig, policy(policyId));
}

describe(`the DMA generator reaches the bugs' corners (seed ${DEFAULT_SEED}, ${RUNS} runs)`, () => {
  it('sev-4g-nvme: chunks, sizes, exhaustion, refused conversions, reserve ratios', () => {
    const count = reach(dmaSystem('sev-4g-nvme', 'mainline'), dmaCorners, reserves);
    expect(unreached(count)).toEqual([]);
  });

  it('sev-4g-cma: CMA chunks and unaddressable CMA blocks', () => {
    const count = reach(dmaSystem('sev-4g-cma', 'mainline'), cmaCorners, reserves);
    expect(unreached(count)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The page allocator: watermarks, lowmem_reserve, highatomic, kswapd.

/** What a page-allocator corner compares with: the zones and pageblocks just before the step. */
interface PaBefore {
  readonly highatomic: readonly number[];
  readonly boost: readonly number[];
  readonly min: readonly number[];
  readonly pageblocks: Uint8Array;
  /** Zones whose zone_watermark_fast() check failed during the step (filled as it runs). */
  readonly watermarkFailed: Set<number>;
}

type PaCorner = Corner<PageAllocState, PageAllocOp, PaBefore>;

/**
 * The page-allocator system of a shipped scenario under a policy's rules,
 * with zone_watermark_fast() observed (the kernel's own function, its
 * answer recorded: nothing else changes), and how to snapshot a state.
 */
function pageAllocSystem(scenario: string, policyId: string) {
  const { machine } = zooScenarioConfig(scenario) as { machine: string };
  const kernel = kernelFns();
  let watermarkFailed = new Set<number>();
  const system = makePageAllocSystem(
    pageAllocMachines[machine] as NonNullable<(typeof pageAllocMachines)[string]>,
    policy(policyId).pageAlloc,
    {
      zone_watermark_fast: (...args) => {
        const ok = kernel.zone_watermark_fast(...args);
        if (!ok) watermarkFailed.add(args[1].idx);
        return ok;
      },
    },
  );
  const boot = system.init().pa.zones.map((z) => [...z.lowmem_reserve]);
  const before = (s: PageAllocState): PaBefore => {
    watermarkFailed = new Set();
    return {
      highatomic: s.pa.zones.map((z) => z.nr_reserved_highatomic),
      boost: s.pa.zones.map((z) => z.watermark_boost),
      min: s.pa.zones.map((z) => z._watermark[0] ?? 0),
      pageblocks: s.pa.pages.pageblock_mt.slice(),
      watermarkFailed,
    };
  };
  return { system, boot, before };
}

const results = (s: PageAllocState) => (s.last.kind === 'alloc' ? s.last.results : []);
const allocEvents = (s: PageAllocState) => results(s).flatMap((r) => r.events);
const kswapdSteps = (s: PageAllocState) => (s.last.kind === 'kswapd' ? s.last.steps : []);
const kswapdWokenFor = (zoneidx: number) => (s: PageAllocState) =>
  allocEvents(s).some(
    (e) => e.kind === 'wakeup_kswapd' && e.wake.woken && e.wake.highest_zoneidx === zoneidx,
  );

function pageAllocCorners(boot: readonly (readonly number[])[]): Record<string, PaCorner> {
  return {
    'a lowmem_reserve_ratio write with a zero that took effect': (s, op) =>
      op.op === 'sysctl' &&
      op.name === 'lowmem_reserve_ratio' &&
      s.last.kind === 'sysctl' &&
      s.last.ret === 0 &&
      s.pa.zones.some(
        (z, i) =>
          (op.value[i] ?? 1) < 1 &&
          z.lowmem_reserve.some((r, j) => j > i && r === 0 && (boot[i]?.[j] ?? 0) > 0),
      ),
    'kswapd woken for highest_zoneidx ZONE_DMA': kswapdWokenFor(ZONE_DMA),
    'kswapd woken for highest_zoneidx ZONE_DMA32': kswapdWokenFor(ZONE_DMA32),
    'kswapd woken for highest_zoneidx ZONE_NORMAL': kswapdWokenFor(ZONE_NORMAL),
    'kswapd back in full sleep': (s) => kswapdSteps(s).some((k) => k.what === 'sleep-full'),
    'a kswapd pass that failed (kswapd_failures raised)': (s) =>
      kswapdSteps(s).some((k) => k.round?.failed === true),
    'a direct reclaimer throttled on kswapd': (s) =>
      allocEvents(s).some((e) => e.kind === 'throttle'),
    // an allocation step without reclaim: no free could have retyped a block by merging
    'a pageblock stolen by a fallback': (s, _op, b) => {
      if (s.last.kind !== 'alloc') return false;
      if (allocEvents(s).some((e) => e.kind === 'direct_reclaim' && e.reclaimed > 0)) return false;
      const mt = s.pa.pages.pageblock_mt;
      for (let i = 0; i < mt.length; i++) {
        const now = mt[i] as number;
        const was = b.pageblocks[i] as number;
        if (now !== was && now !== MIGRATE_HIGHATOMIC && was !== MIGRATE_HIGHATOMIC) return true;
      }
      return false;
    },
    'a watermark boost raised': (s, _op, b) =>
      s.pa.zones.some((z, i) => z.watermark_boost > (b.boost[i] ?? 0)),
    // BZ-28's corner: only the boost stands between the request and the min watermark
    'an atomic order-0 request served with free under min + boost': (s) =>
      results(s).some(
        (r) =>
          r.order === 0 &&
          !(r.gfp & __GFP_DIRECT_RECLAIM) &&
          r.won !== null &&
          r.won.boost > 0 &&
          r.won.free <= r.won.watermark[0] + r.won.boost + r.won.reserve,
      ),
    'a request failing its watermark in a zone, served by a lower one': (s, _op, b) =>
      results(s).some(
        (r) =>
          r.pfn !== null &&
          [...b.watermarkFailed].some((zi) => zi > r.zone && zi <= r.highest_zoneidx),
      ),
    'an order >= 4 block handed out': (s) => results(s).some((r) => r.pfn !== null && r.order >= 4),
    'an injected allocation failure': (s) =>
      allocEvents(s).some((e) => e.kind === 'fail_page_alloc'),
    'a min_free_kbytes write that moved the min watermarks': (s, op, b) =>
      op.op === 'sysctl' &&
      op.name === 'min_free_kbytes' &&
      s.pa.zones.some((z, i) => (z._watermark[0] ?? 0) !== b.min[i]),
    'a sysctl write refused (-EINVAL)': (s) => s.last.kind === 'sysctl' && s.last.ret !== 0,
  };
}

const highatomicCorners: Readonly<Record<string, PaCorner>> = {
  'a highatomic pageblock reserved': (s, _op, b) =>
    s.pa.zones.some((z, i) => z.nr_reserved_highatomic > (b.highatomic[i] ?? 0)),
  'a highatomic pageblock unreserved again': (s, _op, b) =>
    s.pa.zones.some((z, i) => z.nr_reserved_highatomic < (b.highatomic[i] ?? 0)),
};

describe(`the page-allocator generator reaches the bugs' corners (seed ${DEFAULT_SEED}, ${RUNS} runs)`, () => {
  it('pagealloc-256M under mainline: reserves, kswapd per zone, steals, boosts, fallback, sysctls', () => {
    const { system, boot, before } = pageAllocSystem('pagealloc-256M', 'mainline');
    const count = reach(system, pageAllocCorners(boot), before);
    expect(unreached(count)).toEqual([]);
  });

  // 6.18 caps the highatomic reserve at managed/100 rounded down to whole
  // pageblocks: 0 for this machine's 48848-page DMA32, so mainline never
  // reserves here; the late-6.1.y rules (policies v5.8 and 6.1) do
  it('pagealloc-256M under 6.1: highatomic blocks reserved and unreserved', () => {
    const { system, before } = pageAllocSystem('pagealloc-256M', '6.1');
    const count = reach(system, highatomicCorners, before);
    expect(unreached(count)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The 2019 reserve pool (policy reserve-pool-2019), through the DMA system.

/** What a reserve-pool corner compares with: the pools' counters just before the step. */
interface ReserveBefore {
  readonly stats: ReservePoolStats;
  readonly leaked: number;
  /** The DMA and DMA32 pools' target_pages. */
  readonly targets: readonly number[];
}

type ReserveCorner = Corner<World, DmaOp, ReserveBefore>;

const reserveBefore = (w: World): ReserveBefore => {
  const r = w.reserve;
  if (r === null) throw new Error('the reserve-pool policy built a world without reserve pools');
  return {
    stats: { ...r.stats },
    leaked: r.leaked.length,
    targets: [r.pool_dma?.target_pages ?? 0, r.pool_dma32?.target_pages ?? 0],
  };
};
const grew = (w: World, b: ReserveBefore, k: keyof ReservePoolStats) =>
  (w.reserve?.stats[k] ?? 0) > b.stats[k];
const newLeaks = (w: World, b: ReserveBefore) => w.reserve?.leaked.slice(b.leaked) ?? [];
/** K: the policy guarantees orders 0..K. */
const K = (() => {
  const rules = policy('reserve-pool-2019').reservePool;
  if (!rules) throw new Error('reserve-pool-2019 has no reserve-pool rules');
  return rules.max_order;
})();

function reserveCorners(): Record<string, ReserveCorner> {
  const corners: Record<string, ReserveCorner> = {};
  for (let o = 0; o <= K; o++)
    corners[`a request served from a reserve pool at order ${o}`] = (w, _op, b) =>
      grew(w, b, 'nr_alloc') &&
      w.stepBuffer?.source === 'pool' &&
      get_order(w.stepBuffer.size) === o;
  return {
    ...corners,
    'a request guaranteed by its first pool': (w) => w.stepGuarantee !== null,
    'kswapd refilling a pool': (w, op, b) => op.op === 'kswapd' && grew(w, b, 'nr_refilled'),
    'a refill refused by the host (decrypt fails, block leaked)': (w, op, b) =>
      op.op === 'kswapd' && newLeaks(w, b).some((l) => l.cause === 'decrypt-failed'),
    'a refill finding no page (the pool falls behind)': (w, op, b) =>
      op.op === 'kswapd' &&
      grew(w, b, 'nr_refill_failed') &&
      !newLeaks(w, b).some((l) => l.cause === 'decrypt-failed'),
    [`a request above order ${K} failing`]: (w, op, b) =>
      isAlloc(op) &&
      'size' in op &&
      get_order(op.size) > K &&
      grew(w, b, 'nr_fail') &&
      w.stepBuffer === null,
    // an order's list emptied (bursts of one size), the request cut from a larger block
    'a split of a larger block when an order is empty': (w, _op, b) => grew(w, b, 'nr_split'),
    // a list above twice its target: a vm.lowmem_reserve_ratio write lowered the target
    // (or freed split remainders piled up)
    'a give-back above twice the target': (w, op, b) =>
      op.op === 'kswapd' && grew(w, b, 'nr_given_back'),
    'a pool target lowered by a lowmem_reserve_ratio write': (w, op, b) =>
      op.op === 'sysctl' &&
      [w.reserve?.pool_dma, w.reserve?.pool_dma32].some(
        (p, i) => p != null && p.target_pages < (b.targets[i] ?? 0),
      ),
  };
}

describe(`the DMA generator reaches the reserve pool's corners (seed ${DEFAULT_SEED}, ${RUNS} runs)`, () => {
  it('sev-4g-nvme under reserve-pool-2019: every order, refills, refused refills, splits, give-backs', () => {
    const count = reach(
      dmaSystem('sev-4g-nvme', 'reserve-pool-2019'),
      reserveCorners(),
      reserveBefore,
    );
    expect(unreached(count)).toEqual([]);
  });
});
