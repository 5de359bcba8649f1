/**
 * The bug zoo (test/zoo is poolcheck's `quality/`): at the default budget
 * every in-scope bug of spec/bug-zoo.md is caught by the property the
 * catalogue names, shrunk to at most the declared steps, while the fixed
 * kernel passes the same search; out-of-scope bugs say why in one line;
 * `poolcheck zoo` prints all of it. Each case runs once, when a test first
 * needs it. Seeds are in the test names.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_STEPS, DEFAULT_RUNS, DEFAULT_SEED } from '../../src/cli/budget.ts';
import { zooCommandResult } from '../../src/cli/zoo.ts';
import { caseId, caseSetting, type ZooCase, zooCatalogue } from '../../src/zoo/catalogue.ts';
import { renderZooText } from '../../src/zoo/report.ts';
import {
  buildCase,
  bz09Finding,
  runZoo,
  runZooCase,
  type ZooBudget,
  type ZooCaseResult,
  type ZooEntryResult,
} from '../../src/zoo/run.ts';

// the default budget itself, whatever POOLCHECK_RUNS says: the zoo's claim is about it
const budget = { seed: DEFAULT_SEED, runs: DEFAULT_RUNS, maxSteps: DEFAULT_MAX_STEPS };
const seedName = `seed ${budget.seed}, ${budget.runs} runs x ${budget.maxSteps} steps`;

// Each case runs when a test first asks for it, not all at once in a
// beforeAll: under Stryker (vitest.stryker.config.ts) a test then runs, and
// is charged with, only the code of its own case.
const memo = new Map<string, ZooCaseResult>();
function runCase(bug: string, c: ZooCase, b: ZooBudget): ZooCaseResult {
  const key = `${bug} ${caseId(c)}`;
  const known = memo.get(key);
  if (known) return known;
  const r = runZooCase(bug, c, b);
  memo.set(key, r);
  return r;
}

/** The whole zoo's results, running the cases no test has asked for yet. */
const zoo = (): ZooEntryResult[] => runZoo(budget, undefined, runCase);

const inScope = zooCatalogue.flatMap((e) =>
  e.scope.kind === 'caught' ? e.scope.cases.map((c) => ({ bug: e.id, c })) : [],
);

describe(`every in-scope bug is caught at the default budget (${seedName})`, () => {
  for (const { bug, c } of inScope)
    it(`${bug} ${caseId(c)} (${caseSetting(c)}): ${c.property}, <= ${c.maxSteps} steps`, () => {
      const r = runCase(bug, c, budget);
      expect(r.caught, `${bug} ${r.variant} not caught in ${r.runs} runs`).toBe(true);
      expect(r.caughtBy).toBe(c.property);
      expect(r.steps).not.toBeNull();
      expect(r.steps ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(c.maxSteps);
      expect(r.originalSteps ?? -1).toBeGreaterThanOrEqual(r.steps ?? 0);
      expect(r.runs).toBeLessThanOrEqual(budget.runs);
      expect(r.violation?.message.length ?? 0).toBeGreaterThan(0);
      expect(r.asDeclared).toBe(true);
    });
});

describe(`the fixed kernel passes the same searches (${seedName})`, () => {
  // one search per setting, for every property its cases name
  const groups = new Map<string, { c: ZooCase; ids: Set<string> }>();
  for (const { c } of inScope) {
    // test/properties/genpool already runs the kernel's gen_pool in every configuration
    if (c.build.system === 'genpool' || buildCase(c, true) === null) continue;
    const key = `${caseSetting(c)} ${c.build.system === 'page-alloc' ? c.build.variant.base : ''}`;
    const g = groups.get(key) ?? { c, ids: new Set<string>() };
    g.ids.add(c.property);
    groups.set(key, g);
  }
  for (const [key, g] of groups)
    it(`${key.trim()}: ${[...g.ids].join(', ')} hold`, () => {
      const r = buildCase(g.c, true)?.search([...g.ids], budget);
      const broken = (r?.results ?? []).filter((x) => x.status !== 'held');
      expect(
        broken.map((x) => `${x.property}: ${x.counterexample?.failure.violation.message}`),
      ).toEqual([]);
      expect(r?.results.length).toBe(g.ids.size);
    });
});

describe('bugs the models cannot express, and the finding', () => {
  it('each out-of-scope bug gives its reason in one line', () => {
    const out = zooCatalogue.filter((e) => e.scope.kind === 'out-of-scope');
    expect(out.map((e) => e.id)).toEqual(['BZ-06', 'BZ-13', 'BZ-16', 'BZ-18', 'BZ-31', 'BZ-35']);
    for (const e of out) {
      const why = e.scope.kind === 'out-of-scope' ? e.scope.why : '';
      expect(why, e.id).toMatch(/^[^\n]{20,160}$/);
    }
  });

  it('every bug of spec/bug-zoo.md (its summary table) has exactly one entry', () => {
    const table = [
      1, 3, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 23, 25, 26, 27, 28, 31, 34, 35,
    ];
    const ids = table.map((n) => `BZ-${String(n).padStart(2, '0')}`);
    expect(zooCatalogue.map((e) => e.id)).toEqual(ids);
  });

  it('BZ-09: the dma pool reaches its 4 MiB cap where dma.md says (4 202 496 pages)', () => {
    const text = bz09Finding();
    expect(text).toContain('(4202496 pages)');
    expect(text).toMatch(/first chunk is 4 MiB, \d+% of ZONE_DMA's 3840 managed pages/);
    const row = zoo().find((r) => r.entry.id === 'BZ-09');
    expect(row?.kind === 'finding' ? row.finding : '').toBe(text);
  });
});

describe(`poolcheck zoo prints the table (${seedName})`, () => {
  it('exits 0, every line ASCII and at most 72 columns', () => {
    const r = zooCommandResult(budget, zoo(), 'text');
    expect(r.code).toBe(0);
    for (const line of r.stdout.split('\n')) {
      expect(line.length, line).toBeLessThanOrEqual(72);
      expect(line).toMatch(/^[\x20-\x7e]*$/);
    }
    expect(r.stdout).toMatch(
      /^result: \d+ of \d+ variants caught as declared; 6 bugs out of scope$/m,
    );
  });

  it('matches the golden table, times aside', async () => {
    await expect(renderZooText(budget, zoo(), { time: false })).toMatchFileSnapshot(
      './zoo.golden.txt',
    );
  });

  it('gives the same facts as JSON', () => {
    const doc = JSON.parse(zooCommandResult(budget, zoo(), 'json').stdout) as {
      schema: string;
      allAsDeclared: boolean;
      bugs: { id: string; fix: string[]; scope: string; cases?: { how: string }[] }[];
    };
    expect(doc.schema).toBe('poolcheck-zoo');
    expect(doc.allAsDeclared).toBe(true);
    expect(doc.bugs.map((b) => b.id)).toEqual(zooCatalogue.map((e) => e.id));
    for (const b of doc.bugs) {
      expect(b.fix.length, b.id).toBeGreaterThan(0);
      for (const c of b.cases ?? []) expect(c.how.length, b.id).toBeGreaterThan(0);
    }
  });

  it('a variant not caught as declared is marked and fails the command', () => {
    const first = zoo().find((r) => r.kind === 'caught');
    if (first?.kind !== 'caught') throw new Error('no caught entry');
    const missed = {
      ...first,
      cases: first.cases.map((c) => ({ ...c, caught: false, asDeclared: false, steps: null })),
    };
    const r = zooCommandResult(budget, [missed], 'text');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^! {5}\S+ \(/m);
    expect(r.stdout).toMatch(/not caught in \d+ runs/);
  });
});
