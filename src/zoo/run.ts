/**
 * Runs the bug zoo: builds each case's broken system, searches it with the
 * harness for the one property expected to catch it, and returns what
 * happened as data (`report.ts` renders it). Budgets are the caller's; the
 * wall-clock time to detection is measured but never part of a decision.
 */
import { get_order } from '../../models/dma/env.ts';
import { defaultAtomicPoolSize } from '../../models/dma/pool.ts';
import { bootMachine } from '../../models/page_alloc/machine.ts';
import { builtinPolicy } from '../../models/policies/index.ts';
import type { Policy } from '../../models/policy.ts';
import { dmaProperties } from '../../properties/dma/index.ts';
import { genpoolProperties } from '../../properties/genpool/index.ts';
import { pageAllocProperties } from '../../properties/page_alloc/index.ts';
import type { Property, Violation } from '../../properties/property.ts';
import { type CheckResult, checkProperties, type PropertyResult } from '../harness/check.ts';
import type { Op, System } from '../harness/system.ts';
import { type DmaScenarioConfig, makeDmaSystem } from '../systems/dma/system.ts';
import { GENPOOL_CONFIGS, makeGenpoolSystem } from '../systems/genpool/system.ts';
import { machine4G } from '../systems/page_alloc/machines.ts';
import { makePageAllocSystem } from '../systems/page_alloc/system.ts';
import { caseId, caseSetting, type ZooCase, type ZooEntry, zooCatalogue } from './catalogue.ts';
import { DEFAULT_DMA_SCENARIO, zooScenarioConfig } from './scenarios.ts';

export interface ZooBudget {
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
}

/** What running one case found. */
export interface ZooCaseResult {
  readonly bug: string;
  readonly variant: string;
  readonly setting: string;
  /** The property the catalogue expects to catch it. */
  readonly property: string;
  /** The catalogue's bound on the shrunk counterexample. */
  readonly maxSteps: number;
  readonly caught: boolean;
  /** The property the shrunk counterexample breaks (null when not caught). */
  readonly caughtBy: string | null;
  /** Executed steps of the shrunk counterexample (null when not caught). */
  readonly steps: number | null;
  /** Executed steps of the first failing run, before shrinking. */
  readonly originalSteps: number | null;
  /** Runs until detection, or runs searched. */
  readonly runs: number;
  /** Wall-clock milliseconds until the detecting run started (all runs when not caught). */
  readonly ms: number;
  readonly violation: Violation | null;
  readonly token: string | null;
  /** Caught by the expected property within the bound. */
  readonly asDeclared: boolean;
}

/** What the zoo shows for one entry. */
export type ZooEntryResult =
  | { readonly entry: ZooEntry; readonly kind: 'caught'; readonly cases: readonly ZooCaseResult[] }
  | { readonly entry: ZooEntry; readonly kind: 'finding'; readonly finding: string }
  | { readonly entry: ZooEntry; readonly kind: 'out-of-scope' };

/** A case's system, ready to search for some of its properties. */
interface Built {
  search(ids: readonly string[], budget: ZooBudget, onRun?: () => void): CheckResult<Op>;
}

function built<S, O extends Op>(system: System<S, O>, props: readonly Property<S, O>[]): Built {
  return {
    search(ids, budget, onRun) {
      const chosen = props.filter((p) => ids.includes(p.id));
      const missing = ids.filter((id) => !chosen.some((p) => p.id === id));
      if (missing.length > 0)
        throw new Error(`bug zoo: no property ${missing.join(', ')} in system ${system.name}`);
      return checkProperties(system, chosen, { ...budget, ...(onRun ? { onRun } : {}) });
    },
  };
}

/**
 * The system a case runs in: its variant, or (`fixed`) the kernel it breaks:
 * mainline in the same DMA scenario (null when the variant is mainline
 * itself, an open bug), the kernel's gen_pool in the same configuration,
 * the base page-allocator rules on the same machine.
 */
export function buildCase(c: ZooCase, fixed = false): Built | null {
  const b = c.build;
  if (b.system === 'dma') {
    const config = zooScenarioConfig(b.variant.scenario ?? DEFAULT_DMA_SCENARIO);
    const mainline = builtinPolicy('mainline') as Policy;
    if (fixed && b.variant.policy === mainline && b.variant.variant === undefined) return null;
    const system = fixed
      ? makeDmaSystem(config as DmaScenarioConfig, mainline)
      : makeDmaSystem(config as DmaScenarioConfig, b.variant.policy, b.variant.variant);
    return built(system, dmaProperties);
  }
  if (b.system === 'genpool') {
    const config = GENPOOL_CONFIGS[b.variant.config];
    return built(
      fixed ? makeGenpoolSystem(config) : makeGenpoolSystem(config, b.variant.variant),
      genpoolProperties,
    );
  }
  const v = b.variant;
  const rules = (builtinPolicy(v.base) as Policy).pageAlloc;
  const system = fixed
    ? makePageAllocSystem(v.machine, rules)
    : makePageAllocSystem(v.machine, { ...rules, ...v.rules }, v.variant);
  return built(system, pageAllocProperties);
}

/** Runs one case with `budget`. */
export function runZooCase(bug: string, c: ZooCase, budget: ZooBudget): ZooCaseResult {
  const system = buildCase(c) as Built;
  const t0 = performance.now();
  let lastRunAt = t0;
  const r = system.search([c.property], budget, () => {
    lastRunAt = performance.now();
  });
  const result = r.results[0] as PropertyResult<Op>;
  const ms = (result.status === 'violated' ? lastRunAt : performance.now()) - t0;
  const cx = result.counterexample;
  const caught = result.status === 'violated' && cx !== undefined;
  const steps = cx ? cx.steps.length : null;
  return {
    bug,
    variant: caseId(c),
    setting: caseSetting(c),
    property: c.property,
    maxSteps: c.maxSteps,
    caught,
    caughtBy: cx ? cx.failure.property : null,
    steps,
    originalSteps: cx ? cx.originalSteps : null,
    runs: result.runs,
    ms,
    violation: cx ? cx.failure.violation : null,
    token: cx ? cx.token : null,
    asDeclared: caught && cx?.failure.property === c.property && (steps ?? 0) <= c.maxSteps,
  };
}

/**
 * BZ-09, measured: the least RAM (totalram_pages at postcore) from which
 * mainline's sizing rule gives the GFP_DMA pool the 4 MiB cap as its first
 * chunk, against ZONE_DMA's managed pages on the x86 machines (3840).
 */
export function bz09Finding(): string {
  const rules = builtinPolicy('mainline')?.dmaPool;
  if (!rules) throw new Error('mainline has atomic pools');
  const dmaPages = bootMachine(machine4G).image.zones[0]?.managed_pages ?? 0;
  const chunk = (pages: number) =>
    4096 * 2 ** Math.min(get_order(defaultAtomicPoolSize(rules, pages)), 10);
  // the first chunk only grows with RAM (I8: monotone): bisect for the cap
  const cap = chunk(2 ** 40);
  let lo = 0;
  let hi = 2 ** 40;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (chunk(mid) >= cap) hi = mid;
    else lo = mid;
  }
  const pct = Math.round((100 * cap) / (dmaPages * 4096));
  const gib = (hi / 262144).toFixed(2);
  return `from ${gib} GiB of RAM (${hi} pages) the dma pool's first chunk is ${cap / 1048576} MiB, ${pct}% of ZONE_DMA's ${dmaPages} managed pages`;
}

/**
 * Runs every entry of the catalogue (or those of `only`) with `budget`;
 * `runCase` runs each case (a test passes one that remembers its results).
 */
export function runZoo(
  budget: ZooBudget,
  only?: readonly string[],
  runCase: typeof runZooCase = runZooCase,
): ZooEntryResult[] {
  return zooCatalogue
    .filter((e) => only === undefined || only.includes(e.id))
    .map((entry): ZooEntryResult => {
      const s = entry.scope;
      if (s.kind === 'caught')
        return {
          entry,
          kind: 'caught',
          cases: s.cases.map((c) => runCase(entry.id, c, budget)),
        };
      if (s.kind === 'finding') return { entry, kind: 'finding', finding: bz09Finding() };
      return { entry, kind: 'out-of-scope' };
    });
}
