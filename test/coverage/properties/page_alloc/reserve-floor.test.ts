/**
 * page-alloc/reserve-floor (I12, page-alloc.md §13): the floor a blocking,
 * reserve-less success must leave is the mark its attempt used (low on the
 * fast path, high on the OOM path's last attempt, min otherwise) plus the
 * boost, lowmem_reserve and the highatomic term of its version.
 */
import { describe, expect, it } from 'vitest';
import type { AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import { pageAllocRules } from '../../../../models/page_alloc/rules.ts';
import prop, { reserveFloor } from '../../../../properties/page_alloc/reserve-floor.ts';
import { booted, ctx } from '../../fixtures/page-alloc.ts';

const op = { op: 'alloc_pages', gfp: 'GFP_KERNEL', order: 0, count: 1, reclaim: 0 } as const;

/** A successful GFP_KERNEL allocation as recorded, with the check that won it replaced. */
function success(won: Partial<NonNullable<AllocResult['won']>>, order = 0): AllocResult {
  const s = booted([op]);
  if (s.last.kind !== 'alloc') throw new Error('no allocation');
  const r = s.last.results[0] as AllocResult;
  return { ...r, order, won: { ...(r.won as NonNullable<AllocResult['won']>), ...won } };
}

const marks = {
  watermark: [416, 520, 624] as const,
  boost: 10,
  reserve: 100,
  nr_reserved_highatomic: 512,
  nr_free_highatomic: 7,
};

describe('reserveFloor', () => {
  it('uses low on the fast path, high on the OOM attempt, min elsewhere', () => {
    const v61 = pageAllocRules['6.1'];
    expect(reserveFloor(v61, success({ ...marks, stage: 'fast' }))).toBe(520 + 10 + 100 + 512);
    expect(reserveFloor(v61, success({ ...marks, stage: 'oom' }))).toBe(624 + 10 + 100 + 512);
    expect(reserveFloor(v61, success({ ...marks, stage: 'slowpath' }))).toBe(416 + 10 + 100 + 512);
  });

  it('charges reserved blocks up to 6.1, free highatomic pages in 6.18, none at 5.4 order 0', () => {
    const oom = success({ ...marks, stage: 'oom' });
    expect(reserveFloor(pageAllocRules['6.18'], oom)).toBe(624 + 10 + 100 + 7);
    expect(reserveFloor(pageAllocRules['5.4'], oom)).toBe(624 + 10 + 100);
    expect(reserveFloor(pageAllocRules['5.4'], success({ ...marks, stage: 'oom' }, 1))).toBe(
      624 + 10 + 100 + 512,
    );
  });
});

describe('reserve-floor', () => {
  it('says nothing about a step that allocated nothing', () => {
    const s = booted();
    s.last = { kind: 'free', pfn: 4096, order: 0, zone: 1 };
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('holds on a GFP_KERNEL allocation', () => {
    expect(prop.check?.(ctx(booted([op]), op))).toBeNull();
  });
});
