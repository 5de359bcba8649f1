/**
 * `poolcheck replay FILE|TOKEN`: re-executes a trace step by step (with the
 * state after each step under --verbose) and says whether the violation it
 * records still happens. A trace file needs nothing else; a token needs the
 * policy and scenario it was found under (defaults: mainline, default scenario).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Op } from '../harness/system.ts';
import { applies } from '../registry/kind.ts';
import { kinds } from '../registry/kinds.ts';
import { resolvePolicy } from '../registry/policies.ts';
import { defaultScenario, resolveScenario } from '../registry/scenarios.ts';
import { renderTables } from '../report/counterexample.ts';
import { ascii, wrap } from '../report/text.ts';
import { TRACE_SCHEMA, TRACE_VERSION } from '../report/trace.ts';
import { DEFAULT_MAX_STEPS } from './budget.ts';
import type { CommandResult } from './check.ts';
import { EXIT, UsageError } from './errors.ts';

export interface ReplayFlags {
  readonly target: string;
  readonly verbose: boolean;
  readonly policy?: string;
  readonly scenario?: string;
  readonly maxSteps?: number;
}

interface Loaded {
  readonly system: string;
  readonly config: unknown;
  readonly scenario: string;
  readonly policy: string;
  readonly property?: string;
  readonly ops: (kindParse: (raw: unknown) => Op) => Op[];
}

function loadTrace(file: string): Loaded {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`trace ${file}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const t = raw as Record<string, unknown>;
  if (typeof t !== 'object' || t === null || t.schema !== TRACE_SCHEMA)
    throw new UsageError(`trace ${file}: not a poolcheck trace (no schema '${TRACE_SCHEMA}')`);
  if (typeof t.version !== 'number' || t.version > TRACE_VERSION)
    throw new UsageError(
      `trace ${file}: schema version ${String(t.version)} is newer than this poolcheck reads (${TRACE_VERSION})`,
    );
  for (const key of ['system', 'scenario', 'policy'] as const)
    if (typeof t[key] !== 'string') throw new UsageError(`trace ${file}: no '${key}'`);
  if (!Array.isArray(t.ops)) throw new UsageError(`trace ${file}: no 'ops' array`);
  const prop = t.property as Record<string, unknown> | undefined;
  const ops = t.ops as unknown[];
  return {
    system: t.system as string,
    config: t.config,
    scenario: t.scenario as string,
    policy: t.policy as string,
    ...(typeof prop?.id === 'string' ? { property: prop.id } : {}),
    ops: (parse) =>
      ops.map((o, i) => {
        try {
          return parse(o);
        } catch (e) {
          throw new UsageError(`trace ${file}: op ${i + 1}: ${(e as Error).message}`);
        }
      }),
  };
}

export async function runReplay(flags: ReplayFlags): Promise<CommandResult> {
  const isFile = existsSync(flags.target) || flags.target.endsWith('.json');
  if (isFile && !existsSync(flags.target))
    throw new UsageError(`trace file ${flags.target} does not exist`);
  let loaded: Loaded;
  let ops: Op[];
  if (isFile) {
    loaded = loadTrace(flags.target);
    const kind = kinds.find((k) => k.name === loaded.system);
    if (!kind) throw new UsageError(`trace ${flags.target}: unknown system '${loaded.system}'`);
    try {
      kind.validateConfig(loaded.config);
    } catch (e) {
      throw new UsageError(`trace ${flags.target}: config: ${(e as Error).message}`);
    }
    ops = loaded.ops((raw) => kind.parseOp(raw));
  } else {
    const scenario = flags.scenario
      ? resolveScenario(flags.scenario, kinds)
      : defaultScenario(kinds);
    if (!scenario) throw new UsageError('no scenario to replay the token in');
    loaded = {
      system: scenario.system,
      config: scenario.config,
      scenario: scenario.name,
      policy: flags.policy ?? 'mainline',
      ops: () => [],
    };
    ops = [];
  }
  const kind = kinds.find((k) => k.name === loaded.system);
  if (!kind) throw new UsageError(`unknown system '${loaded.system}'`);
  const policy = await resolvePolicy(loaded.policy);
  const instance = kind.instantiate(loaded.config, policy);
  if (!isFile) {
    try {
      ops = instance.opsFromToken(flags.target, flags.maxSteps ?? DEFAULT_MAX_STEPS);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const ids = kind.properties.filter((p) => applies(p, policy)).map((p) => p.id);
  const r = instance.run(ops, ids, { record: true });
  const lines: string[] = [];
  const push = (s: string, indent = '    ') => lines.push(...wrap(ascii(s), indent));
  push(`poolcheck replay: ${ops.length} ops, policy ${policy.id}, scenario ${loaded.scenario}`);
  push(`setup: ${instance.setup}`);
  for (const s of r.steps) {
    push(`${s.n} ${s.outcome.context} ${s.outcome.call} -> ${s.outcome.result}`);
    for (const note of s.outcome.notes ?? []) push(`    ${note}`, '      ');
    if (flags.verbose)
      lines.push(...renderTables(instance.snapshotAfter(r.steps.slice(0, s.n).map((x) => x.op))));
  }
  const skipped = r.executed.filter((e) => !e).length;
  if (skipped > 0) push(`(${skipped} ops were not enabled and were skipped)`);
  if (r.failure) {
    const p = kind.properties.find((x) => x.id === r.failure?.property);
    push(
      `violated: ${r.failure.property} (${p?.ref ?? '?'}) ${r.failure.step === 0 ? 'at the end' : `after step ${r.failure.step}`}`,
    );
    push(`${r.failure.violation.subject}: ${r.failure.violation.message}`);
    for (const d of r.failure.violation.details ?? []) push(`    ${d}`, '      ');
    return { code: EXIT.violation, stdout: `${lines.join('\n')}\n` };
  }
  push(
    loaded.property
      ? `no violation: ${loaded.property} holds on this trace now`
      : 'no violation: every property held',
  );
  return { code: EXIT.ok, stdout: `${lines.join('\n')}\n` };
}
