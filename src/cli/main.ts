/**
 * The command line. Every command returns an exit code and its text; bad
 * input of any kind is one line on stderr and exit 2, never a stack trace.
 */
import { Command, CommanderError, Option } from 'commander';
import { StepError } from '../harness/check.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_SEED, defaultRuns, wholeNumber } from './budget.ts';
import { type CommandResult, runCheck } from './check.ts';
import { runCompare } from './compare.ts';
import { runConformance } from './conformance.ts';
import { runDiff } from './diff.ts';
import { EXIT, UsageError } from './errors.ts';
import { runList } from './list.ts';
import { runReplay } from './replay.ts';
import { runZoo } from './zoo.ts';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function progress(): ((runs: number) => void) | undefined {
  // progress only on a terminal: reports stay plain text everywhere else
  if (process.stderr.isTTY !== true) return undefined;
  let last = 0;
  return (runs) => {
    if (runs - last >= 25) {
      last = runs;
      process.stderr.write(`\r  ${runs} runs...`);
    }
  };
}

function checkPath(p: string): string {
  if (!/^\d+(:\d+)*$/.test(p))
    throw new UsageError(`--path takes a fast-check path like 3:1:0, not '${p}'`);
  return p;
}

export function program(out: (r: CommandResult) => void): Command {
  const p = new Command('poolcheck')
    .description('property-based checks of the kernel DMA atomic pools and lowmem reserve')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) })
    .showHelpAfterError(false);

  p.command('check')
    .description('check every applicable property against policies and scenarios')
    .option('--policy <id|file>', 'a built-in policy or a policy module (repeatable)', collect)
    .option('--scenario <name|file>', 'a shipped scenario or a scenario file')
    .option('--property <id>', 'check only this property (repeatable)', collect)
    .option('--seed <n>', 'random seed', String(DEFAULT_SEED))
    .option('--runs <n>', 'runs per property search (default: POOLCHECK_RUNS, else 100)')
    .option('--max-steps <n>', 'most operations per run', String(DEFAULT_MAX_STEPS))
    .option('--replay <token>', 'replay one run from its token instead of searching')
    .option('--path <path>', "fast-check's path of one run (with --seed): reproduces that run")
    .addOption(
      new Option('--format <fmt>', 'report format').choices(['text', 'json']).default('text'),
    )
    .option('--out <dir>', 'where traces are written', 'poolcheck-out')
    .option('--time-limit <seconds>', 'stop searching after this many seconds')
    .option('--expect', 'with --policy: exit as the all-policies run does')
    .action(async (o: Record<string, string | string[] | boolean | undefined>) => {
      if (typeof o.replay === 'string') {
        const policy = Array.isArray(o.policy) ? o.policy[0] : undefined;
        if (Array.isArray(o.policy) && o.policy.length > 1)
          throw new UsageError('--replay takes one --policy');
        out(
          await runReplay({
            target: o.replay,
            verbose: false,
            ...(policy ? { policy } : {}),
            ...(typeof o.scenario === 'string' ? { scenario: o.scenario } : {}),
            maxSteps: wholeNumber('--max-steps', String(o.maxSteps), 1),
          }),
        );
        return;
      }
      const onRun = progress();
      const r = await runCheck({
        ...(Array.isArray(o.policy) ? { policy: o.policy } : {}),
        ...(Array.isArray(o.property) ? { property: o.property } : {}),
        ...(typeof o.scenario === 'string' ? { scenario: o.scenario } : {}),
        seed: wholeNumber('--seed', String(o.seed), -(2 ** 31), 2 ** 31 - 1),
        runs: typeof o.runs === 'string' ? wholeNumber('--runs', o.runs, 1) : defaultRuns(),
        maxSteps: wholeNumber('--max-steps', String(o.maxSteps), 1, 100_000),
        format: o.format === 'json' ? 'json' : 'text',
        out: String(o.out),
        expect: o.expect === true,
        ...(typeof o.path === 'string' ? { path: checkPath(o.path) } : {}),
        ...(typeof o.timeLimit === 'string'
          ? { timeLimitMs: wholeNumber('--time-limit', o.timeLimit, 1) * 1000 }
          : {}),
        ...(onRun ? { onRun } : {}),
      });
      if (onRun) process.stderr.write('\r\x1b[K');
      out(r);
    });

  p.command('replay')
    .description('re-execute a trace file (or a replay token) step by step')
    .argument('<file|token>')
    .option('--verbose', 'print the state after each step')
    .option('--policy <id|file>', 'with a token: the policy it was found under')
    .option('--scenario <name|file>', 'with a token: the scenario it was found under')
    .action(async (target: string, o: Record<string, string | boolean | undefined>) => {
      out(
        await runReplay({
          target,
          verbose: o.verbose === true,
          ...(typeof o.policy === 'string' ? { policy: o.policy } : {}),
          ...(typeof o.scenario === 'string' ? { scenario: o.scenario } : {}),
        }),
      );
    });

  p.command('diff')
    .description('find where two policies first diverge on the same workloads')
    .option('--policy <id|file>', 'a built-in policy or a policy module (twice)', collect)
    .option('--scenario <name|file>', 'a shipped scenario or a scenario file')
    .option('--seed <n>', 'random seed', String(DEFAULT_SEED))
    .option('--runs <n>', 'runs (default: POOLCHECK_RUNS, else 100)')
    .option('--max-steps <n>', 'most operations per run', String(DEFAULT_MAX_STEPS))
    .option('--out <dir>', 'where the diverging ops are written', 'poolcheck-out')
    .option('--time-limit <seconds>', 'stop searching after this many seconds')
    .action(async (o: Record<string, string | string[] | undefined>) => {
      out(
        await runDiff({
          policies: Array.isArray(o.policy) ? o.policy : [],
          ...(typeof o.scenario === 'string' ? { scenario: o.scenario } : {}),
          seed: wholeNumber('--seed', String(o.seed), -(2 ** 31), 2 ** 31 - 1),
          runs: typeof o.runs === 'string' ? wholeNumber('--runs', o.runs, 1) : defaultRuns(),
          maxSteps: wholeNumber('--max-steps', String(o.maxSteps), 1, 100_000),
          out: String(o.out),
          ...(typeof o.timeLimit === 'string'
            ? { timeLimitMs: wholeNumber('--time-limit', o.timeLimit, 1) * 1000 }
            : {}),
        }),
      );
    });

  p.command('conformance')
    .description('replay kernel data (gen_pool, zones, DMA pool traces) through the models')
    .argument('[dir...]', 'folders of kernel data (default: the data the package ships)')
    .action((dirs: string[]) => out(runConformance(dirs)));

  p.command('compare')
    .description('the atomic pools against the 2019 reserve pool, per workload family')
    .option(
      '--policy <id|file>',
      'designs to compare (default: mainline, reserve-pool-2019)',
      collect,
    )
    .option('--scenario <name|file>', 'a DMA scenario')
    .option('--workload <id>', 'only this workload family (repeatable)', collect)
    .option('--seed <n>', 'random seed', String(DEFAULT_SEED))
    .option('--runs <n>', 'runs per workload and design', '60')
    .option('--max-steps <n>', 'most operations per run', String(DEFAULT_MAX_STEPS))
    .option('--out <dir>', 'where the SVG plot is written', 'poolcheck-out')
    .action(async (o: Record<string, string | string[] | undefined>) => {
      out(
        await runCompare({
          ...(Array.isArray(o.policy) ? { policies: o.policy } : {}),
          ...(Array.isArray(o.workload) ? { workload: o.workload } : {}),
          ...(typeof o.scenario === 'string' ? { scenario: o.scenario } : {}),
          seed: wholeNumber('--seed', String(o.seed), -(2 ** 31), 2 ** 31 - 1),
          runs: wholeNumber('--runs', String(o.runs), 1),
          maxSteps: wholeNumber('--max-steps', String(o.maxSteps), 1, 100_000),
          out: String(o.out),
        }),
      );
    });

  p.command('zoo')
    .description('every known kernel bug of this area as a variant, and what catches it')
    .option('--seed <n>', 'random seed', String(DEFAULT_SEED))
    .option('--runs <n>', 'runs per bug (default: POOLCHECK_RUNS, else 100)')
    .option('--max-steps <n>', 'most operations per run', String(DEFAULT_MAX_STEPS))
    .addOption(
      new Option('--format <fmt>', 'report format').choices(['text', 'json']).default('text'),
    )
    .action((o: Record<string, string | undefined>) => {
      out(
        runZoo({
          seed: wholeNumber('--seed', String(o.seed), -(2 ** 31), 2 ** 31 - 1),
          runs: typeof o.runs === 'string' ? wholeNumber('--runs', o.runs, 1) : defaultRuns(),
          maxSteps: wholeNumber('--max-steps', String(o.maxSteps), 1, 100_000),
          format: o.format === 'json' ? 'json' : 'text',
        }),
      );
    });

  p.command('list')
    .description('list models, policies, scenarios and properties')
    .action(() => out(runList()));
  return p;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const p = program((r) => {
    process.stdout.write(r.stdout);
    code = r.code;
  });
  try {
    await p.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT.ok; // --help, --version
      process.stderr.write(`poolcheck: ${e.message.replace(/^error: /, '')}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError || e instanceof StepError) {
      process.stderr.write(`poolcheck: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
