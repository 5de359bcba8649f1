/**
 * `poolcheck compare`: today's atomic pools (mainline) against the 2019
 * reserve pool, on the same workloads, per workload family. Prints a table
 * and writes an SVG plot to --out.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from '../../models/policy.ts';
import { compareDesigns } from '../compare/compare.ts';
import { kinds } from '../registry/kinds.ts';
import { resolvePolicy } from '../registry/policies.ts';
import { defaultScenario, resolveScenario } from '../registry/scenarios.ts';
import { renderCompareSvg, renderCompareText } from '../report/compare.ts';
import { wrap } from '../report/text.ts';
import type { DmaScenarioConfig } from '../systems/dma/system.ts';
import { workloads } from '../systems/dma/workloads.ts';
import { type CommandResult, shortPath, writeAtomic } from './check.ts';
import { EXIT, UsageError } from './errors.ts';

export interface CompareFlags {
  readonly policies?: readonly string[];
  readonly scenario?: string;
  readonly workload?: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly out: string;
}

export async function runCompare(flags: CompareFlags): Promise<CommandResult> {
  const specs =
    flags.policies && flags.policies.length > 0
      ? flags.policies
      : ['mainline', 'reserve-pool-2019'];
  const policies: Policy[] = [];
  for (const s of specs) policies.push(await resolvePolicy(s));
  const scenario = flags.scenario ? resolveScenario(flags.scenario, kinds) : defaultScenario(kinds);
  if (scenario?.system !== 'dma')
    throw new UsageError('compare needs a DMA scenario (system "dma")');
  const chosen = flags.workload
    ? workloads.filter((w) => flags.workload?.includes(w.id))
    : workloads;
  if (flags.workload && chosen.length !== flags.workload.length)
    throw new UsageError(`unknown workload (one of: ${workloads.map((w) => w.id).join(', ')})`);
  const rows = compareDesigns(scenario.config as DmaScenarioConfig, policies, chosen, {
    seed: flags.seed,
    runs: flags.runs,
    maxSteps: flags.maxSteps,
  });
  const head = wrap(
    `poolcheck compare: ${policies.map((p) => p.id).join(' vs ')}, scenario ${scenario.name}, seed ${flags.seed}, ${flags.runs} runs x ${flags.maxSteps} steps per workload`,
  );
  mkdirSync(flags.out, { recursive: true });
  const file = join(flags.out, `compare-${flags.seed}.svg`);
  writeAtomic(
    file,
    renderCompareSvg(rows, `${policies.map((p) => p.id).join(' vs ')} on ${scenario.name}`),
  );
  const lines = [
    ...head,
    '',
    ...renderCompareText(rows),
    '',
    'atomic fail: failed atomic dma_alloc_coherent() calls; decrypted MiB:',
    'pages not private at the end of a run, mean / max; DMA32 margin: the',
    'lowest free - (min + lowmem_reserve[Normal]) seen, in pages.',
    `plot: ${shortPath(file)}`,
  ];
  return { code: EXIT.ok, stdout: `${lines.join('\n')}\n` };
}
