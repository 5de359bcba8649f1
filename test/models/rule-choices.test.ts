/**
 * models/rule_choices.ts: every rule set that runs (the built-ins, the zoo's
 * variants, the test mutants) holds only values the models know, and one
 * that does not is named field by field.
 */
import { describe, expect, it } from 'vitest';
import { builtinPolicies, builtinPolicy } from '../../models/policies/index.ts';
import type { Policy } from '../../models/policy.ts';
import { invalidRule } from '../../models/rule_choices.ts';
import { zooDmaVariants } from '../../src/zoo/dma.ts';
import { zooPageAllocVariants } from '../../src/zoo/page_alloc.ts';
import { dmaMutants } from '../mutants/dma/index.ts';
import { pageAllocMutants } from '../mutants/page_alloc/mutants.ts';

const mainline = builtinPolicy('mainline') as Policy;
const v54 = builtinPolicy('v5.4') as Policy;
const pool = mainline.dmaPool as NonNullable<Policy['dmaPool']>;
const reserve = builtinPolicy('reserve-pool-2019') as Policy;

describe('every rule set that runs holds known values', () => {
  it.each(builtinPolicies.map((p) => [p.id, p] as const))('built-in %s', (_, p) => {
    expect(invalidRule(p)).toBeNull();
  });

  it('the zoo variants and the test mutants', () => {
    for (const v of [...zooDmaVariants, ...dmaMutants])
      expect(invalidRule(v.policy), v.id).toBeNull();
    for (const v of [...zooPageAllocVariants, ...pageAllocMutants]) {
      const p = { ...mainline, pageAlloc: { ...mainline.pageAlloc, ...v.rules } };
      expect(invalidRule(p), v.id).toBeNull();
    }
  });
});

describe('the alternatives the models implement but no built-in uses are accepted', () => {
  it('the older pool sizes, the reserve pool design choices the 2019 thread left open', () => {
    expect(
      invalidRule({ ...mainline, dmaPool: { ...pool, atomic_pool_size_default: '256K' } }),
    ).toBeNull();
    const rp = reserve.reservePool as NonNullable<Policy['reservePool']>;
    const open = {
      order_targets: 'one-each-then-order0',
      refill_threshold: 'below-half-target',
      warn_on_failure: 'always',
      refill_failure: 'stop-pass',
    } as const;
    for (const [field, value] of Object.entries(open))
      expect(invalidRule({ ...reserve, reservePool: { ...rp, [field]: value } }), field).toBeNull();
  });
});

describe('a value the models do not know is named with its field', () => {
  it('a plain field, a nested one, one entry of a list, a missing one', () => {
    expect(
      invalidRule({ ...mainline, dmaPool: { ...pool, expand_source: 'cma' as 'buddy' } }),
    ).toBe('dmaPool.expand_source is "cma": one of buddy, cma-in-zone-then-buddy');
    const created = { ...pool.pools_created, dma32: 'maybe' as 'kconfig' };
    expect(invalidRule({ ...mainline, dmaPool: { ...pool, pools_created: created } })).toBe(
      'dmaPool.pools_created.dma32 is "maybe": one of always, kconfig, zone-managed',
    );
    const platforms = [
      'none',
      'sev',
    ] as unknown as Policy['dmaDirect']['force_dma_unencrypted_platforms'];
    expect(
      invalidRule({
        ...mainline,
        dmaDirect: { ...mainline.dmaDirect, force_dma_unencrypted_platforms: platforms },
      }),
    ).toBe(
      'dmaDirect.force_dma_unencrypted_platforms is "sev": one of none, sme-host, sev-guest, tdx-guest',
    );
    const { move_to_free_list: _, ...partial } = mainline.pageAlloc;
    expect(invalidRule({ ...mainline, pageAlloc: partial as Policy['pageAlloc'] })).toBe(
      'pageAlloc.move_to_free_list is missing: one of head, tail',
    );
  });

  it('checks the page API, the atomic pools and the reserve pools only where the kernel has them', () => {
    const pages = { pool_returns: 'va' as 'page' };
    expect(
      invalidRule({
        ...mainline,
        dmaDirect: { ...mainline.dmaDirect, dma_direct_alloc_pages: pages },
      }),
    ).toBe('dmaDirect.dma_direct_alloc_pages.pool_returns is "va": one of cpu_addr, page');
    // v5.4: no page API, no atomic pools
    expect(v54.dmaDirect.dma_direct_alloc_pages).toBeNull();
    expect(v54.dmaPool).toBeNull();
    const rp = reserve.reservePool as NonNullable<Policy['reservePool']>;
    expect(
      invalidRule({ ...reserve, reservePool: { ...rp, give_back: 'sometimes' as 'never' } }),
    ).toBe('reservePool.give_back is "sometimes": one of above-twice-target, never');
  });
});
