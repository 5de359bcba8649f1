/**
 * `poolcheck check`: every applicable property against every built-in
 * policy (or one policy), on the default scenarios (or one).
 *
 * Exit codes (conventions): without --policy, or with --expect, 0 when every
 * outcome matches its policy's expectation and 1 when one does not; with
 * --policy, 1 on any violation. 2 on bad input.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { builtinPolicies } from '../../models/policies/index.ts';
import { expectationOf, type Policy } from '../../models/policy.ts';
import { applies } from '../registry/kind.ts';
import { kinds } from '../registry/kinds.ts';
import { resolvePolicy } from '../registry/policies.ts';
import { resolveScenario, type Scenario, shippedScenarios } from '../registry/scenarios.ts';
import { renderCounterexample } from '../report/counterexample.ts';
import { renderTimeline } from '../report/svg.ts';
import { renderTable } from '../report/table.ts';
import { wrap } from '../report/text.ts';
import { traceName, traceOf } from '../report/trace.ts';
import { asExpected, type Outcome } from '../report/witness.ts';
import { EXIT, UsageError } from './errors.ts';

export interface CheckFlags {
  readonly policy?: readonly string[];
  readonly scenario?: string;
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly replay?: string;
  readonly format: 'text' | 'json';
  readonly out: string;
  readonly timeLimitMs?: number;
  readonly path?: string;
  readonly expect?: boolean;
  readonly property?: readonly string[];
  readonly onRun?: (runs: number) => void;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
}

/** The shorter of a path relative to the working directory and the absolute one. */
export function shortPath(file: string): string {
  const abs = resolve(file);
  const rel = relative(process.cwd(), abs);
  return rel !== '' && rel.length <= abs.length ? rel : abs;
}

/** Writes `text` to `file` atomically (temp file, then rename). */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function scenariosFor(flags: CheckFlags): Scenario[] {
  if (flags.scenario) return [resolveScenario(flags.scenario, kinds)];
  const all = shippedScenarios(kinds).filter((s) => s.default);
  if (all.length === 0) throw new UsageError('no default scenario is installed');
  return all;
}

export async function runCheck(flags: CheckFlags): Promise<CommandResult> {
  const scenarios = scenariosFor(flags);
  const policySpecs = flags.policy ?? builtinPolicies.map((p) => p.id);
  const policies: [string, Policy][] = [];
  for (const spec of policySpecs) policies.push([spec, await resolvePolicy(spec)]);
  const outcomes: Outcome[] = [];
  const skipped: Skipped[] = [];
  const traces: { outcome: Outcome; system: string; config: unknown; spec: string }[] = [];
  let timeBound = false;
  for (const scenario of scenarios) {
    const kind = kinds.find((k) => k.name === scenario.system);
    if (!kind) throw new UsageError(`scenario ${scenario.name}: unknown system`);
    for (const [spec, policy] of policies) {
      // a policy asked for by name must run; of all the built-ins, those whose
      // kernel cannot run the machine (v5.4 in a TDX guest) are listed as not run
      const why = flags.policy ? null : kind.unsupported(scenario.config, policy);
      if (why !== null) {
        skipped.push({ scenario: scenario.name, policy: policy.id, why });
        continue;
      }
      const instance = kind.instantiate(scenario.config, policy);
      const props = kind.properties.filter(
        (p) => applies(p, policy) && (!flags.property || flags.property.includes(p.id)),
      );
      if (flags.property && props.length === 0) continue;
      const result = instance.check(
        props.map((p) => p.id),
        {
          seed: flags.seed,
          runs: flags.runs,
          maxSteps: flags.maxSteps,
          ...(flags.timeLimitMs !== undefined ? { timeLimitMs: flags.timeLimitMs } : {}),
          ...(flags.path !== undefined ? { path: flags.path } : {}),
          ...(flags.onRun ? { onRun: flags.onRun } : {}),
        },
      );
      timeBound ||= result.timeBound;
      result.results.forEach((r, i) => {
        const property = props[i];
        if (!property) return;
        const o: Outcome = {
          scenario: scenario.name,
          setup: instance.setup,
          policy: policy.id,
          property,
          status: r.status,
          expected: expectationOf(policy, property.id, scenario.name),
          runs: r.runs,
          steps: r.steps,
          seed: flags.seed,
          ...(r.counterexample ? { counterexample: r.counterexample } : {}),
        };
        outcomes.push(o);
        if (r.counterexample)
          traces.push({ outcome: o, system: kind.name, config: scenario.config, spec });
      });
    }
  }
  if (traces.length > 0) mkdirSync(flags.out, { recursive: true });
  for (const t of traces) {
    const file = join(flags.out, traceName(t.outcome));
    writeAtomic(
      file,
      `${JSON.stringify(traceOf(t.outcome, t.system, t.config, t.spec), null, 2)}\n`,
    );
    t.outcome.traceFile = shortPath(file);
    const cx = t.outcome.counterexample;
    if (cx?.steps.some((s) => s.metrics !== undefined)) {
      const svg = file.replace(/\.json$/, '.svg');
      const title = `${t.outcome.property.id} under ${t.outcome.policy}, seed ${t.outcome.seed}`;
      writeAtomic(svg, renderTimeline({ title, steps: cx.steps, failedStep: cx.failure.step }));
      t.outcome.svgFile = shortPath(svg);
    }
  }
  const strict = flags.policy !== undefined && !flags.expect;
  const failed = strict
    ? outcomes.some((o) => o.status === 'violated')
    : outcomes.some((o) => !asExpected(o));
  const code = failed ? EXIT.violation : EXIT.ok;
  if (flags.format === 'json')
    return {
      code,
      stdout: `${JSON.stringify(jsonReport(flags, outcomes, skipped, timeBound), null, 2)}\n`,
    };
  return { code, stdout: textReport(flags, outcomes, skipped, timeBound, strict) };
}

function budgetLine(flags: CheckFlags, timeBound: boolean): string {
  const time = timeBound ? ', time-bound (--time-limit)' : '';
  return `poolcheck check: seed ${flags.seed}, ${flags.runs} runs x ${flags.maxSteps} steps${time}`;
}

/** A (scenario, policy) pair not run, and why. */
interface Skipped {
  readonly scenario: string;
  readonly policy: string;
  readonly why: string;
}

function textReport(
  flags: CheckFlags,
  outcomes: readonly Outcome[],
  skipped: readonly Skipped[],
  timeBound: boolean,
  strict: boolean,
): string {
  const lines = [budgetLine(flags, timeBound), '', ...renderTable(outcomes)];
  for (const s of skipped)
    lines.push(
      '',
      ...wrap(`scenario ${s.scenario}, policy ${s.policy}: not run: ${s.why}`, '    '),
    );
  for (const o of outcomes) {
    if (!o.counterexample) continue;
    lines.push('', renderCounterexample(o, `npx poolcheck replay ${o.traceFile ?? ''}`).trimEnd());
  }
  const mismatched = outcomes.filter((o) => !asExpected(o)).length;
  const violated = outcomes.filter((o) => o.status === 'violated').length;
  lines.push('');
  if (strict) lines.push(`result: ${violated} of ${outcomes.length} properties violated`);
  else
    lines.push(
      `result: ${outcomes.length - mismatched} of ${outcomes.length} outcomes as expected` +
        (mismatched > 0 ? ` (${mismatched} marked !)` : ''),
    );
  return `${lines.join('\n')}\n`;
}

function jsonReport(
  flags: CheckFlags,
  outcomes: readonly Outcome[],
  skipped: readonly Skipped[],
  timeBound: boolean,
) {
  return {
    schema: 'poolcheck-check',
    version: 1,
    seed: flags.seed,
    runs: flags.runs,
    maxSteps: flags.maxSteps,
    timeBound,
    ...(skipped.length > 0 ? { skipped } : {}),
    outcomes: outcomes.map((o) => ({
      scenario: o.scenario,
      policy: o.policy,
      property: o.property.id,
      ref: o.property.ref,
      status: o.status,
      expected: o.expected,
      asExpected: asExpected(o),
      runs: o.runs,
      steps: o.steps,
      ...(o.counterexample
        ? {
            counterexample: {
              steps: o.counterexample.steps.length,
              originalSteps: o.counterexample.originalSteps,
              token: o.counterexample.token,
              trace: o.traceFile,
              violation: o.counterexample.failure,
            },
          }
        : {}),
    })),
  };
}
