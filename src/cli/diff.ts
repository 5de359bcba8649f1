/**
 * `poolcheck diff --policy A --policy B`: the refactor guard. The same
 * generated workloads run against both policies; the first observable
 * divergence is shrunk and shown step by step, the two sides stacked.
 * Exit 0 when none is found within the budget, 1 when one is, 2 on bad input.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kinds } from '../registry/kinds.ts';
import { resolvePolicy } from '../registry/policies.ts';
import { defaultScenario, resolveScenario } from '../registry/scenarios.ts';
import { ascii, wrap } from '../report/text.ts';
import { type CommandResult, shortPath, writeAtomic } from './check.ts';
import { EXIT, UsageError } from './errors.ts';

export interface DiffFlags {
  readonly policies: readonly string[];
  readonly scenario?: string;
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly out: string;
  readonly timeLimitMs?: number;
}

export async function runDiff(flags: DiffFlags): Promise<CommandResult> {
  if (flags.policies.length !== 2) throw new UsageError('diff takes exactly two --policy options');
  const [specA, specB] = flags.policies as [string, string];
  const a = await resolvePolicy(specA);
  const b = await resolvePolicy(specB);
  const scenario = flags.scenario ? resolveScenario(flags.scenario, kinds) : defaultScenario(kinds);
  if (!scenario) throw new UsageError('no scenario to run the diff in');
  const kind = kinds.find((k) => k.name === scenario.system);
  if (!kind) throw new UsageError(`scenario ${scenario.name}: unknown system`);
  const r = kind.diff(scenario.config, a, b, {
    seed: flags.seed,
    runs: flags.runs,
    maxSteps: flags.maxSteps,
    ...(flags.timeLimitMs !== undefined ? { timeLimitMs: flags.timeLimitMs } : {}),
  });
  const lines: string[] = [];
  const push = (s: string, indent = '    ') => lines.push(...wrap(ascii(s), indent));
  push(`poolcheck diff: ${a.id} vs ${b.id}, scenario ${scenario.name}, seed ${flags.seed}`);
  const d = r.divergence;
  if (!d) {
    push(`no divergence in ${r.runs} runs x ${flags.maxSteps} steps`);
    return { code: EXIT.ok, stdout: `${lines.join('\n')}\n` };
  }
  push(`first divergence at op ${d.at + 1} (shrunk from ${d.originalOps} ops), run ${r.runs}`);
  let ia = 0;
  let ib = 0;
  d.ops.forEach((op, i) => {
    const sa = d.a[ia]?.op === op ? d.a[ia++] : undefined;
    const sb = d.b[ib]?.op === op ? d.b[ib++] : undefined;
    const text = (s: typeof sa) =>
      s
        ? `${s.outcome.context} ${s.outcome.call} -> ${s.outcome.result}`
        : `(${op.op} not enabled)`;
    if (i < d.at) push(`${i + 1} ${text(sa)}`);
    else {
      push(`${i + 1} ${a.id}: ${text(sa)}`, '      ');
      push(`${' '.repeat(String(i + 1).length)} ${b.id}: ${text(sb)}`, '      ');
    }
  });
  mkdirSync(flags.out, { recursive: true });
  const slug = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-');
  const file = join(flags.out, `diff-${slug(a.id)}-${slug(b.id)}-${flags.seed}.json`);
  writeAtomic(
    file,
    `${JSON.stringify(
      {
        schema: 'poolcheck-diff',
        version: 1,
        scenario: scenario.name,
        system: scenario.system,
        config: scenario.config,
        policies: [specA, specB],
        seed: flags.seed,
        ops: d.ops,
      },
      null,
      2,
    )}\n`,
  );
  push(`ops: ${shortPath(file)}`);
  return { code: EXIT.violation, stdout: `${lines.join('\n')}\n` };
}
