/**
 * gen_pool speed: model operations per second (an alloc/free mix on a 64 KiB
 * pool of 4 KiB granules, and on a half-full 64 MiB pool) and fully checked
 * steps per second (fast-check generating runs, every genpool property on).
 *
 * Run: npx tsx bench/genpool.ts. One line per figure: `<name> <value>`.
 * Floors (issue 2): 1,000,000 ops/s on the 64 KiB pool, 200,000 checked steps/s.
 */
import fc from 'fast-check';
import {
  type GenPool,
  gen_pool_add,
  gen_pool_alloc,
  gen_pool_create,
  gen_pool_free,
} from '../models/genpool/index.ts';
import { genpoolProperties } from '../properties/genpool/index.ts';
import { checkProperties } from '../src/harness/check.ts';
import { GENPOOL_CONFIGS, makeGenpoolSystem } from '../src/systems/genpool/system.ts';

/** A small deterministic PRNG (xorshift32): the bench needs no fast-check in its loop. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/**
 * Alloc/free mix: keep the pool near `fill` of its size; sizes 1..maxGranules
 * granules, some not whole granules; frees pick a random live block.
 * Returns operations per second.
 */
function opsPerSecond(
  pool: GenPool,
  size: number,
  fill: number,
  maxGranules: number,
  ops: number,
): number {
  const g = 2 ** pool.min_alloc_order;
  const rand = rng(42);
  const addrs: number[] = [];
  const sizes: number[] = [];
  let held = 0;
  const step = () => {
    if (addrs.length > 0 && (held > fill * size || rand() < 0.45)) {
      const i = Math.floor(rand() * addrs.length);
      const a = addrs[i] as number;
      const s = sizes[i] as number;
      addrs[i] = addrs[addrs.length - 1] as number;
      sizes[i] = sizes[sizes.length - 1] as number;
      addrs.pop();
      sizes.pop();
      if (gen_pool_free(pool, a, s) !== null) throw new Error('bench: free hit a BUG');
      held -= Math.ceil(s / g) * g;
    } else {
      const s = Math.max(1, Math.ceil(rand() * maxGranules) * g - (rand() < 0.3 ? 7 : 0));
      const a = gen_pool_alloc(pool, s);
      if (a !== 0) {
        addrs.push(a);
        sizes.push(s);
        held += Math.ceil(s / g) * g;
      }
    }
  };
  // warm up, and bring the pool to its fill level
  for (let i = 0; i < Math.min(ops / 4, 200_000); i++) step();
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) step();
  return ops / ((performance.now() - t0) / 1000);
}

function pool(order: number, size: number): GenPool {
  const p = gen_pool_create(order);
  gen_pool_add(p, 0x100003000, size);
  return p;
}

function checkedStepsPerSecond(): number {
  fc.configureGlobal({ ...fc.readConfigureGlobal(), baseSize: 'large' });
  const sys = makeGenpoolSystem(GENPOOL_CONFIGS.pages);
  const opts = { seed: 42, runs: 2000, maxSteps: 100 };
  checkProperties(sys, genpoolProperties, { ...opts, runs: 200 }); // warm up
  const t0 = performance.now();
  const r = checkProperties(sys, genpoolProperties, opts);
  const secs = (performance.now() - t0) / 1000;
  if (r.results.some((x) => x.status !== 'held')) throw new Error('bench: a property failed');
  return (r.results[0]?.steps ?? 0) / secs;
}

const fmt = (n: number) => String(Math.round(n));
console.log(
  `genpool.ops_per_s.64k ${fmt(opsPerSecond(pool(12, 64 * 1024), 64 * 1024, 0.5, 4, 3_000_000))}`,
);
console.log(
  `genpool.ops_per_s.64m_half ${fmt(opsPerSecond(pool(12, 64 * 2 ** 20), 64 * 2 ** 20, 0.5, 16, 1_000_000))}`,
);
console.log(`genpool.checked_steps_per_s ${fmt(checkedStepsPerSecond())}`);
