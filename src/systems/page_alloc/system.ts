/**
 * The page allocator as a harness system: one node of zones with their
 * buddy lists, watermarks, reserves, page cache and kswapd, driven by
 * allocations, frees, kswapd sub-steps, page-cache growth, sysctl writes
 * and fault injection.
 *
 * This file executes operations and renders what each observed; it never
 * generates them (`ops.ts`) and never checks invariants (`properties/`).
 * Speed: `init()` renews the previous state's arrays instead of copying the
 * machine (see models/page_alloc/machine.ts), so a state is valid until the
 * next `init()` of the same system; using an older one throws.
 */
import { allocFlagsName } from '../../../models/page_alloc/alloc_flags.ts';
import type { PageAllocVariant } from '../../../models/page_alloc/fns.ts';
import * as G from '../../../models/page_alloc/gfp.ts';
import {
  createPageAlloc,
  type MachineConfig,
  renewPageAlloc,
} from '../../../models/page_alloc/machine.ts';
import {
  __alloc_pages,
  __free_pages,
  type AllocEvent,
  type AllocResult,
  filemap_add_folio,
  inject_alloc_failure,
  vm_sysctl_write,
} from '../../../models/page_alloc/page_alloc.ts';
import type { PageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { ZONE_NAMES } from '../../../models/page_alloc/zone.ts';
import { type KswapdStep, kswapd_step } from '../../../models/vmscan/kswapd.ts';
import type { Outcome, StateTable, System } from '../../harness/system.ts';
import { type GfpChoice, OP_KINDS, type PageAllocOp, pageAllocOps } from './ops.ts';

/** A block a caller holds. */
export interface LiveAlloc {
  readonly pfn: number;
  readonly order: number;
  readonly zone: number;
}

/** What the last executed step did, as recorded when it ran (properties read it). */
export type PageAllocStepRecord =
  | { readonly kind: 'none' }
  | { readonly kind: 'alloc'; readonly results: readonly AllocResult[] }
  | { readonly kind: 'free'; readonly pfn: number; readonly order: number; readonly zone: number }
  | { readonly kind: 'kswapd'; readonly steps: readonly KswapdStep[] }
  | { readonly kind: 'sysctl'; readonly ret: number }
  | { readonly kind: 'fault' };

/** The system's state: the allocator, the blocks callers hold, and the last step's record. */
export interface PageAllocState {
  readonly pa: PageAlloc;
  readonly live: LiveAlloc[];
  last: PageAllocStepRecord;
}

/** Resolves a gfp name (`GFP_ATOMIC|__GFP_DMA32`) to bits under the version's composites. */
export function gfpFromName(pa: PageAlloc, name: string): number {
  let gfp = 0;
  for (const part of name.split('|')) {
    const composite = (pa.gfp as unknown as Record<string, number>)[part];
    const bit = (G as unknown as Record<string, unknown>)[part];
    if (typeof composite === 'number') gfp |= composite;
    else if (typeof bit === 'number') gfp |= bit;
    else throw new Error(`unknown gfp flag ${part}`);
  }
  return gfp;
}

const kB = (pages: number) => `${pages * 4}kB`;
const hex = (pfn: number) => `0x${pfn.toString(16)}`;

function wakeNote(e: Extract<AllocEvent, { kind: 'wakeup_kswapd' }>): string {
  const w = e.wake;
  const zone = ZONE_NAMES[w.zone];
  const hz = ZONE_NAMES[w.highest_zoneidx];
  const what = w.woken ? 'woken' : `not woken (${w.why})`;
  return `wakeup_kswapd(${zone}, order ${w.order}, ${hz}): ${what}`;
}

/** One line per event worth reading in a report. */
function eventNotes(r: AllocResult, flagsName: (f: number) => string): string[] {
  const notes: string[] = [];
  for (const e of r.events)
    switch (e.kind) {
      case 'wakeup_kswapd':
        notes.push(wakeNote(e));
        break;
      case 'attempt':
        notes.push(`${e.stage} attempt ${flagsName(e.alloc_flags)}: ${e.ok ? 'ok' : 'failed'}`);
        break;
      case 'direct_reclaim':
        notes.push(`try_to_free_pages: ${e.reclaimed} pages`);
        break;
      case 'throttle':
        notes.push(`throttle_direct_reclaim: waits (kswapd_failures ${e.kswapd_failures})`);
        break;
      case 'unreserve_highatomic':
        notes.push(`unreserve_highatomic_pageblock(force ${e.force}): ${e.released}`);
        break;
      case 'should_reclaim_retry':
        if (!e.retry) notes.push(`should_reclaim_retry: gives up (loops ${e.loops})`);
        break;
      case 'oom':
        notes.push(`out_of_memory: ${e.what}`);
        break;
      case 'livelock':
        notes.push('retry bound reached (the kernel would keep looping)');
        break;
      case 'warn_alloc':
        notes.push(`warn_alloc: ${e.text}`);
        break;
      case 'fail_page_alloc':
        notes.push('should_fail_alloc_page: injected failure');
        break;
      default:
        notes.push(`${e.kind}: ${e.text}`);
    }
  return notes;
}

function allocResultText(r: AllocResult): string {
  if (r.pfn === null) return 'NULL';
  return `pfn ${hex(r.pfn)} ${ZONE_NAMES[r.zone]}`;
}

function kswapdNote(s: KswapdStep): string {
  const hz = ZONE_NAMES[s.highest_zoneidx] ?? String(s.highest_zoneidx);
  switch (s.what) {
    case 'round': {
      const r = s.round as NonNullable<KswapdStep['round']>;
      const end = r.done ? (r.failed ? ', pass failed' : ', pass done') : '';
      const boost = r.boostMode ? ' boosted' : '';
      return `balance_pgdat round prio ${r.priority}${boost}: ${r.reclaimed} pages${end}`;
    }
    case 'K3':
      return `K3: balance_pgdat(order ${s.order}, ${hz})`;
    case 'sleep-short':
    case 'sleep-full':
    case 'no-sleep':
    case 'premature':
      return `${s.what} (order ${s.order}, ${hz}, failures ${s.kswapd_failures})`;
    default:
      return s.what;
  }
}

/** Sub-step lines: all of a short run; the first and last four of a long one. */
function kswapdNotes(steps: readonly KswapdStep[]): string[] {
  if (steps.length <= 8) return steps.map(kswapdNote);
  return [
    ...steps.slice(0, 4).map(kswapdNote),
    `... ${steps.length - 8} more sub-steps`,
    ...steps.slice(-4).map(kswapdNote),
  ];
}

/** The zones in show_mem layout (free, boost, min, low, high, managed in kB; lowmem_reserve[]). */
export function zoneRows(pa: PageAlloc): string[] {
  const rows: string[] = [];
  for (const z of pa.zones as Zone[]) {
    if (z.managed_pages === 0) continue;
    const w = z._watermark;
    rows.push(
      `${z.name} free:${kB(z.nr_free_pages)} boost:${kB(z.watermark_boost)} managed:${kB(z.managed_pages)}`,
    );
    rows.push(`  min:${kB(w[0] ?? 0)} low:${kB(w[1] ?? 0)} high:${kB(w[2] ?? 0)}`);
    rows.push(`  lowmem_reserve[]: ${z.lowmem_reserve.join(' ')}`);
    if (z.nr_reserved_highatomic || z.nr_clean || z.nr_dirty)
      rows.push(
        `  highatomic:${kB(z.nr_reserved_highatomic)} file:${kB(z.nr_clean)} dirty:${kB(z.nr_dirty)}`,
      );
  }
  return rows;
}

/**
 * The page-allocator system on `machine` under `rules`, with `variant`
 * replacing kernel functions (test mutants).
 */
export function makePageAllocSystem(
  machine: MachineConfig,
  rules: PageAllocRules,
  variant: PageAllocVariant = {},
): System<PageAllocState, PageAllocOp> {
  let current: PageAlloc | null = null;
  const gfpCache = new Map<GfpChoice, number>();
  const flagsName = (f: number) => allocFlagsNameFor(rules, f);
  return {
    name: 'page-alloc',
    setup: `page-alloc: ${machine.name}, one node, page allocator ${rules.id}`,
    opKinds: OP_KINDS,
    ops: pageAllocOps,
    init(): PageAllocState {
      current = current ? renewPageAlloc(current) : createPageAlloc(machine, rules, variant);
      return { pa: current, live: [], last: { kind: 'none' } };
    },
    step(state: PageAllocState, op: PageAllocOp): Outcome | null {
      const pa = state.pa;
      if (pa.retired) throw new Error('page-alloc state used after a newer init()');
      pa.ntouched = 0;
      pa.touched_overflow = false;
      switch (op.op) {
        case 'alloc_pages': {
          let gfp = gfpCache.get(op.gfp);
          if (gfp === undefined) {
            gfp = gfpFromName(pa, op.gfp);
            gfpCache.set(op.gfp, gfp);
          }
          const results: AllocResult[] = [];
          for (let i = 0; i < op.count; i++) {
            const r = __alloc_pages(pa, { gfp, order: op.order, reclaim: op.reclaim });
            results.push(r);
            if (r.pfn === null) break;
            state.live.push({ pfn: r.pfn, order: op.order, zone: r.zone });
          }
          state.last = { kind: 'alloc', results };
          const ctx = G.gfpflags_allow_blocking(gfp) ? 'cpu0 task' : 'cpu0 atomic';
          const last = results[results.length - 1] as AllocResult;
          const times = op.count > 1 ? ` x${op.count}` : '';
          const ok = results.length - (last.pfn === null ? 1 : 0);
          return {
            context: ctx,
            call: `alloc_pages(${op.gfp}, order ${op.order})${times}`,
            result:
              op.count > 1 ? `${ok} ok, last ${allocResultText(last)}` : allocResultText(last),
            notes: eventNotes(last, flagsName),
          };
        }
        case '__free_pages': {
          if (state.live.length === 0) return null;
          const i = op.pick % state.live.length;
          const a = state.live[i] as LiveAlloc;
          const err = __free_pages(pa, a.pfn, a.order);
          if (err) throw new Error(`model refused a free it handed out: ${err}`);
          state.live[i] = state.live[state.live.length - 1] as LiveAlloc;
          state.live.pop();
          state.last = { kind: 'free', pfn: a.pfn, order: a.order, zone: a.zone };
          return {
            context: 'cpu0 task',
            call: `__free_pages(pfn ${hex(a.pfn)}, order ${a.order})`,
            result: `${ZONE_NAMES[a.zone]} free:${kB((pa.zones[a.zone] as Zone).nr_free_pages)}`,
          };
        }
        case 'kswapd': {
          const steps: KswapdStep[] = [];
          for (let i = 0; i < op.steps; i++) {
            const s = kswapd_step(pa, op.reclaim);
            if (!s) break;
            steps.push(s);
          }
          if (steps.length === 0) return null; // asleep: nothing to run
          state.last = { kind: 'kswapd', steps };
          return {
            context: 'kswapd',
            call: `kswapd(${op.steps} steps, reclaim ${op.reclaim})`,
            result: `${steps.length} steps, ${pa.pgdat.kswapd.position}, failures ${pa.pgdat.kswapd_failures}`,
            notes: kswapdNotes(steps),
          };
        }
        case 'filemap_add_folio': {
          const results: AllocResult[] = [];
          for (let i = 0; i < op.count; i++) {
            const r = filemap_add_folio(pa, op.order, op.dirty);
            results.push(r);
            if (r.pfn === null) break;
          }
          state.last = { kind: 'alloc', results };
          const ok = results.filter((r) => r.pfn !== null).length;
          return {
            context: 'cpu0 task',
            call: `filemap_add_folio(order ${op.order}${op.dirty ? ', dirty' : ''}) x${op.count}`,
            result: `${ok} folios`,
          };
        }
        case 'sysctl': {
          const ret = vm_sysctl_write(pa, op.name, op.value);
          state.last = { kind: 'sysctl', ret };
          const v = Array.isArray(op.value) ? op.value.join(' ') : String(op.value);
          return {
            context: 'test',
            call: `sysctl vm.${op.name}=${v}`,
            result: ret === 0 ? '0' : '-EINVAL',
          };
        }
        case 'should_fail_alloc_page': {
          inject_alloc_failure(pa, op.order, op.times);
          state.last = { kind: 'fault' };
          return {
            context: 'test',
            call: `should_fail_alloc_page(order ${op.order}, next ${op.times})`,
            result: 'armed',
          };
        }
      }
    },
    snapshot(state: PageAllocState): readonly StateTable[] {
      const pa = state.pa;
      if (pa.retired) throw new Error('page-alloc state used after a newer init()');
      const k = pa.pgdat;
      const hz = k.kswapd_highest_zoneidx === 5 ? 'unset' : ZONE_NAMES[k.kswapd_highest_zoneidx];
      return [
        { title: `zones (${pa.machine.config.name})`, rows: zoneRows(pa) },
        {
          title: 'kswapd',
          rows: [
            `${k.kswapd.position} at ${k.kswapd.pc}, failures ${k.kswapd_failures}`,
            `request: order ${k.kswapd_order}, zone ${hz}`,
          ],
        },
      ];
    },
  };
}

function allocFlagsNameFor(rules: PageAllocRules, flags: number): string {
  return allocFlagsName(flags, rules.alloc_flags);
}
