/**
 * Scenarios are data: a machine, its zones, devices and encryption, for one
 * system kind. The package ships them in `data/scenarios/`; `--scenario`
 * takes one of their names or a path to a JSON file of the same shape.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../cli/errors.ts';
import type { SystemKind } from './kind.ts';
import { dataDir } from './paths.ts';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The system kind: `genpool`, `page-alloc`, `dma`. */
  readonly system: string;
  /** Whether `check` without `--scenario` runs it. */
  readonly default: boolean;
  readonly config: unknown;
}

const scenarioDir = join(dataDir, 'scenarios');

function parseScenario(text: string, where: string, kinds: readonly SystemKind[]): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where}: not JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new UsageError(`${where}: not an object`);
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name === '') throw new UsageError(`${where}: no 'name'`);
  if (typeof r.system !== 'string') throw new UsageError(`${where}: no 'system'`);
  const kind = kinds.find((k) => k.name === r.system);
  if (!kind)
    throw new UsageError(
      `${where}: unknown system '${r.system}' (one of: ${kinds.map((k) => k.name).join(', ')})`,
    );
  try {
    kind.validateConfig(r.config);
  } catch (e) {
    throw new UsageError(`${where}: ${(e as Error).message}`);
  }
  return {
    name: r.name,
    description: typeof r.description === 'string' ? r.description : '',
    system: r.system,
    default: r.default === true,
    config: r.config,
  };
}

/** Whether a scenario file is for one of `kinds` (a file that is not JSON is, so its error shows). */
function ofKinds(text: string, kinds: readonly SystemKind[]): boolean {
  try {
    const system = (JSON.parse(text) as { system?: unknown } | null)?.system;
    return kinds.some((k) => k.name === system) || typeof system !== 'string';
  } catch {
    return true;
  }
}

/** Every scenario the package ships for `kinds`, in name order. */
export function shippedScenarios(kinds: readonly SystemKind[]): Scenario[] {
  if (!existsSync(scenarioDir)) return [];
  return readdirSync(scenarioDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ f, text: readFileSync(join(scenarioDir, f), 'utf8') }))
    .filter(({ text }) => ofKinds(text, kinds))
    .map(({ f, text }) => parseScenario(text, `scenario ${f}`, kinds));
}

/**
 * The default scenario (conventions.md): the SEV guest of the DMA world, or
 * else the first scenario marked default.
 */
export function defaultScenario(kinds: readonly SystemKind[]): Scenario | undefined {
  const all = shippedScenarios(kinds).filter((s) => s.default);
  return all.find((s) => s.system === 'dma') ?? all[0];
}

/** A shipped scenario by name, or a scenario file by path. */
export function resolveScenario(spec: string, kinds: readonly SystemKind[]): Scenario {
  const shipped = shippedScenarios(kinds).find((s) => s.name === spec);
  if (shipped) return shipped;
  if (spec.endsWith('.json') || spec.includes('/')) {
    if (!existsSync(spec)) throw new UsageError(`scenario file ${spec} does not exist`);
    return parseScenario(readFileSync(spec, 'utf8'), `scenario ${basename(spec)}`, kinds);
  }
  const names = shippedScenarios(kinds).map((s) => s.name);
  throw new UsageError(`unknown scenario '${spec}' (one of: ${names.join(', ')})`);
}
