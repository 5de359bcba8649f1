/**
 * A property that catches no variant is a defect: every property of every
 * system names the variants it catches, each exists in its system's mutant
 * registry, and that system's own test runs it (test/properties/dma,
 * test/properties/genpool, test/mutants/page_alloc), so no long run is
 * repeated here. The zoo's variants are those registries' entries, defined
 * once in src/zoo and imported.
 */
import { describe, expect, it } from 'vitest';
import { dmaProperties } from '../../properties/dma/index.ts';
import { genpoolProperties } from '../../properties/genpool/index.ts';
import { pageAllocProperties } from '../../properties/page_alloc/index.ts';
import { zooCatalogue } from '../../src/zoo/catalogue.ts';
import { zooDmaVariants } from '../../src/zoo/dma.ts';
import { zooGenpoolVariants } from '../../src/zoo/genpool.ts';
import { zooPageAllocVariants } from '../../src/zoo/page_alloc.ts';
import { dmaMutants } from '../mutants/dma/index.ts';
import { genpoolMutants } from '../mutants/genpool/index.ts';
import { pageAllocMutants } from '../mutants/page_alloc/mutants.ts';

const systems = [
  { name: 'dma', props: dmaProperties, ids: dmaMutants.map((m) => m.id) },
  { name: 'genpool', props: genpoolProperties, ids: genpoolMutants.map((m) => m.variant.id) },
  { name: 'page-alloc', props: pageAllocProperties, ids: pageAllocMutants.map((m) => m.id) },
];

describe('every property catches at least one variant', () => {
  for (const s of systems)
    it(`${s.name}: each property names variants of its own registry`, () => {
      for (const p of s.props) {
        expect(p.catches.length, p.id).toBeGreaterThan(0);
        for (const c of p.catches) expect(s.ids, `${p.id} names ${c.mutant}`).toContain(c.mutant);
      }
    });

  it('page-alloc: each named variant is run against that very property', () => {
    for (const p of pageAllocProperties)
      for (const c of p.catches)
        expect(pageAllocMutants.find((m) => m.id === c.mutant)?.property, c.mutant).toBe(p.id);
  });

  it('a bug a property cites is one the zoo catches', () => {
    const caught = new Set(zooCatalogue.filter((e) => e.scope.kind === 'caught').map((e) => e.id));
    for (const s of systems)
      for (const p of s.props)
        for (const c of p.catches) if (c.zoo) expect(caught, `${p.id}: ${c.zoo}`).toContain(c.zoo);
  });
});

describe('the zoo variants are the registries entries, defined once', () => {
  it('dma: the test mutant is the zoo variant (same policy and world variant objects)', () => {
    for (const v of zooDmaVariants) {
      const m = dmaMutants.find((x) => x.id === v.id);
      expect(m?.policy, v.id).toBe(v.policy);
      expect(m?.variant, v.id).toBe(v.variant);
    }
  });

  it('genpool: the test mutant is the zoo variant', () => {
    for (const v of zooGenpoolVariants) expect(genpoolMutants).toContain(v);
  });

  it('page-alloc: the zoo variants have their twins in the registry', () => {
    for (const v of zooPageAllocVariants)
      expect(pageAllocMutants.find((m) => m.id === v.id)?.zoo, v.id).toBe(v.zoo);
  });
});
