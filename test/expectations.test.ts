/**
 * The expectation table (conventions.md): every built-in policy shows, on
 * every shipped scenario, exactly the outcome it declares for each property
 * (per scenario where a bug needs a CMA area or encryption to show):
 * a known bug fails where its kernel had it and nowhere else.
 */

import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_STEPS, DEFAULT_SEED, defaultRuns } from '../src/cli/budget.ts';
import { runCheck } from '../src/cli/check.ts';
import { kinds } from '../src/registry/kinds.ts';
import { shippedScenarios } from '../src/registry/scenarios.ts';
import { tempDir } from './setup/temp-dir.ts';

interface Report {
  readonly skipped?: readonly { readonly policy: string; readonly why: string }[];
  readonly outcomes: readonly {
    readonly policy: string;
    readonly property: string;
    readonly status: string;
    readonly asExpected: boolean;
  }[];
}

/** `poolcheck check --format json` at the default budget, on one scenario or the defaults. */
async function check(scenario?: string): Promise<{ code: number; report: Report }> {
  const r = await runCheck({
    ...(scenario === undefined ? {} : { scenario }),
    seed: DEFAULT_SEED,
    runs: defaultRuns(),
    maxSteps: DEFAULT_MAX_STEPS,
    format: 'json',
    out: tempDir('exp'),
  });
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

describe(`poolcheck check, default scenarios, seed ${DEFAULT_SEED}`, () => {
  it('every outcome matches its policy expectation', async () => {
    const { code, report } = await check();
    const off = report.outcomes
      .filter((o) => !o.asExpected)
      .map((o) => `${o.policy} ${o.property} ${o.status}`);
    expect(off).toEqual([]);
    expect(code).toBe(0);
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

describe(`poolcheck check, every other shipped DMA scenario, seed ${DEFAULT_SEED}`, () => {
  const others = shippedScenarios(kinds).filter((s) => s.system === 'dma' && !s.default);

  it('there are some (CMA areas, TDX, no encryption, kdump)', () => {
    expect(others.length).toBeGreaterThanOrEqual(5);
  });

  for (const scenario of others)
    it(`${scenario.name}: every outcome matches its policy expectation there`, async () => {
      const { code, report } = await check(scenario.name);
      const off = report.outcomes
        .filter((o) => !o.asExpected)
        .map((o) => `${o.policy} ${o.property} ${o.status}`);
      expect(off).toEqual([]);
      expect(code).toBe(0);
      // only a kernel that does not know the machine's platform is left out
      const cc = (scenario.config as { cc: string }).cc;
      for (const s of report.skipped ?? []) expect(s.why).toContain(cc);
      expect((report.skipped ?? []).length > 0).toBe(cc === 'tdx-guest');
    });

  it('a policy asked for by name that cannot run the machine is bad input', async () => {
    await expect(
      runCheck({
        scenario: 'tdx-256m',
        policy: ['v5.4'],
        seed: DEFAULT_SEED,
        runs: 1,
        maxSteps: 1,
        format: 'text',
        out: tmpdir(),
      }),
    ).rejects.toThrow(/^policy v5.4 cannot run this machine: .*tdx-guest/);
  });
});
