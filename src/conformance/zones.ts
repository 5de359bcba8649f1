/**
 * Zone conformance: replays a file of zone data read off the kernel
 * (`data/ground-truth/zones/`) through the boot arithmetic of
 * `models/page_alloc/watermark_setup.ts` and compares every figure.
 *
 * Two kinds of file, told apart by their keys: a *boot table* (`runs`) and a
 * *sysctl sweep* (`settings`). For each boot-table run it checks the default
 * min_free_kbytes (from the boot-time managed counts), the watermarks of
 * `zones_boot`, and every min/low/high and `protection` figure of
 * `zones_after_rewrite` and of `zones_boot`'s protection. For a sweep it
 * replays the writes in the kernel's order (lowmem_reserve_ratio,
 * watermark_scale_factor, min_free_kbytes, then the read of
 * lowmem_reserve_ratio) and compares every zone listed after each setting.
 *
 * This file reads and compares; it never prints. Malformed input throws a
 * ConformanceInputError with a one-line message naming the file and field.
 */
import { type PageAllocRules, pageAllocRules } from '../../models/page_alloc/rules.ts';
import {
  init_per_zone_wmark_min_and_thp,
  lowmem_reserve_ratio_sysctl_handler,
  min_free_kbytes_sysctl_handler,
  type WatermarkSetupFns,
  watermark_scale_factor_sysctl_handler,
  watermarkSetupFns,
} from '../../models/page_alloc/watermark_setup.ts';
import {
  defaultSysctls,
  MAX_NR_ZONES,
  type VmSysctls,
  WMARK_HIGH,
  WMARK_LOW,
  WMARK_MIN,
  ZONE_DMA32,
  ZONE_NAMES,
  type ZoneCounts,
  zoneCounts,
} from '../../models/page_alloc/zone.ts';
import { ConformanceInputError, type ConformanceResult, type Divergence } from './errors.ts';

/**
 * Pages freed after the initcalls that set the default watermarks (init
 * sections, image gaps, the initramfs), all in DMA32: the boot-time managed
 * count is the final one minus this, in every ground-truth boot
 * (page-alloc.md §2, measured on Debian 6.1.192 under QEMU `pc`).
 */
export const PAGES_FREED_AFTER_BOOT = 2279;

/** One zone as the data records it. */
interface ZoneRecord {
  readonly zone: string;
  readonly managed: number;
  readonly present: number;
  readonly min: number;
  readonly low: number;
  readonly high: number;
  readonly protection: readonly number[];
}

type Json = unknown;

function fail(file: string, where: string, problem: string): never {
  throw new ConformanceInputError(`zones: ${file}: ${where} ${problem}`);
}

function obj(file: string, where: string, v: Json): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(file, where, 'is not an object');
  return v as Record<string, Json>;
}

function int(file: string, where: string, v: Json): number {
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) v = Number(v.trim());
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(file, where, 'is not an integer');
  return v;
}

function arr(file: string, where: string, v: Json): Json[] {
  if (!Array.isArray(v)) fail(file, where, 'is not an array');
  return v;
}

/** An int list, as a JSON array or as the kernel's tab-separated sysctl text. */
function ints(file: string, where: string, v: Json): number[] {
  if (typeof v === 'string') {
    const parts = v.trim().split(/\s+/);
    return parts.map((p, i) => int(file, `${where}[${i}]`, p));
  }
  return arr(file, where, v).map((x, i) => int(file, `${where}[${i}]`, x));
}

function zoneIndex(file: string, where: string, name: Json): number {
  const i = typeof name === 'string' ? ZONE_NAMES.indexOf(name) : -1;
  if (i < 0) fail(file, where, `names no zone (${JSON.stringify(name)})`);
  return i;
}

function readZone(file: string, where: string, v: Json, needPresent: boolean): ZoneRecord {
  const o = obj(file, where, v);
  const protection = ints(file, `${where}.protection`, o.protection);
  if (protection.length !== MAX_NR_ZONES)
    fail(file, `${where}.protection`, `has ${protection.length} entries, not ${MAX_NR_ZONES}`);
  const managed = int(file, `${where}.managed`, o.managed);
  return {
    zone: ZONE_NAMES[zoneIndex(file, `${where}.zone`, o.zone)] as string,
    managed,
    present:
      needPresent || o.present !== undefined ? int(file, `${where}.present`, o.present) : managed,
    min: int(file, `${where}.min`, o.min),
    low: int(file, `${where}.low`, o.low),
    high: int(file, `${where}.high`, o.high),
    protection,
  };
}

/** Five zones from the records; zones the data omits are empty. */
function zonesFrom(records: readonly ZoneRecord[], managedDelta = 0): ZoneCounts[] {
  const zones: ZoneCounts[] = [];
  for (let i = 0; i < MAX_NR_ZONES; i++) {
    const r = records.find((z) => z.zone === ZONE_NAMES[i]);
    const delta = i === ZONE_DMA32 && r && r.managed >= managedDelta ? managedDelta : 0;
    zones.push(zoneCounts(i, r?.present ?? 0, (r?.managed ?? 0) - delta));
  }
  return zones;
}

/** Compares figures, counting each zone record as one check. */
class Tally {
  matched = 0;
  total = 0;
  first: Divergence | undefined;

  check(where: string, fields: readonly [string, string, string][]): void {
    this.total += 1;
    const differ = fields.filter(([, k, m]) => k !== m);
    if (differ.length === 0) {
      this.matched += 1;
      return;
    }
    this.first ??= {
      where,
      kernel: differ.map(([n, k]) => `${n} ${k}`).join(' '),
      model: differ.map(([n, , m]) => `${n} ${m}`).join(' '),
    };
  }

  zone(where: string, kernel: ZoneRecord, model: ZoneCounts, withWmarks = true, withProt = true) {
    const f: [string, string, string][] = [];
    if (withWmarks) {
      f.push(['min', String(kernel.min), String(model._watermark[WMARK_MIN])]);
      f.push(['low', String(kernel.low), String(model._watermark[WMARK_LOW])]);
      f.push(['high', String(kernel.high), String(model._watermark[WMARK_HIGH])]);
    }
    if (withProt)
      f.push(['protection', kernel.protection.join(' '), model.lowmem_reserve.join(' ')]);
    this.check(where, f);
  }

  result(): ConformanceResult {
    return this.first
      ? { matched: this.matched, total: this.total, firstDivergence: this.first }
      : { matched: this.matched, total: this.total };
  }
}

function sysctlsFrom(file: string, where: string, vm: Record<string, Json>): VmSysctls {
  const s = defaultSysctls();
  s.watermark_scale_factor = int(
    file,
    `${where}.watermark_scale_factor`,
    vm.watermark_scale_factor,
  );
  if (vm.watermark_boost_factor !== undefined)
    s.watermark_boost_factor = int(
      file,
      `${where}.watermark_boost_factor`,
      vm.watermark_boost_factor,
    );
  const ratio = ints(file, `${where}.lowmem_reserve_ratio`, vm.lowmem_reserve_ratio);
  if (ratio.length !== MAX_NR_ZONES)
    fail(file, `${where}.lowmem_reserve_ratio`, `has ${ratio.length} entries`);
  ratio.forEach((r, i) => {
    s.lowmem_reserve_ratio[i] = r;
  });
  return s;
}

function replayBootTable(
  file: string,
  data: Record<string, Json>,
  rules: PageAllocRules,
  fns: WatermarkSetupFns,
): ConformanceResult {
  const t = new Tally();
  arr(file, 'runs', data.runs).forEach((runJson, ri) => {
    const run = obj(file, `runs[${ri}]`, runJson);
    const name = typeof run.run === 'string' ? run.run : `runs[${ri}]`;
    const vm = obj(file, `${name}.vm`, run.vm);
    const kernelMfk = int(file, `${name}.vm.min_free_kbytes`, vm.min_free_kbytes);
    const after = arr(file, `${name}.zones_after_rewrite`, run.zones_after_rewrite).map((z, i) =>
      readZone(file, `${name}.zones_after_rewrite[${i}]`, z, true),
    );
    const boot =
      run.zones_boot === undefined
        ? undefined
        : arr(file, `${name}.zones_boot`, run.zones_boot).map((z, i) =>
            readZone(file, `${name}.zones_boot[${i}]`, z, true),
          );

    // boot: the default min_free_kbytes and watermarks from boot-time managed counts
    const sys = sysctlsFrom(file, `${name}.vm`, vm);
    const bootZones = zonesFrom(after, PAGES_FREED_AFTER_BOOT);
    const booted = init_per_zone_wmark_min_and_thp(bootZones, sys, rules, fns);
    t.check(`${name} min_free_kbytes`, [
      ['min_free_kbytes', String(kernelMfk), String(booted.min_free_kbytes)],
    ]);
    // reading lowmem_reserve_ratio recomputed the reserves from final managed counts
    const finalZones = zonesFrom(after);
    const protZones = finalZones.map((z) => ({ ...z, lowmem_reserve: [...z.lowmem_reserve] }));
    lowmem_reserve_ratio_sysctl_handler(protZones, sys, rules, undefined, fns);
    if (boot)
      boot.forEach((k) => {
        const i = ZONE_NAMES.indexOf(k.zone);
        const wm = bootZones[i] as ZoneCounts;
        const model = { ...wm, lowmem_reserve: (protZones[i] as ZoneCounts).lowmem_reserve };
        t.zone(`${name} zones_boot ${k.zone}`, k, model);
      });

    // after the rewrite: min_free_kbytes and lowmem_reserve_ratio written back
    const sys2 = sysctlsFrom(file, `${name}.vm`, vm);
    min_free_kbytes_sysctl_handler(finalZones, sys2, rules, kernelMfk, fns);
    lowmem_reserve_ratio_sysctl_handler(
      finalZones,
      sys2,
      rules,
      [...sys2.lowmem_reserve_ratio],
      fns,
    );
    after.forEach((k) => {
      const i = ZONE_NAMES.indexOf(k.zone);
      t.zone(`${name} zones_after_rewrite ${k.zone}`, k, finalZones[i] as ZoneCounts);
    });
  });
  return t.result();
}

function replaySweep(
  file: string,
  data: Record<string, Json>,
  rules: PageAllocRules,
  fns: WatermarkSetupFns,
): ConformanceResult {
  const t = new Tally();
  const settings = arr(file, 'settings', data.settings);
  let zones: ZoneCounts[] | undefined;
  const sys = defaultSysctls();
  settings.forEach((sJson, si) => {
    const where = `settings[${si}]`;
    const s = obj(file, where, sJson);
    const recs = arr(file, `${where}.zones`, s.zones).map((z, i) =>
      readZone(file, `${where}.zones[${i}]`, z, false),
    );
    const ratio = ints(file, `${where}.lowmem_reserve_ratio`, s.lowmem_reserve_ratio);
    const wsf = int(file, `${where}.watermark_scale_factor`, s.watermark_scale_factor);
    const mfk = int(file, `${where}.min_free_kbytes`, s.min_free_kbytes);
    // managed counts are fixed for a sweep; take them from the first setting
    zones ??= zonesFrom(recs);
    for (const r of recs) {
      const z = zones[ZONE_NAMES.indexOf(r.zone)] as ZoneCounts;
      if (z.managed_pages !== r.managed)
        fail(
          file,
          `${where} zone ${r.zone}`,
          `managed ${r.managed} differs from ${z.managed_pages}`,
        );
    }
    lowmem_reserve_ratio_sysctl_handler(zones, sys, rules, ratio, fns);
    watermark_scale_factor_sysctl_handler(zones, sys, rules, wsf, fns);
    min_free_kbytes_sysctl_handler(zones, sys, rules, mfk, fns);
    lowmem_reserve_ratio_sysctl_handler(zones, sys, rules, undefined, fns);
    for (const r of recs) {
      const z = zones[ZONE_NAMES.indexOf(r.zone)] as ZoneCounts;
      t.zone(`${file} ${where} ${r.zone}`, r, z);
    }
  });
  return t.result();
}

/**
 * Replays one parsed zones file (a boot table or a sysctl sweep) under
 * `rules` (default 6.1, the ground-truth kernel) and compares every figure.
 * `fns` replaces the recomputations (test mutants). Throws
 * ConformanceInputError on malformed input.
 */
export function replayZonesFile(
  file: string,
  data: unknown,
  rules: PageAllocRules = pageAllocRules['6.1'],
  fns: WatermarkSetupFns = watermarkSetupFns,
): ConformanceResult {
  const o = obj(file, 'top level', data);
  if (o.runs !== undefined) return replayBootTable(file, o, rules, fns);
  if (o.settings !== undefined) return replaySweep(file, o, rules, fns);
  return fail(file, 'top level', 'has neither runs (boot table) nor settings (sysctl sweep)');
}

/** Parses JSON text, then replayZonesFile(); a JSON syntax error is a ConformanceInputError. */
export function replayZonesText(
  file: string,
  text: string,
  rules: PageAllocRules = pageAllocRules['6.1'],
): ConformanceResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConformanceInputError(`zones: ${file}: not JSON (${(e as Error).message})`);
  }
  return replayZonesFile(file, data, rules);
}
