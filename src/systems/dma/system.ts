/**
 * The DMA world as a harness system: boots a world once and starts every run
 * from a copy of what boot left (the page allocator's arrays are reused, only
 * what the previous run touched is restored), applies the ops of ops.ts, and
 * says what each did in kernel terms. This file executes; ops.ts generates
 * and properties/dma checks.
 */
import type { CcKind, Device } from '../../../models/dma/device.ts';
import { DMA_BIT_MASK } from '../../../models/dma/device.ts';
import { poolOf, type WorkStep } from '../../../models/dma/pool.ts';
import { gfpName } from '../../../models/page_alloc/gfp.ts';
import type { MachineConfig, PfnRange } from '../../../models/page_alloc/machine.ts';
import {
  createPageAlloc,
  type Machine,
  renewPageAlloc,
} from '../../../models/page_alloc/machine.ts';
import { arenaFromImage, ENC_NAMES } from '../../../models/page_alloc/pages.ts';
import type {
  FailPageAlloc,
  FolioQueue,
  PageAlloc,
  Pgdat,
  Zone,
} from '../../../models/page_alloc/state.ts';
import {
  high_wmark_pages,
  low_wmark_pages,
  min_wmark_pages,
  ZONE_NAMES,
} from '../../../models/page_alloc/zone.ts';
import type { Policy } from '../../../models/policy.ts';
import {
  cloneWorld,
  createWorld,
  type DmaAllocReport,
  type DmaBuffer,
  type World,
  type WorldConfig,
  type WorldVariant,
  world_alloc_pages,
  world_arm_fault,
  world_dma_alloc_coherent,
  world_dma_alloc_pages,
  world_dma_free_coherent,
  world_dma_free_pages,
  world_free_pages,
  world_kswapd,
  world_page_cache,
  world_pool_worker,
  world_vm_sysctl_write,
} from '../../../models/world/world.ts';
import { EXECUTED, type Outcome, type StateTable, type System } from '../../harness/system.ts';
import { hex, size as sz } from '../../report/text.ts';
import { pageAllocMachines } from '../page_alloc/machines.ts';
import {
  type AllocPagesOp,
  DMA_OP_KINDS,
  type DmaAllocOp,
  type DmaAllocPagesOp,
  type DmaFreeOp,
  type DmaFreePagesOp,
  type DmaOp,
  dmaOpArbitrary,
  type FaultOp,
  type FreePagesOp,
  type KswapdOp,
  type PageCacheOp,
  type SysctlOp,
  type WorkerOp,
} from './ops.ts';

/** A device as scenario data. */
export interface DeviceSpec {
  readonly name: string;
  /** coherent_dma_mask = DMA_BIT_MASK(mask_bits). */
  readonly mask_bits: number;
  /** bus_dma_limit = DMA_BIT_MASK(bus_bits); absent: no bus limit. */
  readonly bus_bits?: number;
}

/** A DMA scenario's config. */
export interface DmaScenarioConfig {
  /** A machine of src/systems/page_alloc/machines.ts: `256M`, `4G`. */
  readonly machine: string;
  /** Memory encryption: `sev-guest`, `tdx-guest`, `sme-host`, `none`. */
  readonly cc: CcKind;
  readonly devices: readonly DeviceSpec[];
  readonly coherent_pool?: string;
  /** The default CMA area, `cma=<size_mib>M@<base_mib>M`: memblock-reserved at boot. */
  readonly cma?: { readonly base_mib: number; readonly size_mib: number };
  /**
   * Extra memblock reservations, [start_mib, end_mib) each: memory the
   * kernel may not manage (a kdump kernel, say, sees none below 16 MiB).
   */
  readonly reserve?: readonly { readonly start_mib: number; readonly end_mib: number }[];
}

const MIB_PAGES = 256;

/** `ranges` minus the pfns already reserved, cut to the memory ranges (so no two overlap). */
function newReservations(m: MachineConfig, ranges: readonly PfnRange[]): PfnRange[] {
  const out: PfnRange[] = [];
  for (const r of ranges)
    for (const mem of m.memory) {
      let start = Math.max(r.start, mem.start);
      const end = Math.min(r.end, mem.end);
      const taken = m.reserved
        .filter((x) => x.end > start && x.start < end)
        .sort((a, b) => a.start - b.start);
      for (const t of taken) {
        if (t.start > start) out.push({ start, end: t.start });
        start = Math.max(start, t.end);
      }
      if (start < end) out.push({ start, end });
    }
  return out;
}

/** Machines with a scenario's extra reservations, built once per layout (boot images are cached by identity). */
const reservedMachines = new Map<string, MachineConfig>();

function machineFor(c: DmaScenarioConfig): MachineConfig {
  const base = pageAllocMachines[c.machine] as MachineConfig;
  const extra: PfnRange[] = (c.reserve ?? []).map((r) => ({
    start: r.start_mib * MIB_PAGES,
    end: r.end_mib * MIB_PAGES,
  }));
  if (c.cma)
    extra.push({
      start: c.cma.base_mib * MIB_PAGES,
      end: (c.cma.base_mib + c.cma.size_mib) * MIB_PAGES,
    });
  if (extra.length === 0) return base;
  const key = `${c.machine} ${JSON.stringify(extra)}`;
  let m = reservedMachines.get(key);
  if (!m) {
    const added = newReservations(base, extra);
    m = {
      ...base,
      name: `${base.name}+reserved`,
      reserved: [...base.reserved, ...added].sort((a, b) => a.start - b.start),
    };
    reservedMachines.set(key, m);
  }
  return m;
}

export type DmaState = World;

function worldConfig(c: DmaScenarioConfig): WorldConfig {
  const machine = machineFor(c);
  const devices: Device[] = c.devices.map((d) => ({
    name: d.name,
    coherent_dma_mask: DMA_BIT_MASK(d.mask_bits),
    bus_dma_limit: d.bus_bits === undefined ? 0 : DMA_BIT_MASK(d.bus_bits),
    iommu: false,
    coherent: true,
  }));
  return {
    machine,
    platform: {
      cc: c.cc,
      sme_c_bit: 47,
      CONFIG_ZONE_DMA: true,
      CONFIG_ZONE_DMA32: true,
      CONFIG_DMA_COHERENT_POOL: true,
    },
    devices,
    ...(c.coherent_pool !== undefined ? { coherent_pool: c.coherent_pool } : {}),
    ...(c.cma ? { cma: { base: c.cma.base_mib * 1048576, size: c.cma.size_mib * 1048576 } } : {}),
  };
}

/**
 * The page allocator's state as a world's boot left it: a machine whose
 * image is that state (so renewPageAlloc() restores it, copying back only
 * what a run touched), and the parts of the state the image does not hold.
 */
interface PageAllocAfterBoot {
  readonly machine: Machine;
  readonly pgdat: Pgdat;
  /** Whether renewPageAlloc()'s fresh pgdat differs from `pgdat` (known after the first reset). */
  pgdatDiffers?: boolean;
  readonly fail_page_alloc: FailPageAlloc | null;
  readonly touched: Int32Array;
  readonly touched_overflow: boolean;
}

/** Records `pa` right after a world's boot (a full copy of its pages: once per system). */
function afterBoot(pa: PageAlloc): PageAllocAfterBoot {
  const q = (f: FolioQueue): FolioQueue => ({ ...f });
  const zones: Zone[] = pa.zones.map((z) => ({
    ...z,
    _watermark: [...z._watermark],
    lowmem_reserve: [...z.lowmem_reserve],
    nr_free: z.nr_free.slice(),
    free_head: z.free_head.slice(),
    free_tail: z.free_tail.slice(),
    nr_free_mt: z.nr_free_mt.slice(),
    // FolioQueue entries below the tail are never rewritten: the indices suffice
    lru_clean: q(z.lru_clean),
    lru_dirty: q(z.lru_dirty),
  }));
  return {
    machine: {
      ...pa.machine,
      image: { pages: arenaFromImage(pa.pages), zones, lru_seq: pa.pgdat.lru_seq },
      sysctl: { ...pa.sysctl, lowmem_reserve_ratio: [...pa.sysctl.lowmem_reserve_ratio] },
    },
    pgdat: structuredClone(pa.pgdat),
    fail_page_alloc: pa.fail_page_alloc ? { ...pa.fail_page_alloc } : null,
    touched: pa.touched.slice(0, pa.ntouched),
    touched_overflow: pa.touched_overflow,
  };
}

/** Deep equality of plain data (objects, arrays, numbers, strings, booleans, null). */
function sameData(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return Object.is(a, b);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    Array.isArray(a) === Array.isArray(b) &&
    ka.length === kb.length &&
    ka.every(
      (k, i) =>
        k === kb[i] &&
        sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** Completes renewPageAlloc() (pages, zones, sysctls) with the rest of the state boot left. */
function restoreAfterBoot(pa: PageAlloc, boot: PageAllocAfterBoot): PageAlloc {
  // boot rarely touches pgdat (the reserve pool's init may wake kswapd): compare once
  boot.pgdatDiffers ??= !sameData(pa.pgdat, boot.pgdat);
  if (boot.pgdatDiffers) Object.assign(pa.pgdat, structuredClone(boot.pgdat));
  pa.fail_page_alloc = boot.fail_page_alloc ? { ...boot.fail_page_alloc } : null;
  pa.touched.set(boot.touched);
  pa.ntouched = boot.touched.length;
  pa.touched_overflow = boot.touched_overflow;
  return pa;
}

const kb = (pages: number) => `${pages * 4}kB`;

function gfpText(w: World, gfp: number): string {
  return gfpName(gfp, w.policy.pageAlloc);
}

/** Lines for the notable events of the step just taken. */
function notes(w: World): string[] {
  const out: string[] = [];
  for (const e of w.events) {
    switch (e.kind) {
      case 'may_sleep':
        out.push(`${e.what}: may sleep`);
        break;
      case 'convert':
        if (!e.ok) out.push(`${e.op}(pfn ${hex(e.pfn)}, ${e.npages} pages) failed: pages unknown`);
        break;
      case 'free':
        if (e.notEncrypted > 0)
          out.push(
            `__free_pages(pfn ${hex(e.pfn)}, ${e.npages} pages): ${e.notEncrypted} not private`,
          );
        break;
      case 'leak':
        out.push(`leaked pfn ${hex(e.pfn)} (${e.npages} pages): ${e.cause}`);
        break;
      case 'warn':
        out.push(`WARN: ${e.text}`);
        break;
      case 'wild':
      case 'bug':
        out.push(`${e.kind}: ${e.detail}`);
        break;
      default:
        break;
    }
  }
  return out;
}

function bufferText(w: World, b: DmaBuffer): string {
  if (b.block) {
    const p = w.pools ? poolAvail(w, b.block.pool) : '';
    return `${b.block.pool} pool #${b.block.chunk}+${hex(b.block.offset)}${p}`;
  }
  const pages = Math.ceil(b.size / 4096);
  // a pool buffer without a gen_pool block is the 2019 design's reserve pool
  const what = b.source === 'pool' ? 'reserve pool' : 'fresh pages';
  return `${what} pfn ${hex(b.phys / 4096)} (${pages} page${pages === 1 ? '' : 's'})`;
}

function poolAvail(w: World, name: 'dma' | 'dma32' | 'kernel'): string {
  const p = w.pools ? poolOf(w.pools, name) : null;
  if (!p) return '';
  const avail = p.pool.chunks.reduce((a, c) => a + c.avail, 0);
  return `, avail ${sz(avail)}`;
}

function cpuContext(cpu: number, atomic: boolean): string {
  return `cpu${cpu} ${atomic ? 'atomic' : 'task'}`;
}

/** Builds the DMA system for one scenario config and policy. */
export function makeDmaSystem(
  config: DmaScenarioConfig,
  policy: Policy,
  variant: WorldVariant = {},
): System<DmaState, DmaOp> {
  const wc = worldConfig(config);
  /** The world as boot left it (never stepped) and its page allocator's state. */
  let booted: { readonly world: World; readonly pa: PageAllocAfterBoot } | null = null;
  let last: World | null = null;
  const devName = (i: number) => (wc.devices[i] as Device).name;
  /** The live buffer of `api` at `i` modulo their number (no list is built: frees are frequent). */
  const pick = (w: World, api: DmaBuffer['api'], i: number): DmaBuffer | undefined => {
    let count = 0;
    for (const b of w.buffers) if (b.api === api) count += 1;
    if (count === 0) return undefined;
    let k = i % count;
    for (const b of w.buffers) if (b.api === api && k-- === 0) return b;
    return undefined;
  };

  // One small function per op, and the text of each in another: V8 optimises
  // a function after running a number of its bytecodes that grows with its
  // size, so the hot paths stay small and text is built only when asked for.

  /**
   * Runs `one` (one request) `count` times, until it returns no buffer or a
   * checkpoint between two requests reports a broken property: the buffers
   * handed out, and the report of the last request made.
   */
  function burst(
    count: number,
    one: () => DmaAllocReport,
    checkpoint: (() => boolean) | undefined,
  ): { readonly ids: number[]; readonly last: DmaAllocReport } {
    const ids: number[] = [];
    let last = one();
    while (last.buffer !== null) {
      ids.push(last.buffer.id);
      if (ids.length >= count || checkpoint?.() === true) break;
      last = one();
    }
    return { ids, last };
  }

  function allocCoherent(
    w: World,
    op: DmaAllocOp,
    describe: boolean,
    checkpoint?: () => boolean,
  ): Outcome {
    const dev = op.dev % wc.devices.length;
    const one = () => world_dma_alloc_coherent(w, dev, op.size, op.atomic, op.nowarn);
    return requests(w, op, 'dma_alloc_coherent', dev, one, describe, checkpoint);
  }

  /** One request, or a burst of `op.count`, and how it reads. */
  function requests(
    w: World,
    op: DmaAllocOp | DmaAllocPagesOp,
    name: string,
    dev: number,
    one: () => DmaAllocReport,
    describe: boolean,
    checkpoint?: () => boolean,
  ): Outcome {
    const count = op.count ?? 1;
    if (count <= 1) {
      const r = one();
      return describe ? allocText(w, op, name, dev, r, r.buffer ? [r.buffer.id] : []) : EXECUTED;
    }
    const b = burst(count, one, checkpoint);
    return describe ? allocText(w, op, name, dev, b.last, b.ids) : EXECUTED;
  }

  /**
   * A DMA allocation step as a report line: the call (with `xN` for a
   * burst) and the buffer it handed out; for a burst, how many requests
   * succeeded, their buffer ids, and what the last one gave. Notes are
   * the last request's.
   */
  function allocText(
    w: World,
    op: DmaAllocOp | DmaAllocPagesOp,
    fn: string,
    dev: number,
    last: DmaAllocReport,
    ids: readonly number[],
  ): Outcome {
    const count = op.count ?? 1;
    const b = last.buffer;
    const where = b
      ? `${bufferText(w, b)}${b.page?.kind === 'cpu_addr' ? ', page is the cpu address' : ''}`
      : '';
    let result: string;
    if (count <= 1) result = b ? `#${b.id} ${where}` : 'NULL';
    else {
      const first = ids[0];
      const range =
        first === undefined ? '' : ids.length === 1 ? ` #${first}` : ` #${first}..#${ids.at(-1)}`;
      result = `${ids.length} ok${range}${b ? `, last ${where}` : ids.length > 0 ? ', then NULL' : ', NULL'}`;
    }
    return {
      context: cpuContext(op.cpu, op.atomic),
      call: `${fn}(${devName(dev)}, ${sz(op.size)}, ${gfpText(w, last.gfp)})${count > 1 ? ` x${count}` : ''}`,
      result,
      notes: notes(w),
    };
  }

  function freeCoherent(w: World, op: DmaFreeOp, describe: boolean): Outcome | null {
    const b = pick(w, 'coherent', op.pick);
    if (!b) return null;
    world_dma_free_coherent(w, b);
    return describe ? freeCoherentText(w, b) : EXECUTED;
  }

  function freeCoherentText(w: World, b: DmaBuffer): Outcome {
    return {
      context: 'cpu0 task',
      call: `dma_free_coherent(${devName(b.dev)}, ${sz(b.requested)}, #${b.id})`,
      result: b.block ? `back to ${b.block.pool} pool${poolAvail(w, b.block.pool)}` : 'pages freed',
      notes: notes(w),
    };
  }

  function allocPages(
    w: World,
    op: DmaAllocPagesOp,
    describe: boolean,
    checkpoint?: () => boolean,
  ): Outcome | null {
    if (w.policy.dmaDirect.dma_direct_alloc_pages === null) return null;
    const dev = op.dev % wc.devices.length;
    const one = () => world_dma_alloc_pages(w, dev, op.size, op.atomic);
    return requests(w, op, 'dma_alloc_pages', dev, one, describe, checkpoint);
  }

  function freePages(w: World, op: DmaFreePagesOp, describe: boolean): Outcome | null {
    const b = pick(w, 'pages', op.pick);
    if (!b) return null;
    world_dma_free_pages(w, b);
    return describe ? freePagesText(w, b) : EXECUTED;
  }

  function freePagesText(w: World, b: DmaBuffer): Outcome {
    return {
      context: 'cpu0 task',
      call: `dma_free_pages(${devName(b.dev)}, ${sz(b.requested)}, #${b.id})`,
      result: 'done',
      notes: notes(w),
    };
  }

  /**
   * Runs `one` (one sub-step, null when there is nothing to do) up to
   * `steps` times, stopping when it has nothing to do or a checkpoint
   * between two sub-steps reports a broken property. With `describe`, each
   * sub-step's line and notes as it ran. Null when not even one ran.
   */
  function subSteps<T>(
    w: World,
    steps: number,
    one: () => T | null,
    line: ((s: T) => string) | null,
    checkpoint: (() => boolean) | undefined,
  ): { readonly ran: number; readonly last: T; readonly lines: string[] } | null {
    let last = one();
    if (last === null) return null;
    const lines: string[] = [];
    let ran = 1;
    for (;;) {
      if (line) lines.push(line(last), ...notes(w).map((n) => `  ${n}`));
      if (ran >= steps || checkpoint?.() === true) break;
      const next = one();
      if (next === null) break;
      last = next;
      ran += 1;
    }
    return { ran, last, lines };
  }

  /** At most this many sub-step lines in a report: the first and last halves of a longer run. */
  const SUB_STEP_LINES = 12;

  function subStepNotes(lines: readonly string[]): string[] {
    if (lines.length <= SUB_STEP_LINES) return [...lines];
    const half = SUB_STEP_LINES / 2;
    return [
      ...lines.slice(0, half),
      `... ${lines.length - SUB_STEP_LINES} more lines`,
      ...lines.slice(-half),
    ];
  }

  function poolWorker(
    w: World,
    op: WorkerOp,
    describe: boolean,
    checkpoint?: () => boolean,
  ): Outcome | null {
    const steps = op.steps ?? 1;
    if (steps <= 1) {
      const s = world_pool_worker(w);
      if (!s) return null;
      return describe ? poolWorkerText(w, s) : EXECUTED;
    }
    const r = subSteps(
      w,
      steps,
      () => world_pool_worker(w),
      describe ? workLine : null,
      checkpoint,
    );
    if (!r) return null;
    if (!describe) return EXECUTED;
    const state = w.pools?.atomic_pool_work;
    return {
      context: 'kworker',
      call: `atomic_pool_work_fn x${steps}`,
      result: `${r.ran} sub-step${r.ran === 1 ? '' : 's'}, work ${state?.running ? 'running' : state?.pending ? 'pending' : 'idle'}`,
      notes: subStepNotes(r.lines),
    };
  }

  /** One worker sub-step in a line: what it did and what it observed. */
  function workLine(s: WorkStep): string {
    const t = workText(s);
    return `${t.what}: ${t.result}`;
  }

  function workText(s: WorkStep): { readonly what: string; readonly result: string } {
    const what =
      s.step === 'check' ? `check ${s.pool}` : s.step === 'expand' ? `expand ${s.pool}` : 'idle';
    const calls = s.calls
      .map((c) => `${c.fn}${c.order !== undefined ? ` order ${c.order}` : ''}`)
      .join(', ');
    return {
      what,
      result:
        s.step === 'check'
          ? s.below
            ? 'below atomic_pool_size: expand'
            : 'at or above atomic_pool_size'
          : `${calls || 'no call'}${s.ret !== undefined ? ` -> ${s.ret}` : ''}${s.done ? ', done' : ''}`,
    };
  }

  function poolWorkerText(w: World, s: WorkStep): Outcome {
    const t = workText(s);
    return {
      context: 'kworker',
      call: `atomic_pool_work_fn: ${t.what}`,
      result: t.result,
      notes: notes(w),
    };
  }

  type KswapdResult = NonNullable<ReturnType<typeof world_kswapd>>;

  function kswapd(
    w: World,
    op: KswapdOp,
    describe: boolean,
    checkpoint?: () => boolean,
  ): Outcome | null {
    const steps = op.steps ?? 1;
    if (steps <= 1) {
      const r = world_kswapd(w, 32);
      if (!r) return null;
      return describe ? kswapdText(w, r) : EXECUTED;
    }
    const r = subSteps(
      w,
      steps,
      () => world_kswapd(w, 32),
      describe ? kswapdLine : null,
      checkpoint,
    );
    if (!r) return null;
    if (!describe) return EXECUTED;
    return {
      context: 'kswapd0',
      call: `kswapd x${steps}`,
      result: `${r.ran} sub-step${r.ran === 1 ? '' : 's'}, ${w.pa.pgdat.kswapd.position}, failures ${w.pa.pgdat.kswapd_failures}`,
      notes: subStepNotes(r.lines),
    };
  }

  function kswapdParts(r: KswapdResult): { readonly call: string; readonly result: string } {
    if ('reserve' in r) {
      const x = r.reserve;
      return {
        call: `reserve_pool_kswapd_step: ${x.what}${x.pool ? ` ${x.pool} order ${x.order}` : ''}`,
        result: `${x.phys !== null ? `pfn ${hex(x.phys / 4096)}` : 'no block'}${x.ok === false ? ', failed' : ''}${x.done ? ', pass done' : ''}`,
      };
    }
    const k = r.kswapd;
    return {
      call: `kswapd: ${k.what}`,
      result: `order ${k.order}, highest zone ${ZONE_NAMES[k.highest_zoneidx] ?? k.highest_zoneidx}, failures ${k.kswapd_failures}${k.round ? `, reclaimed ${k.round.reclaimed}` : ''}`,
    };
  }

  function kswapdLine(r: KswapdResult): string {
    const t = kswapdParts(r);
    return `${t.call} -> ${t.result}`;
  }

  function kswapdText(w: World, r: KswapdResult): Outcome {
    const t = kswapdParts(r);
    return { context: 'kswapd0', call: t.call, result: t.result, notes: notes(w) };
  }

  function sysctl(w: World, op: SysctlOp, describe: boolean): Outcome {
    const ret = world_vm_sysctl_write(w, op.name, op.value);
    if (!describe) return EXECUTED;
    const r = w.reserve;
    const targets =
      ret === 0 && r
        ? [r.pool_dma, r.pool_dma32].flatMap((p) =>
            p
              ? [`reserve pool ${p.zone}: target ${p.target_pages} pages, ${p.target.join(' ')}`]
              : [],
          )
        : [];
    return {
      context: 'cpu0 task',
      call: `sysctl vm.${op.name}=${op.value.join(' ')}`,
      result: ret === 0 ? '0' : '-EINVAL',
      notes: [
        ...(ret === 0
          ? w.pa.zones
              .filter((z) => z.managed_pages > 0)
              .map((z) => `${z.name} lowmem_reserve[]: ${z.lowmem_reserve.join(' ')}`)
          : []),
        ...targets,
        ...notes(w),
      ],
    };
  }

  function allocOther(w: World, op: AllocPagesOp, describe: boolean): Outcome {
    const got = world_alloc_pages(w, op.atomic, op.zone, op.order, op.count);
    return describe
      ? {
          context: cpuContext(0, op.atomic),
          call: `alloc_pages(${op.zone}, order ${op.order}) x${op.count}`,
          result: `${got} of ${op.count} blocks`,
          notes: notes(w),
        }
      : EXECUTED;
  }

  function freeOther(w: World, op: FreePagesOp, describe: boolean): Outcome | null {
    if (w.kernelPages.length === 0) return null;
    const n = world_free_pages(w, op.pick, op.count);
    return describe
      ? {
          context: 'cpu0 task',
          call: `__free_pages x${op.count}`,
          result: `${n} blocks freed`,
          notes: notes(w),
        }
      : EXECUTED;
  }

  function pageCache(w: World, op: PageCacheOp, describe: boolean): Outcome {
    const pfn = world_page_cache(w, op.order, op.dirty);
    return describe
      ? {
          context: 'cpu0 task',
          call: `filemap_add_folio(order ${op.order}${op.dirty ? ', dirty' : ''})`,
          result: pfn === null ? 'no memory' : `pfn ${hex(pfn)}`,
          notes: notes(w),
        }
      : EXECUTED;
  }

  function fault(w: World, op: FaultOp, describe: boolean): Outcome | null {
    if (op.at !== 'alloc_pages' && w.config.platform.cc === 'none' && op.at !== 'gen_pool_add')
      return null;
    world_arm_fault(w, { at: op.at, order: op.at === 'alloc_pages' ? op.order : -1 });
    return describe ? faultText(op) : EXECUTED;
  }

  function faultText(op: FaultOp): Outcome {
    const what =
      op.at === 'alloc_pages'
        ? `next alloc_pages${op.order >= 0 ? ` of order ${op.order}` : ''} fails`
        : op.at === 'gen_pool_add'
          ? 'next gen_pool_add_virt fails'
          : `host refuses the next ${op.at} (-EIO)`;
    return { context: 'host', call: 'inject', result: what };
  }

  function step(w: World, op: DmaOp, describe = true, checkpoint?: () => boolean): Outcome | null {
    switch (op.op) {
      case 'dma_alloc_coherent':
        return allocCoherent(w, op, describe, checkpoint);
      case 'dma_free_coherent':
        return freeCoherent(w, op, describe);
      case 'dma_alloc_pages':
        return allocPages(w, op, describe, checkpoint);
      case 'dma_free_pages':
        return freePages(w, op, describe);
      case 'atomic_pool_work_fn':
        return poolWorker(w, op, describe, checkpoint);
      case 'kswapd':
        return kswapd(w, op, describe, checkpoint);
      case 'alloc_pages':
        return allocOther(w, op, describe);
      case '__free_pages':
        return freeOther(w, op, describe);
      case 'page_cache':
        return pageCache(w, op, describe);
      case 'fault':
        return fault(w, op, describe);
      case 'sysctl':
        return sysctl(w, op, describe);
    }
  }

  return {
    name: 'dma',
    setup: `${config.machine}, ${config.cc}; ${config.devices.map((d) => `${d.name} ${d.mask_bits}-bit`).join(', ')}${config.coherent_pool ? `; coherent_pool=${config.coherent_pool}` : ''}${config.cma ? `; cma=${config.cma.size_mib}M@${config.cma.base_mib}M` : ''}${config.reserve ? `; reserved ${config.reserve.map((r) => `${r.start_mib}-${r.end_mib}M`).join(' ')}` : ''}`,
    opKinds: DMA_OP_KINDS,
    ops: dmaOpArbitrary,
    init() {
      let pa: PageAlloc;
      if (booted === null) {
        // the first run boots; every later one starts from a copy of what boot left
        const pa0 = createPageAlloc(wc.machine, policy.pageAlloc, variant.page_alloc);
        booted = { world: createWorld(wc, policy, pa0, variant), pa: afterBoot(pa0) };
        pa = { ...pa0, machine: booted.pa.machine };
        pa0.retired = true;
      } else pa = restoreAfterBoot(renewPageAlloc((last as World).pa), booted.pa);
      last = cloneWorld(booted.world, pa);
      return last;
    },
    step,
    snapshot: snapshotWorld,
    metrics: metricsWorld,
  };
}

/** Zones in show_mem's layout, the pools, and the live buffers. */
export function snapshotWorld(w: World): readonly StateTable[] {
  const zones: string[] = [];
  for (const z of w.pa.zones) {
    if (z.managed_pages === 0) continue;
    zones.push(
      `${z.name} free:${kb(z.nr_free_pages)} boost:${kb(z.watermark_boost)} min:${kb(min_wmark_pages(z))} low:${kb(low_wmark_pages(z))} high:${kb(high_wmark_pages(z))} managed:${kb(z.managed_pages)}`,
    );
    zones.push(`lowmem_reserve[]: ${z.lowmem_reserve.join(' ')}`);
  }
  const tables: StateTable[] = [{ title: 'zones', rows: zones }];
  const s = w.pools;
  if (s) {
    const rows: string[] = [
      `atomic_pool_size ${s.atomic_pool_size}, work ${s.atomic_pool_work.pending ? 'pending' : 'idle'}`,
    ];
    for (const p of [s.atomic_pool_dma, s.atomic_pool_dma32, s.atomic_pool_kernel]) {
      if (!p) continue;
      const avail = p.pool.chunks.reduce((a, c) => a + c.avail, 0);
      const size = p.chunks.reduce((a, c) => a + c.size, 0);
      rows.push(
        `${p.name}: avail ${sz(avail)} of ${sz(size)}, ${p.chunks.length} chunks at ${p.chunks.map((c) => hex(c.phys)).join(' ')}`,
      );
    }
    tables.push({ title: 'atomic pools', rows });
  }
  if (w.buffers.length > 0)
    tables.push({
      title: 'live buffers',
      rows: w.buffers.slice(-6).map((b) => {
        const enc = ENC_NAMES[w.pa.pages.enc[Math.floor(b.phys / 4096)] ?? 0];
        return `#${b.id} ${(w.config.devices[b.dev] as Device).name} ${sz(b.size)} at ${hex(b.phys)} (${b.source}), first page ${enc}`;
      }),
    });
  return tables;
}

/** Gauges for the SVG timeline: pool avail/size, zone free against its watermarks. */
export function metricsWorld(w: World): Readonly<Record<string, number>> {
  const m: Record<string, number> = {};
  const s = w.pools;
  if (s)
    for (const p of [s.atomic_pool_dma, s.atomic_pool_dma32, s.atomic_pool_kernel]) {
      if (!p) continue;
      m[`pool ${p.name}.avail`] = p.pool.chunks.reduce((a, c) => a + c.avail, 0);
      m[`pool ${p.name}.size`] = p.chunks.reduce((a, c) => a + c.size, 0);
      m[`pool ${p.name}.threshold`] = s.atomic_pool_size;
    }
  for (const z of w.pa.zones) {
    if (z.managed_pages === 0 || z.idx > 2) continue;
    m[`zone ${z.name}.free`] = z.nr_free_pages;
    m[`zone ${z.name}.min`] = min_wmark_pages(z);
    m[`zone ${z.name}.high`] = high_wmark_pages(z);
    m[`zone ${z.name}.min+reserve[Normal]`] = min_wmark_pages(z) + (z.lowmem_reserve[2] ?? 0);
  }
  return m;
}
