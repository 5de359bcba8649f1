/**
 * The scenarios zoo variants run in: shipped scenario files
 * (data/scenarios), looked up by name, so a zoo counterexample replays with
 * `poolcheck check --scenario <name>`.
 */
import { kinds } from '../registry/kinds.ts';
import { type Scenario, shippedScenarios } from '../registry/scenarios.ts';

/** The DMA scenario of a variant that names none: the default SEV guest. */
export const DEFAULT_DMA_SCENARIO = 'sev-4g-nvme';

let cache: readonly Scenario[] | null = null;

/** A shipped scenario by name; throws when the package does not ship it. */
export function zooScenario(name: string): Scenario {
  cache ??= shippedScenarios(kinds);
  const s = cache.find((x) => x.name === name);
  if (!s) throw new Error(`bug zoo: no shipped scenario '${name}'`);
  return s;
}

/** The config of a shipped scenario. */
export function zooScenarioConfig(name: string): unknown {
  return zooScenario(name).config;
}
