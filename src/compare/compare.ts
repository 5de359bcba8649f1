/**
 * `poolcheck compare`: the same generated workloads against two designs
 * (today's atomic pools, `mainline`, and the 2019 reserve pool), with the
 * numbers the 2019 thread argued about: how often atomic requests fail, how
 * much memory is held decrypted, how close DMA and DMA32 come to their
 * static reserve, and which invariants break. Pure measurement: the runs are
 * fast-check samples from the seed, identical for both designs.
 */
import fc from 'fast-check';
import { ENC_ENCRYPTED } from '../../models/page_alloc/pages.ts';
import { min_wmark_pages, ZONE_NORMAL } from '../../models/page_alloc/zone.ts';
import type { Policy } from '../../models/policy.ts';
import type { World } from '../../models/world/world.ts';
import { dmaProperties } from '../../properties/dma/index.ts';
import { makePlan } from '../harness/run.ts';
import type { DmaOp } from '../systems/dma/ops.ts';
import { type DmaScenarioConfig, makeDmaSystem } from '../systems/dma/system.ts';
import type { Workload } from '../systems/dma/workloads.ts';

export interface DesignMetrics {
  readonly policy: string;
  readonly atomicRequests: number;
  readonly atomicFailures: number;
  /** Pages not private at the end of a run: mean and max over runs. */
  readonly decryptedMean: number;
  readonly decryptedMax: number;
  /** Lowest free - (min + lowmem_reserve[Normal]) seen, per zone (pages; negative: below). */
  readonly reserveMargin: { readonly DMA: number; readonly DMA32: number };
  /** Properties violated at least once, with how many runs. */
  readonly violations: Readonly<Record<string, number>>;
}

export interface WorkloadComparison {
  readonly workload: Workload;
  readonly designs: readonly DesignMetrics[];
}

export interface CompareOptions {
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
}

function decryptedPages(w: World): number {
  const enc = w.pa.pages.enc;
  const seen = new Set<number>();
  for (let i = 0; i < w.converted.length; i += 2) {
    const start = w.converted[i] as number;
    const n = w.converted[i + 1] as number;
    for (let p = start; p < start + n; p++) if (enc[p] !== ENC_ENCRYPTED) seen.add(p);
  }
  return seen.size;
}

function margin(w: World, zone: number): number {
  const z = w.pa.zones[zone];
  if (!z || z.managed_pages === 0) return Number.POSITIVE_INFINITY;
  return z.nr_free_pages - (min_wmark_pages(z) + (z.lowmem_reserve[ZONE_NORMAL] ?? 0));
}

/** Runs `runs` sampled op sequences of `workload` against `policy`. */
export function measure(
  config: DmaScenarioConfig,
  policy: Policy,
  workload: Workload,
  options: CompareOptions,
): DesignMetrics {
  const system = makeDmaSystem(config, policy);
  const props = dmaProperties.filter(
    (p) => p.designs === undefined || p.designs.includes(policy.design),
  );
  const plan = makePlan(props);
  const samples = fc.sample(fc.array(workload.ops, { maxLength: options.maxSteps, size: 'max' }), {
    seed: options.seed,
    numRuns: options.runs,
  });
  let atomicRequests = 0;
  let atomicFailures = 0;
  let decryptedSum = 0;
  let decryptedMax = 0;
  const reserveMargin = { DMA: Number.POSITIVE_INFINITY, DMA32: Number.POSITIVE_INFINITY };
  const violations: Record<string, number> = {};
  for (const ops of samples) {
    const w = system.init();
    const broken = new Set<string>();
    let n = 0;
    for (const op of ops as DmaOp[]) {
      const outcome = system.step(w, op, false);
      if (outcome === null) continue;
      n += 1;
      if (op.op === 'dma_alloc_coherent' && op.atomic) {
        atomicRequests += 1;
        if (w.stepBuffer === null) atomicFailures += 1;
      }
      reserveMargin.DMA = Math.min(reserveMargin.DMA, margin(w, 0));
      reserveMargin.DMA32 = Math.min(reserveMargin.DMA32, margin(w, 1));
      for (const p of plan.byKind.get(op.op) ?? plan.everyStep)
        if (!broken.has(p.id) && p.check?.({ state: w, op, outcome, step: n })) broken.add(p.id);
    }
    for (const p of plan.atEnd) if (!broken.has(p.id) && p.atEnd?.(w)) broken.add(p.id);
    for (const id of broken) violations[id] = (violations[id] ?? 0) + 1;
    const d = decryptedPages(w);
    decryptedSum += d;
    decryptedMax = Math.max(decryptedMax, d);
  }
  return {
    policy: policy.id,
    atomicRequests,
    atomicFailures,
    decryptedMean: samples.length === 0 ? 0 : decryptedSum / samples.length,
    decryptedMax,
    reserveMargin,
    violations,
  };
}

export function compareDesigns(
  config: DmaScenarioConfig,
  policies: readonly Policy[],
  workloads: readonly Workload[],
  options: CompareOptions,
): WorkloadComparison[] {
  return workloads.map((workload) => ({
    workload,
    designs: policies.map((p) => measure(config, p, workload, options)),
  }));
}
