/**
 * Resolving `--policy`: a built-in id, or the path of a user's policy module
 * (TypeScript or JavaScript) whose default export (or `policy` export) starts
 * from a built-in and overrides decisions. A user module is loaded only when
 * named, and is checked field by field against the built-in it extends, so a
 * mistyped override is a one-line error rather than a crash mid-run.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinPolicies, builtinPolicy } from '../../models/policies/index.ts';
import type { Policy } from '../../models/policy.ts';
import { invalidRule } from '../../models/rule_choices.ts';
import { UsageError } from '../cli/errors.ts';

/**
 * What a user's policy module exports (default export, or `policy`): an id,
 * the built-in it starts from, and the decisions it changes. Every other
 * decision, and the expectations, come from the built-in it extends.
 */
export interface UserPolicy {
  readonly id: string;
  /** A built-in policy id: `v5.4`, `v5.8`, `6.1`, `mainline`, `reserve-pool-2019`. */
  readonly extends: string;
  readonly source?: string;
  readonly expect?: Policy['expect'];
  readonly expectOn?: Policy['expectOn'];
  readonly pageAlloc?: Policy['pageAlloc'];
  readonly dmaPool?: Policy['dmaPool'];
  readonly dmaDirect?: Policy['dmaDirect'];
}

function looksLikePath(spec: string): boolean {
  return /[/\\]/.test(spec) || /\.(m?[jt]s)$/.test(spec);
}

/** Every field of `user` must have the type the same field has in `base`. */
function checkShape(user: unknown, base: unknown, where: string): void {
  if (typeof base === 'function') {
    if (typeof user !== 'function') throw new UsageError(`${where} must be a function`);
    return;
  }
  if (typeof base === 'object' && base !== null && !Array.isArray(base)) {
    if (typeof user !== 'object' || user === null || Array.isArray(user))
      throw new UsageError(`${where} must be an object`);
    for (const [key, value] of Object.entries(user as Record<string, unknown>)) {
      if (!(key in base)) throw new UsageError(`${where}.${key} is not a policy field`);
      checkShape(value, (base as Record<string, unknown>)[key], `${where}.${key}`);
    }
    return;
  }
  if (base !== undefined && typeof user !== typeof base)
    throw new UsageError(`${where} must be a ${typeof base}`);
}

/** The base's per-scenario expectations, each scenario's overridden by the user's. */
function mergeExpectOn(base: Policy['expectOn'], user: Policy['expectOn']): Policy['expectOn'] {
  const out: Record<string, Policy['expect']> = { ...base };
  for (const [scenario, expect] of Object.entries(user ?? {}))
    out[scenario] = { ...out[scenario], ...expect };
  return out;
}

/** Validates a user policy object against the built-in it extends. */
export function validateUserPolicy(raw: unknown, file: string): Policy {
  if (typeof raw !== 'object' || raw === null)
    throw new UsageError(`policy module ${file}: default export is not a policy object`);
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '')
    throw new UsageError(`policy module ${file}: 'id' must be a non-empty string`);
  if (typeof r.extends !== 'string' || !builtinPolicy(r.extends))
    throw new UsageError(
      `policy module ${file}: 'extends' must name a built-in policy (${builtinPolicies.map((p) => p.id).join(', ')})`,
    );
  const base = builtinPolicy(r.extends) as Policy;
  const { id, extends: ext, ...rest } = r;
  void id;
  void ext;
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'expect' || key === 'expectOn' || key === 'source') continue;
    if (!(key in base))
      throw new UsageError(`policy module ${file}: '${key}' is not a policy field`);
    // a design the built-in lacks (v5.4's atomic pools, mainline's reserve pools)
    // cannot be switched on field by field: the world has one pool design
    if ((base as unknown as Record<string, unknown>)[key] === null && value !== null)
      throw new UsageError(
        `policy module ${file}: '${key}' is null in ${base.id}: extend a policy that has one`,
      );
    try {
      checkShape(value, (base as unknown as Record<string, unknown>)[key], key);
    } catch (e) {
      throw new UsageError(`policy module ${file}: ${(e as Error).message}`);
    }
  }
  // a user policy inherits the expectations of the built-in it extends
  const policy: Policy = {
    ...base,
    ...(rest as Partial<Policy>),
    id: r.id,
    extends: r.extends,
    expect: { ...base.expect, ...((rest.expect as Policy['expect'] | undefined) ?? {}) },
    expectOn: mergeExpectOn(base.expectOn, rest.expectOn as Policy['expectOn']),
    source: typeof r.source === 'string' ? r.source : `${file} (extends ${r.extends})`,
  };
  const bad = invalidRule(policy);
  if (bad !== null) throw new UsageError(`policy module ${file}: ${bad}`);
  return policy;
}

/** A built-in policy by id, or a user policy module by path. */
export async function resolvePolicy(spec: string): Promise<Policy> {
  const builtin = builtinPolicy(spec);
  if (builtin) return builtin;
  if (!looksLikePath(spec))
    throw new UsageError(
      `unknown policy '${spec}' (built-in: ${builtinPolicies.map((p) => p.id).join(', ')}; or a module path)`,
    );
  const file = resolve(spec);
  if (!existsSync(file)) throw new UsageError(`policy module ${spec} does not exist`);
  if (/\.m?ts$/.test(file)) await typeCheck(file, spec);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const msg = (e as Error).message?.split('\n')[0] ?? String(e);
    throw new UsageError(`policy module ${spec} failed to load: ${msg}`);
  }
  return validateUserPolicy(mod.default ?? mod.policy, spec);
}

/**
 * Type-checks a TypeScript policy module against the policy types when the
 * TypeScript compiler is installed (it is in a development checkout); a
 * mistyped decision is then a one-line error before anything runs.
 */
async function typeCheck(file: string, spec: string): Promise<void> {
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch {
    return; // no compiler: the field-by-field check below still applies
  }
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  });
  const source = program.getSourceFile(file);
  const diags = [
    ...program.getSyntacticDiagnostics(source),
    ...program.getSemanticDiagnostics(source),
  ];
  const d = diags[0];
  if (!d) return;
  const where =
    d.file && d.start !== undefined
      ? `:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
      : '';
  const text = ts.flattenDiagnosticMessageText(d.messageText, ' ').split('\n')[0];
  throw new UsageError(`policy module ${spec}${where} does not type-check: ${text}`);
}
