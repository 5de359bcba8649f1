/**
 * The README stays true: its first lines are the two commands a newcomer
 * needs, and its sample counterexample is what poolcheck prints today.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/check.ts';
import { catalogueIsCurrent } from '../../src/registry/catalogue.ts';
import { tempDir } from '../setup/temp-dir.ts';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('README', () => {
  it('opens with the main job and the test command', () => {
    const block = readme.split('```sh\n')[1]?.split('```')[0] ?? '';
    expect(block).toMatch(/^npm install && npx poolcheck check\b/m);
    expect(block).toMatch(/^npm test\b/m);
  });

  it('shows the counterexample poolcheck prints for v5.4 (seed 42)', async () => {
    const sample = readme.split('```\npoolcheck: ')[1]?.split('```')[0];
    expect(sample).toBeDefined();
    const r = await runCheck({
      policy: ['v5.4'],
      scenario: 'sev-4g-nvme',
      property: ['dma/no-sleep-in-atomic'],
      seed: 42,
      runs: 100,
      maxSteps: 40,
      format: 'text',
      out: tempDir('readme'),
    });
    expect(r.stdout).toContain(`poolcheck: ${sample}`);
  });

  it('properties/README.md is the current catalogue', () => {
    expect(catalogueIsCurrent()).toBe(true);
  });
});
