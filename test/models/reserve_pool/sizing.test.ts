/**
 * Sizing of the reserve pools (models/reserve_pool/rules.ts: reserve_index,
 * target_cap_divisor, min_target_pages, max_order, order_targets) from the
 * lowmem_reserve figures read off a real kernel: every boot and every sysctl
 * setting of every file in data/ground-truth/zones/ (found by readdirSync).
 * The page-allocator model computes lowmem_reserve from the managed counts
 * and ratios; the expected pool targets come from the kernel's own
 * `protection` column, so the chain is checked against kernel data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import { setup_per_zone_lowmem_reserve } from '../../../models/page_alloc/watermark_setup.ts';
import {
  defaultSysctls,
  MAX_NR_ZONES,
  ZONE_NAMES,
  type ZoneCounts,
  zoneCounts,
} from '../../../models/page_alloc/zone.ts';
import {
  createReservePoolState,
  RESERVE_POOL_ZONEIDX,
  RESERVE_POOL_ZONES,
  type ReservePoolEnv,
  reserve_pool_init,
  reserve_pool_order_targets,
  reserve_pool_target_pages,
  reservePoolOf,
} from '../../../models/reserve_pool/reserve_pool.ts';
import { type ReservePoolRules, reservePoolRules2019 } from '../../../models/reserve_pool/rules.ts';

const R = reservePoolRules2019;
const dir = join(import.meta.dirname, '../../../data/ground-truth/zones');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

interface ZoneRecord {
  readonly zone: string;
  readonly managed: number;
  readonly protection: readonly number[];
}

/** One kernel observation: the ratios in force and the zones it printed. */
interface Observation {
  readonly name: string;
  readonly ratio: readonly number[];
  readonly zones: readonly ZoneRecord[];
}

function ratioOf(v: string | readonly number[]): number[] {
  return typeof v === 'string' ? v.trim().split(/\s+/).map(Number) : [...v];
}

/** Every observation of every zones file: boot tables (after rewrite) and sweep settings. */
function observations(): Observation[] {
  const out: Observation[] = [];
  for (const f of files) {
    const data = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    for (const r of data.runs ?? [])
      out.push({
        name: `${f} ${r.run}`,
        ratio: ratioOf(r.vm.lowmem_reserve_ratio),
        zones: r.zones_after_rewrite,
      });
    (data.settings ?? []).forEach(
      (st: { lowmem_reserve_ratio: number[]; zones: ZoneRecord[] }, i: number) => {
        out.push({ name: `${f} setting ${i}`, ratio: st.lowmem_reserve_ratio, zones: st.zones });
      },
    );
  }
  return out;
}

/** The page-allocator model's zones for an observation: managed counts, lowmem_reserve computed. */
function modelZones(o: Observation): ZoneCounts[] {
  const zones: ZoneCounts[] = [];
  for (let i = 0; i < MAX_NR_ZONES; i++) {
    const rec = o.zones.find((z) => z.zone === ZONE_NAMES[i]);
    zones.push(zoneCounts(i, rec?.managed ?? 0, rec?.managed ?? 0));
  }
  const sysctl = { ...defaultSysctls(), lowmem_reserve_ratio: [...o.ratio] };
  setup_per_zone_lowmem_reserve(zones, sysctl, pageAllocRules['6.18']);
  return zones;
}

/** Expected total target from the kernel's protection figure: min(max(reserve, floor), managed / cap). */
function expectedTarget(rules: ReservePoolRules, rec: ZoneRecord | undefined): number {
  if (rec === undefined || rec.managed === 0) return 0;
  const reserve = rec.protection[2] as number; // the ZONE_NORMAL column
  const t = Math.max(reserve, rules.min_target_pages);
  const cap = (rec.managed - (rec.managed % rules.target_cap_divisor)) / rules.target_cap_divisor;
  return Math.min(t, cap);
}

const noEnv: ReservePoolEnv = {
  mem_encrypt_active: false,
  alloc_pages: () => null,
  __free_pages: () => {},
  set_memory_decrypted: () => 0,
  set_memory_encrypted: () => 0,
  wake_up_kswapd: () => {},
};

describe('reserve pool sizing from lowmem_reserve (kernel data)', () => {
  const obs = observations();

  it('finds boots and sweeps in the data folder', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(obs.length).toBeGreaterThan(100);
  });

  it('the model reads the same lowmem_reserve_Z[Normal] the kernel printed', () => {
    for (const o of obs) {
      const zones = modelZones(o);
      for (const rec of o.zones) {
        const idx = ZONE_NAMES.indexOf(rec.zone);
        expect(zones[idx]?.lowmem_reserve[2], `${o.name} ${rec.zone}`).toBe(rec.protection[2]);
      }
    }
  });

  for (const rules of [
    R,
    { ...R, target_cap_divisor: 1 },
    { ...R, min_target_pages: 32 },
    { ...R, reserve_index: 2, target_cap_divisor: 4, min_target_pages: 1000 },
  ])
    it(`targets equal min(max(protection[Normal], ${rules.min_target_pages}), managed/${rules.target_cap_divisor}) for every observation`, () => {
      let nonzero = 0;
      let capped = 0;
      for (const o of obs) {
        const zones = modelZones(o);
        const s = createReservePoolState({ ...rules, fill_at_init: false });
        reserve_pool_init(s, noEnv, zones);
        for (const zone of RESERVE_POOL_ZONES) {
          const rec = o.zones.find((z) => z.zone === zone);
          const want = expectedTarget(rules, rec);
          const p = reservePoolOf(s, zone);
          if (rec === undefined || rec.managed === 0) expect(p).toBeNull();
          else expect(p?.target_pages, `${o.name} ${zone}`).toBe(want);
          expect(reserve_pool_target_pages(rules, zones, RESERVE_POOL_ZONEIDX[zone])).toBe(want);
          if (want > 0) nonzero += 1;
          if (rec && want < (rec.protection[2] as number)) capped += 1;
        }
      }
      // the data exercises both a live reserve and the cap
      expect(nonzero).toBeGreaterThan(0);
      if (rules.target_cap_divisor === 2) expect(capped).toBeGreaterThan(0);
    });

  it('a zone without a reserve above it gets target 0 and no guaranteed order (128M DMA32)', () => {
    const o = obs.find((x) => x.zones.some((z) => z.zone === 'DMA32' && z.protection[2] === 0));
    expect(o).toBeDefined();
    const s = createReservePoolState({ ...R, fill_at_init: false });
    reserve_pool_init(s, noEnv, modelZones(o as Observation));
    expect(s.pool_dma32?.target_pages).toBe(0);
    expect(s.pool_dma32?.guaranteed_order).toBe(-1);
    expect(s.pool_dma32?.target.every((t) => t === 0)).toBe(true);
  });

  it('a ratio of 0 clears the zone reserve, hence its pool (sweep settings with ratio[DMA] = 0)', () => {
    const zeroes = obs.filter((x) => x.ratio[0] === 0);
    expect(zeroes.length).toBeGreaterThan(0);
    for (const o of zeroes) {
      const s = createReservePoolState({ ...R, fill_at_init: false });
      reserve_pool_init(s, noEnv, modelZones(o));
      expect(s.pool_dma?.target_pages).toBe(0);
    }
  });
});

/** Independent form of the equal-pages rule: the largest k with (k + 1) * 2^k <= T. */
function equalPagesOrder(T: number, K: number): number {
  for (let k = K; k >= 0; k--) if ((k + 1) * 2 ** k <= T) return k;
  return -1;
}

describe('per-order targets', () => {
  const Ts = [0, 1, 2, 3, 4, 5, 7, 8, 11, 12, 31, 32, 33, 65, 190, 442, 945, 952, 1920, 13030];

  it('equal-pages: order 0..K_Z each get floor(share / 2^o) blocks, order 0 the rest; pages add up to T', () => {
    for (const K of [0, 1, 3, 5]) {
      const rules = { ...R, max_order: K };
      for (const T of Ts) {
        const { guaranteed_order: k, target } = reserve_pool_order_targets(rules, T);
        expect(k, `T ${T} K ${K}`).toBe(equalPagesOrder(T, K));
        expect(target).toHaveLength(K + 1);
        const pages = target.reduce((a, t, o) => a + t * 2 ** o, 0);
        expect(pages).toBe(k < 0 ? 0 : T);
        for (let o = 0; o <= K; o++) {
          if (o > k) expect(target[o]).toBe(0);
          else expect(target[o]).toBeGreaterThanOrEqual(1);
        }
        // every order above 0 holds its share of pages, rounded down to whole blocks
        const share = k < 0 ? 0 : Math.floor(T / (k + 1));
        for (let o = 1; o <= k; o++) {
          const t = target[o] as number;
          expect(t * 2 ** o).toBeLessThanOrEqual(share);
          expect((t + 1) * 2 ** o).toBeGreaterThan(share);
        }
      }
    }
  });

  it('equal-pages on the 128M DMA reserve of 65 pages: K 3, share 16 -> 16/8/4/2 blocks, +1 at order 0', () => {
    expect(reserve_pool_order_targets(R, 65)).toEqual({
      guaranteed_order: 3,
      target: [17, 8, 4, 2],
    });
  });

  it('one-each-then-order0: one block at each order 1..K_Z, the rest at order 0', () => {
    const rules: ReservePoolRules = { ...R, order_targets: 'one-each-then-order0' };
    for (const T of Ts) {
      const { guaranteed_order: k, target } = reserve_pool_order_targets(rules, T);
      let want = -1;
      // 1 + 2 + ... + 2^k pages for one block of each order
      for (let j = 0; j <= R.max_order; j++) if (2 ** (j + 1) - 1 <= T) want = j;
      expect(k).toBe(want);
      const pages = target.reduce((a, t, o) => a + t * 2 ** o, 0);
      expect(pages).toBe(k < 0 ? 0 : T);
      for (let o = 1; o <= R.max_order; o++) expect(target[o]).toBe(o <= k ? 1 : 0);
    }
  });
});
