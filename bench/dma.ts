/**
 * DMA world speed: fully checked steps per second (every DMA property on)
 * in the SEV guest configuration (4 GiB, four devices), fast-check
 * generating the runs as `poolcheck check` does, after a warm-up pass.
 *
 * Run: npx tsx bench/dma.ts. One line per figure: `<name> <value>`.
 * Floor (issue 4): 100,000 fully checked steps/s.
 */
import { builtinPolicy } from '../models/policies/index.ts';
import { dmaProperties } from '../properties/dma/index.ts';
import { checkProperties } from '../src/harness/check.ts';
import { makeDmaSystem } from '../src/systems/dma/system.ts';

const config = {
  machine: '4G',
  cc: 'sev-guest' as const,
  devices: [
    { name: 'nvme0', mask_bits: 64 },
    { name: 'e1000', mask_bits: 32 },
    { name: 'b43', mask_bits: 30 },
    { name: 'floppy', mask_bits: 24 },
  ],
};

function checkedStepsPerSecond(policyId: string, runs: number): number {
  const policy = builtinPolicy(policyId);
  if (!policy) throw new Error(`no policy ${policyId}`);
  const system = makeDmaSystem(config, policy);
  // mainline keeps every property, so no search stops early: all runs are full
  checkProperties(system, dmaProperties, { seed: 1, runs: 500, maxSteps: 40 });
  const t0 = performance.now();
  const r = checkProperties(system, dmaProperties, { seed: 2, runs, maxSteps: 40 });
  const seconds = (performance.now() - t0) / 1000;
  const steps = r.results[0]?.steps ?? 0;
  return steps / seconds;
}

console.log(
  `dma.checked_steps_per_s.sev_4g ${Math.round(checkedStepsPerSecond('mainline', 2000))}`,
);
