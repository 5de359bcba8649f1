/**
 * A policy is one kernel's set of decisions: which kernel version each
 * model rule follows, plus the outcome it is expected to show for each
 * property. Policies hold decisions only; mechanisms live in the models.
 * Built-in policies live in `policies/`, one file each; a user policy starts
 * from one of them and overrides fields (see README, "Your own policy").
 */

import type { DmaDirectRules } from './dma/direct_rules.ts';
import type { DmaPoolRules } from './dma/rules.ts';
import type { PageAllocRules } from './page_alloc/rules.ts';
import type { ReservePoolRules } from './reserve_pool/rules.ts';

/** The expected outcome of a property under a policy. */
export type Expectation = 'holds' | { readonly fails: string };

/** Which design a policy follows: per-zone atomic pools, or the 2019 reserve pool. */
export type Design = 'atomic-pool' | 'reserve-pool';

export interface Policy {
  /** `v5.4`, `v5.8`, `6.1`, `mainline`, `reserve-pool-2019`, or a user's id. */
  readonly id: string;
  /** The kernel trees this policy models, in one line. */
  readonly source: string;
  /** The built-in policy this one starts from (user policies inherit its expectations). */
  readonly extends?: string;
  readonly design: Design;
  /** Property id -> expected outcome; a property not listed is expected to hold. */
  readonly expect: Readonly<Record<string, Expectation>>;
  /**
   * Scenario name -> property id -> expected outcome, overriding `expect`
   * on that scenario: a bug that needs a CMA area shows only where there is
   * one, and no conversion bug shows on a machine without encryption.
   */
  readonly expectOn?: Readonly<Record<string, Readonly<Record<string, Expectation>>>>;
  /** mm/page_alloc.c and mm/vmscan.c decisions (models/page_alloc/rules.ts). */
  readonly pageAlloc: PageAllocRules;
  /** kernel/dma/pool.c decisions; null where the kernel has no atomic pools on x86 (v5.4). */
  readonly dmaPool: DmaPoolRules | null;
  /** kernel/dma/direct.c decisions (models/dma/direct_rules.ts). */
  readonly dmaDirect: DmaDirectRules;
  /** The 2019 per-order reserve pool (models/reserve_pool/rules.ts); null in every merged kernel. */
  readonly reservePool: ReservePoolRules | null;
}

/** The expectation of `propertyId` under `policy` on `scenario` (holds unless declared). */
export function expectationOf(
  policy: Policy,
  propertyId: string,
  // no scenario: nothing declared per scenario applies
  // Stryker disable next-line StringLiteral: no scenario has an empty name, nor Stryker's
  scenario = '',
): Expectation {
  return policy.expectOn?.[scenario]?.[propertyId] ?? policy.expect[propertyId] ?? 'holds';
}
