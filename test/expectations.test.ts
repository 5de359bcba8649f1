/**
 * The expectation table (conventions.md): every built-in policy shows, on
 * every default scenario, exactly the outcome it declares for each property:
 * a known bug fails where its kernel had it and nowhere else.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_STEPS, DEFAULT_SEED, defaultRuns } from '../src/cli/budget.ts';
import { runCheck } from '../src/cli/check.ts';

describe(`poolcheck check, default scenarios, seed ${DEFAULT_SEED}`, () => {
  it('every outcome matches its policy expectation', async () => {
    const r = await runCheck({
      seed: DEFAULT_SEED,
      runs: defaultRuns(),
      maxSteps: DEFAULT_MAX_STEPS,
      format: 'json',
      out: mkdtempSync(join(tmpdir(), 'poolcheck-exp-')),
    });
    const report = JSON.parse(r.stdout) as {
      outcomes: {
        policy: string;
        property: string;
        status: string;
        expected: unknown;
        asExpected: boolean;
      }[];
    };
    const off = report.outcomes
      .filter((o) => !o.asExpected)
      .map((o) => `${o.policy} ${o.property} ${o.status}`);
    expect(off).toEqual([]);
    expect(r.code).toBe(0);
    // the known bugs are found where their kernels had them
    const violated = report.outcomes
      .filter((o) => o.status === 'violated')
      .map((o) => `${o.policy} ${o.property}`)
      .sort();
    expect(violated).toEqual(
      [
        'v5.4 dma/no-sleep-in-atomic',
        'v5.4 dma/buffer-decrypted',
        'v5.4 dma/no-shared-page-freed',
        'v5.8 dma/no-shared-page-freed',
        'v5.8 dma/pool-warnings',
        '6.1 dma/no-shared-page-freed',
        '6.1 dma/free-to-owner',
      ].sort(),
    );
  });
});
