/**
 * poolcheck as a library: the models' policies, the systems the harness
 * drives, their op arbitraries and properties, and the harness itself, for
 * use from a user's own vitest file (`test.prop` with @fast-check/vitest, or
 * `fc.assert`). See README, "Library use".
 */

export { builtinPolicies, builtinPolicy } from '../models/policies/index.ts';
export type { Design, Expectation, Policy } from '../models/policy.ts';
export type { World, WorldVariant } from '../models/world/world.ts';
export { dmaProperties } from '../properties/dma/index.ts';
export { genpoolProperties } from '../properties/genpool/index.ts';
export type { Property, Violation } from '../properties/property.ts';
export {
  type CheckOptions,
  type CheckResult,
  checkProperties,
  runInputArbitrary,
} from './harness/check.ts';
export { diffSystems, firstDivergence } from './harness/diff.ts';
export { type CheckPlan, makePlan, type RunResult, runOps } from './harness/run.ts';
export type { Op, Outcome, StateTable, System } from './harness/system.ts';
export type { UserPolicy } from './registry/policies.ts';
export { validateUserPolicy } from './registry/policies.ts';
export { type DmaOp, dmaOpArbitrary } from './systems/dma/ops.ts';
export { type DmaScenarioConfig, makeDmaSystem } from './systems/dma/system.ts';
export { type GenpoolOp, genpoolOpArbitrary } from './systems/genpool/ops.ts';
export { GENPOOL_CONFIGS, makeGenpoolSystem } from './systems/genpool/system.ts';
