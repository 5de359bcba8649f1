/**
 * The DMA world as a harness system: builds a world per run (reusing the
 * page allocator's arrays between runs), applies the ops of ops.ts, and says
 * what each did in kernel terms. This file executes; ops.ts generates and
 * properties/dma checks.
 */
import type { CcKind, Device } from '../../../models/dma/device.ts';
import { DMA_BIT_MASK } from '../../../models/dma/device.ts';
import { gfpName } from '../../../models/page_alloc/gfp.ts';
import type { MachineConfig, PfnRange } from '../../../models/page_alloc/machine.ts';
import { createPageAlloc, renewPageAlloc } from '../../../models/page_alloc/machine.ts';
import { ENC_NAMES } from '../../../models/page_alloc/pages.ts';
import {
  high_wmark_pages,
  low_wmark_pages,
  min_wmark_pages,
  ZONE_NAMES,
} from '../../../models/page_alloc/zone.ts';
import type { Policy } from '../../../models/policy.ts';
import {
  createWorld,
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
} from '../../../models/world/world.ts';
import { EXECUTED, type Outcome, type StateTable, type System } from '../../harness/system.ts';
import { hex, size as sz } from '../../report/text.ts';
import { pageAllocMachines } from '../page_alloc/machines.ts';
import { DMA_OP_KINDS, type DmaOp, dmaOpArbitrary } from './ops.ts';

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
  return `fresh pages pfn ${hex(b.phys / 4096)} (${Math.ceil(b.size / 4096)} page${Math.ceil(b.size / 4096) === 1 ? '' : 's'})`;
}

function poolAvail(w: World, name: 'dma' | 'dma32' | 'kernel'): string {
  const s = w.pools;
  const p = s
    ? name === 'dma'
      ? s.atomic_pool_dma
      : name === 'dma32'
        ? s.atomic_pool_dma32
        : s.atomic_pool_kernel
    : null;
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
  let last: World | null = null;
  const devName = (i: number) => (wc.devices[i] as Device).name;
  const pick = <T>(list: readonly T[], i: number): T | undefined =>
    list.length === 0 ? undefined : list[i % list.length];

  function step(w: World, op: DmaOp, describe = true): Outcome | null {
    switch (op.op) {
      case 'dma_alloc_coherent': {
        const dev = op.dev % wc.devices.length;
        const r = world_dma_alloc_coherent(w, dev, op.size, op.atomic, op.nowarn);
        if (!describe) return EXECUTED;
        return {
          context: cpuContext(op.cpu, op.atomic),
          call: `dma_alloc_coherent(${devName(dev)}, ${sz(op.size)}, ${gfpText(w, r.gfp)})`,
          result: r.buffer ? `#${r.buffer.id} ${bufferText(w, r.buffer)}` : 'NULL',
          notes: notes(w),
        };
      }
      case 'dma_free_coherent': {
        const b = pick(
          w.buffers.filter((x) => x.api === 'coherent'),
          op.pick,
        );
        if (!b) return null;
        world_dma_free_coherent(w, b);
        if (!describe) return EXECUTED;
        return {
          context: 'cpu0 task',
          call: `dma_free_coherent(${devName(b.dev)}, ${sz(b.requested)}, #${b.id})`,
          result: b.block
            ? `back to ${b.block.pool} pool${poolAvail(w, b.block.pool)}`
            : 'pages freed',
          notes: notes(w),
        };
      }
      case 'dma_alloc_pages': {
        if (w.policy.dmaDirect.dma_direct_alloc_pages === null) return null;
        const dev = op.dev % wc.devices.length;
        const r = world_dma_alloc_pages(w, dev, op.size, op.atomic);
        if (!describe) return EXECUTED;
        return {
          context: cpuContext(op.cpu, op.atomic),
          call: `dma_alloc_pages(${devName(dev)}, ${sz(op.size)}, ${gfpText(w, r.gfp)})`,
          result: r.buffer
            ? `#${r.buffer.id} ${bufferText(w, r.buffer)}${r.buffer.page?.kind === 'cpu_addr' ? ', page is the cpu address' : ''}`
            : 'NULL',
          notes: notes(w),
        };
      }
      case 'dma_free_pages': {
        const b = pick(
          w.buffers.filter((x) => x.api === 'pages'),
          op.pick,
        );
        if (!b) return null;
        world_dma_free_pages(w, b);
        if (!describe) return EXECUTED;
        return {
          context: 'cpu0 task',
          call: `dma_free_pages(${devName(b.dev)}, ${sz(b.requested)}, #${b.id})`,
          result: 'done',
          notes: notes(w),
        };
      }
      case 'atomic_pool_work_fn': {
        const s = world_pool_worker(w);
        if (!s) return null;
        if (!describe) return EXECUTED;
        const what =
          s.step === 'check'
            ? `check ${s.pool}`
            : s.step === 'expand'
              ? `expand ${s.pool}`
              : 'idle';
        const calls = s.calls
          .map((c) => `${c.fn}${c.order !== undefined ? ` order ${c.order}` : ''}`)
          .join(', ');
        return {
          context: 'kworker',
          call: `atomic_pool_work_fn: ${what}`,
          result:
            s.step === 'check'
              ? s.below
                ? 'below atomic_pool_size: expand'
                : 'at or above atomic_pool_size'
              : `${calls || 'no call'}${s.ret !== undefined ? ` -> ${s.ret}` : ''}${s.done ? ', done' : ''}`,
          notes: notes(w),
        };
      }
      case 'kswapd': {
        const r = world_kswapd(w, 32);
        if (!r) return null;
        if (!describe) return EXECUTED;
        if ('reserve' in r) {
          const x = r.reserve;
          return {
            context: 'kswapd0',
            call: `reserve_pool_kswapd_step: ${x.what}${x.pool ? ` ${x.pool} order ${x.order}` : ''}`,
            result: `${x.phys !== null ? `pfn ${hex(x.phys / 4096)}` : 'no block'}${x.ok === false ? ', failed' : ''}${x.done ? ', pass done' : ''}`,
            notes: notes(w),
          };
        }
        const k = r.kswapd;
        return {
          context: 'kswapd0',
          call: `kswapd: ${k.what}`,
          result: `order ${k.order}, highest zone ${ZONE_NAMES[k.highest_zoneidx] ?? k.highest_zoneidx}, failures ${k.kswapd_failures}${k.round ? `, reclaimed ${k.round.reclaimed}` : ''}`,
          notes: notes(w),
        };
      }
      case 'alloc_pages': {
        const got = world_alloc_pages(w, op.atomic, op.zone, op.order, op.count);
        if (!describe) return EXECUTED;
        return {
          context: cpuContext(0, op.atomic),
          call: `alloc_pages(${op.zone}, order ${op.order}) x${op.count}`,
          result: `${got} of ${op.count} blocks`,
          notes: notes(w),
        };
      }
      case '__free_pages': {
        if (w.kernelPages.length === 0) return null;
        const n = world_free_pages(w, op.pick, op.count);
        if (!describe) return EXECUTED;
        return {
          context: 'cpu0 task',
          call: `__free_pages x${op.count}`,
          result: `${n} blocks freed`,
          notes: notes(w),
        };
      }
      case 'page_cache': {
        const pfn = world_page_cache(w, op.order, op.dirty);
        if (!describe) return EXECUTED;
        return {
          context: 'cpu0 task',
          call: `filemap_add_folio(order ${op.order}${op.dirty ? ', dirty' : ''})`,
          result: pfn === null ? 'no memory' : `pfn ${hex(pfn)}`,
          notes: notes(w),
        };
      }
      case 'fault': {
        if (op.at !== 'alloc_pages' && w.config.platform.cc === 'none' && op.at !== 'gen_pool_add')
          return null;
        world_arm_fault(w, { at: op.at, order: op.at === 'alloc_pages' ? op.order : -1 });
        if (!describe) return EXECUTED;
        const what =
          op.at === 'alloc_pages'
            ? `next alloc_pages${op.order >= 0 ? ` of order ${op.order}` : ''} fails`
            : op.at === 'gen_pool_add'
              ? 'next gen_pool_add_virt fails'
              : `host refuses the next ${op.at} (-EIO)`;
        return { context: 'host', call: 'inject', result: what };
      }
    }
  }

  return {
    name: 'dma',
    setup: `${config.machine}, ${config.cc}; ${config.devices.map((d) => `${d.name} ${d.mask_bits}-bit`).join(', ')}${config.coherent_pool ? `; coherent_pool=${config.coherent_pool}` : ''}${config.cma ? `; cma=${config.cma.size_mib}M@${config.cma.base_mib}M` : ''}${config.reserve ? `; reserved ${config.reserve.map((r) => `${r.start_mib}-${r.end_mib}M`).join(' ')}` : ''}`,
    opKinds: DMA_OP_KINDS,
    ops: dmaOpArbitrary,
    init() {
      const pa = last
        ? renewPageAlloc(last.pa)
        : createPageAlloc(wc.machine, policy.pageAlloc, variant.page_alloc);
      last = createWorld(wc, policy, pa, variant);
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
