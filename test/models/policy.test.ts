/**
 * The built-in policies (models/policies/) against ../shared/conventions.md:
 * each names the kernel it models, and expectationOf() (models/policy.ts)
 * reads a per-scenario declaration first, then the policy's own, then
 * `holds`.
 */
import { describe, expect, it } from 'vitest';
import { builtinPolicies, builtinPolicy } from '../../models/policies/index.ts';
import { type Expectation, expectationOf, type Policy } from '../../models/policy.ts';
import { kinds } from '../../src/registry/kinds.ts';
import { shippedScenarios } from '../../src/registry/scenarios.ts';
import { zooCatalogue } from '../../src/zoo/catalogue.ts';

const policy = (id: string): Policy => {
  const p = builtinPolicy(id);
  if (!p) throw new Error(`no policy ${id}`);
  return p;
};

describe('each built-in policy names the kernel conventions.md gives it', () => {
  it.each([
    ['v5.4', /^v5\.4: .*remap\.c; mm\/ of 5\.4\.y$/],
    ['v5.8', /^v5\.8: kernel\/dma\/pool\.c/],
    ['6.1', /^Debian 6\.1\.192 \(late 6\.1\.y\)/],
    ['mainline', /^pool\.c 0510cb5b2303, direct\.c 94a04ad732c9; mm\/ of v6\.18$/],
    ['reserve-pool-2019', /2019 thread, on top of mainline \(never merged\)$/],
  ])('%s', (id, source) => {
    expect(policy(id).source).toMatch(source);
  });
});

describe('expectationOf()', () => {
  const v61 = policy('6.1');

  it('undeclared: holds', () => {
    expect(expectationOf(v61, 'dma/addressable')).toBe('holds');
    expect(expectationOf(v61, 'dma/addressable', 'sev-4g-cma')).toBe('holds');
  });

  it("the policy's own declaration, with no scenario or a scenario that declares nothing else", () => {
    expect(expectationOf(v61, 'dma/free-to-owner')).toEqual({ fails: 'T15' });
    expect(expectationOf(v61, 'dma/free-to-owner', 'sev-4g-nvme')).toEqual({ fails: 'T15' });
    // sev-4g-cma declares only cma-to-cma: the policy's own still applies to the rest
    expect(expectationOf(v61, 'dma/free-to-owner', 'sev-4g-cma')).toEqual({ fails: 'T15' });
  });

  it("a scenario's declaration wins over the policy's, both ways", () => {
    expect(expectationOf(v61, 'dma/cma-to-cma', 'sev-4g-cma')).toEqual({ fails: 'BZ-11' });
    expect(expectationOf(v61, 'dma/cma-to-cma')).toBe('holds');
    expect(expectationOf(v61, 'dma/free-to-owner', 'host-4g-noenc')).toBe('holds');
  });

  it('a policy without per-scenario declarations', () => {
    const bare: Policy = { ...v61, expectOn: undefined, expect: { 'dma/x': { fails: 'BZ-1' } } };
    expect(expectationOf(bare, 'dma/x', 'sev-4g-cma')).toEqual({ fails: 'BZ-1' });
    expect(expectationOf(bare, 'dma/y', 'sev-4g-cma')).toBe('holds');
  });
});

describe('reserve-pool-2019 is the 2019 proposal on top of mainline (conventions.md)', () => {
  it("it names mainline as its base and keeps mainline's page allocator and dma-direct", () => {
    const p = policy('reserve-pool-2019');
    const base = policy('mainline');
    expect(p.extends).toBe('mainline');
    expect(p.pageAlloc).toBe(base.pageAlloc);
    expect(p.dmaDirect).toBe(base.dmaDirect);
    // the reserve pools take the atomic pools' place
    expect(p.dmaPool).toBeNull();
    expect(p.reservePool).not.toBeNull();
  });
});

describe("each built-in policy's declarations are well formed", () => {
  const propertyIds = new Set(kinds.flatMap((k) => k.properties.map((p) => p.id)));
  const scenarioNames = new Set(shippedScenarios(kinds).map((s) => s.name));
  const zooIds = new Set(zooCatalogue.map((e) => e.id));
  // a failure cites the bug: a bug-zoo.md number the zoo has, a spec trap
  // (dma.md's Tnn), or the 12-digit commit that fixed an unlisted bug
  const cites = (e: Expectation): boolean =>
    e === 'holds' ||
    (typeof e === 'object' &&
      (zooIds.has(e.fails) || /^T\d+$/.test(e.fails) || /^[0-9a-f]{12}$/.test(e.fails)));

  it.each(builtinPolicies.map((p) => [p.id, p] as const))('%s', (_, p) => {
    expect(builtinPolicy(p.id)).toBe(p);
    for (const [id, e] of Object.entries(p.expect)) {
      expect(propertyIds, id).toContain(id);
      expect(cites(e), `${id}: ${JSON.stringify(e)}`).toBe(true);
    }
    for (const [scenario, declared] of Object.entries(p.expectOn ?? {})) {
      expect(scenarioNames, scenario).toContain(scenario);
      expect(Object.keys(declared), scenario).not.toHaveLength(0);
      for (const [id, e] of Object.entries(declared)) {
        expect(propertyIds, id).toContain(id);
        expect(cites(e), `${scenario} ${id}: ${JSON.stringify(e)}`).toBe(true);
        // a per-scenario declaration that repeats the policy's own says nothing
        expect(e, `${scenario} ${id}`).not.toEqual(p.expect[id] ?? 'holds');
      }
    }
  });
});
