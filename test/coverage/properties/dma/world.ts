/**
 * Worlds for the branch tests of properties/dma: the fixtures' 256M SEV
 * guest, or any scenario (machine, encryption, devices, coherent_pool=,
 * CMA, reservations), any policy and world variant, or a test mutant's.
 */
import type { CcKind } from '../../../../models/dma/device.ts';
import { builtinPolicy } from '../../../../models/policies/index.ts';
import type { Policy } from '../../../../models/policy.ts';
import type { World, WorldEvent, WorldVariant } from '../../../../models/world/world.ts';
import type { System } from '../../../../src/harness/system.ts';
import type { DmaAllocPagesOp, DmaOp } from '../../../../src/systems/dma/ops.ts';
import { type DmaScenarioConfig, makeDmaSystem } from '../../../../src/systems/dma/system.ts';
import { dmaMutant } from '../../../mutants/dma/index.ts';

export { coherent, ctx } from '../../fixtures/dma.ts';

export interface Setup {
  readonly config?: Partial<DmaScenarioConfig>;
  /** A builtin policy name (default `6.1`) or a policy. */
  readonly policy?: string | Policy;
  readonly variant?: WorldVariant;
}

export const sevGuest: DmaScenarioConfig = {
  machine: '256M',
  cc: 'sev-guest',
  devices: [{ name: 'nvme0', mask_bits: 64 }],
};

function policyOf(p: Setup['policy']): Policy {
  if (typeof p === 'object') return p;
  const found = builtinPolicy(p ?? '6.1');
  if (!found) throw new Error(`no policy ${p}`);
  return found;
}

/** The DMA system of `setup`, for the harness (runOps, checkProperties). */
export function systemOf(setup: Setup = {}): System<World, DmaOp> {
  return makeDmaSystem({ ...sevGuest, ...setup.config }, policyOf(setup.policy), setup.variant);
}

/** The world after `ops` under `setup` (ops that are not enabled are skipped, as in a run). */
export function run(ops: readonly DmaOp[], setup: Setup = {}): World {
  const system = systemOf(setup);
  const w = system.init();
  for (const op of ops) system.step(w, op);
  return w;
}

/** The setup of a test mutant of test/mutants/dma (its scenario unless `config`). */
export function mutantSetup(id: string, config?: Partial<DmaScenarioConfig>): Setup {
  const m = dmaMutant(id);
  return {
    config: { ...(m.config ?? sevGuest), ...config },
    policy: m.policy,
    ...(m.variant ? { variant: m.variant } : {}),
  };
}

/** The world after `ops` with a test mutant of test/mutants/dma (its scenario unless `config`). */
export function runMutant(
  id: string,
  ops: readonly DmaOp[],
  config?: Partial<DmaScenarioConfig>,
): World {
  return run(ops, mutantSetup(id, config));
}

/** A device of `bits` address bits, for scenario configs. */
export const dev = (name: string, mask_bits: number, bus_bits?: number) =>
  bus_bits === undefined ? { name, mask_bits } : { name, mask_bits, bus_bits };

export const cc = (c: CcKind): Partial<DmaScenarioConfig> => ({ cc: c });

/** dma_alloc_pages() of `size` bytes for device `dev`. */
export function pagesOp(size: number, atomic: boolean, d = 0): DmaAllocPagesOp {
  return { op: 'dma_alloc_pages', cpu: 0, atomic, dev: d, size };
}

export const work = (steps = 64): DmaOp => ({ op: 'atomic_pool_work_fn', steps });
export const freeCoherent: DmaOp = { op: 'dma_free_coherent', pick: 0 };
export const freePages: DmaOp = { op: 'dma_free_pages', pick: 0 };

type FreeEvent = Extract<WorldEvent, { kind: 'free' }>;

/** A `free` event: `npages` pages at `pfn` given back by `by`, all private, to the buddy allocator (unless `more`). */
export function freeEvent(
  pfn: number,
  npages: number,
  by: FreeEvent['by'] = 'direct',
  more: Partial<Omit<FreeEvent, 'kind'>> = {},
): WorldEvent {
  return {
    kind: 'free',
    by,
    pfn,
    npages,
    notEncrypted: 0,
    firstNotEncrypted: -1,
    into: 'buddy',
    cma: false,
    ...more,
  };
}
