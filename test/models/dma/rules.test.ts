/**
 * The DMA rule tables (models/dma/rules.ts, direct_rules.ts): each is filed
 * under its version and names the tree conventions.md gives that version.
 */
import { describe, expect, it } from 'vitest';
import { dmaDirectRules } from '../../../models/dma/direct_rules.ts';
import { dmaPoolRules } from '../../../models/dma/rules.ts';

describe('each rule table is keyed by its version and names the tree it was read from', () => {
  it.each([
    ['v5.4', /^v5\.4: kernel\/dma\/direct\.c /],
    ['v5.8', /^v5\.8: kernel\/dma\/direct\.c /],
    ['6.1', /^Debian 6\.1\.192: kernel\/dma\/direct\.c /],
    ['mainline', /^torvalds\/linux kernel\/dma\/direct\.c at 94a04ad732c9$/],
  ] as const)('dma-direct %s', (version, source) => {
    expect(dmaDirectRules[version].version).toBe(version);
    expect(dmaDirectRules[version].source).toMatch(source);
  });

  it.each([
    ['v5.8', /^v5\.8: kernel\/dma\/pool\.c /],
    ['6.1', /^Debian 6\.1\.192: kernel\/dma\/pool\.c /],
    ['mainline', /^torvalds\/linux kernel\/dma\/pool\.c at 0510cb5b2303$/],
  ] as const)('atomic pools %s', (version, source) => {
    expect(dmaPoolRules[version].version).toBe(version);
    expect(dmaPoolRules[version].source).toMatch(source);
  });
});
