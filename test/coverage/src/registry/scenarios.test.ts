/**
 * src/registry/scenarios.ts: a scenario file is checked field by field and
 * each problem is one line naming the file; a name that is neither shipped
 * nor a file lists the shipped ones.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../src/cli/errors.ts';
import { kinds } from '../../../../src/registry/kinds.ts';
import {
  defaultScenario,
  resolveScenario,
  shippedScenarios,
} from '../../../../src/registry/scenarios.ts';
import { tempDir } from '../../../setup/temp-dir.ts';

const dir = tempDir('scenario');

/** A scenario file holding `text`. */
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(spec: string): string {
  try {
    resolveScenario(spec, kinds);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`${spec} was accepted`);
}

describe('scenario files', () => {
  it('a valid file is read, its description and default optional', () => {
    const p = file(
      'mine.json',
      JSON.stringify({ name: 'mine', system: 'page-alloc', config: { machine: '4G' } }),
    );
    expect(resolveScenario(p, kinds)).toEqual({
      name: 'mine',
      description: '',
      system: 'page-alloc',
      default: false,
      config: { machine: '4G' },
    });
  });

  it('each missing or wrong field is one line naming the file', () => {
    expect(errorOf(file('a.json', '{ name: 1 }'))).toMatch(/^scenario a\.json: not JSON \(/);
    expect(errorOf(file('b.json', '3'))).toBe('scenario b.json: not an object');
    expect(errorOf(file('c.json', 'null'))).toBe('scenario c.json: not an object');
    expect(errorOf(file('d.json', '{"name": ""}'))).toBe("scenario d.json: no 'name'");
    expect(errorOf(file('e.json', '{"name": "e"}'))).toBe("scenario e.json: no 'system'");
    expect(errorOf(file('f.json', '{"name": "f", "system": "slab"}'))).toBe(
      "scenario f.json: unknown system 'slab' (one of: dma, page-alloc, genpool)",
    );
    expect(
      errorOf(file('g.json', '{"name": "g", "system": "page-alloc", "config": {"machine": "1G"}}')),
    ).toBe("scenario g.json: config.machine must be one of '256M', '4G'");
  });

  it('a path that does not exist, and an unknown name, are errors', () => {
    expect(errorOf(join(dir, 'missing.json'))).toBe(
      `scenario file ${join(dir, 'missing.json')} does not exist`,
    );
    expect(errorOf('nope')).toMatch(/^unknown scenario 'nope' \(one of: .*sev-4g-nvme.*\)$/);
  });

  it('the default scenario is the SEV guest of the DMA world', () => {
    expect(defaultScenario(kinds)?.name).toBe('sev-4g-nvme');
  });
});

describe('shippedScenarios', () => {
  it('for a subset of the kinds, lists that subset and reads no other kind', () => {
    const dma = kinds.filter((k) => k.name === 'dma');
    const mine = shippedScenarios(dma);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((s) => s.system === 'dma')).toBe(true);
    expect(mine.map((s) => s.name)).toEqual(
      shippedScenarios(kinds)
        .filter((s) => s.system === 'dma')
        .map((s) => s.name),
    );
    expect(defaultScenario(dma)?.name).toBe('sev-4g-nvme');
    const genpool = kinds.filter((k) => k.name === 'genpool');
    expect(defaultScenario(genpool)?.system).toBe('genpool');
  });
});
