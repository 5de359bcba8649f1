/**
 * A *system kind* ties a model family to the harness: how its scenario
 * config is read, how a policy instantiates it, which properties read its
 * state. `defineKind` erases the state and op types so the CLI can treat
 * gen_pool, page-allocator and DMA scenarios alike.
 */
import type { Policy } from '../../models/policy.ts';
import type { Property } from '../../properties/property.ts';
import { UsageError } from '../cli/errors.ts';
import {
  type CheckOptions,
  type CheckResult,
  checkProperties,
  decodeToken,
  opsFromToken,
} from '../harness/check.ts';
import { type DiffResult, diffSystems } from '../harness/diff.ts';
import { makePlan, type RunOptions, type RunResult, runOps } from '../harness/run.ts';
import type { Op, StateTable, System } from '../harness/system.ts';

export interface PropertyInfo {
  readonly id: string;
  readonly ref: string;
  readonly statement: string;
  readonly system: string;
  readonly designs?: readonly string[];
  readonly catches: readonly { readonly mutant: string; readonly zoo?: string }[];
}

/** One system built for one scenario config and one policy. */
export interface Instance {
  readonly setup: string;
  /** Properties that apply to this policy's design. */
  readonly properties: readonly PropertyInfo[];
  check(propertyIds: readonly string[], options: CheckOptions): CheckResult<Op>;
  /** Runs trace ops (already validated) with the given properties. */
  run(
    ops: readonly Op[],
    propertyIds: readonly string[],
    options?: RunOptions,
  ): RunResult<unknown, Op>;
  /** The ops a replay token designates. */
  opsFromToken(token: string, maxSteps: number): Op[];
  snapshotAfter(ops: readonly Op[]): readonly StateTable[];
}

export interface SystemKind {
  readonly name: string;
  readonly properties: readonly PropertyInfo[];
  /** Validates a scenario's `config` (throws an Error with a one-line message). */
  validateConfig(raw: unknown): void;
  /** Validates one op of a trace file (throws an Error with a one-line message). */
  parseOp(raw: unknown): Op;
  /** Why `policy` cannot run `config` (a platform its kernel does not know), or null. */
  unsupported(config: unknown, policy: Policy): string | null;
  /** Throws a UsageError where `unsupported` gives a reason. */
  instantiate(config: unknown, policy: Policy): Instance;
  /** Same workloads against two policies: the first observable divergence. */
  diff(config: unknown, a: Policy, b: Policy, options: CheckOptions): DiffResult<Op>;
}

export interface KindDefinition<S, O extends Op, C> {
  readonly name: string;
  readonly properties: readonly Property<S, O>[];
  parseConfig(raw: unknown): C;
  parseOp(raw: unknown): O;
  make(config: C, policy: Policy): System<S, O>;
  unsupported?(config: C, policy: Policy): string | null;
}

export function applies(p: PropertyInfo, policy: Policy): boolean {
  return p.designs === undefined || p.designs.includes(policy.design);
}

export function defineKind<S, O extends Op, C>(def: KindDefinition<S, O, C>): SystemKind {
  const select = (ids: readonly string[]) => def.properties.filter((p) => ids.includes(p.id));
  const make = (config: C, policy: Policy) => {
    const why = def.unsupported?.(config, policy) ?? null;
    if (why !== null) throw new UsageError(`policy ${policy.id} cannot run this machine: ${why}`);
    return def.make(config, policy);
  };
  return {
    name: def.name,
    properties: def.properties,
    validateConfig: (raw) => void def.parseConfig(raw),
    unsupported: (raw, policy) => def.unsupported?.(def.parseConfig(raw), policy) ?? null,
    parseOp: (raw) => def.parseOp(raw),
    diff(raw, a, b, options) {
      const config = def.parseConfig(raw);
      return diffSystems(make(config, a), make(config, b), options);
    },
    instantiate(raw, policy) {
      const system = make(def.parseConfig(raw), policy);
      return {
        setup: system.setup,
        properties: def.properties.filter((p) => applies(p, policy)),
        check: (ids, options) => checkProperties(system, select(ids), options),
        run: (ops, ids, options) => runOps(system, makePlan(select(ids)), ops as O[], options),
        opsFromToken: (token, maxSteps) =>
          opsFromToken(system, system.opKinds ?? [], maxSteps, decodeToken(token)),
        snapshotAfter(ops) {
          return system.snapshot(runOps(system, makePlan([]), ops as O[]).state);
        },
      };
    },
  };
}
