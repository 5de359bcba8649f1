/**
 * src/registry/policies.ts: a user policy is checked field by field against
 * the built-in it extends (a mistyped override is a one-line error), and
 * inherits that built-in's expectations.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPolicy } from '../../../../models/policies/index.ts';
import { resolvePolicy, validateUserPolicy } from '../../../../src/registry/policies.ts';
import { tempDir } from '../../../setup/temp-dir.ts';

const mainline = builtinPolicy('mainline');
if (!mainline?.dmaPool) throw new Error('mainline has atomic pools');

function errorOf(raw: unknown): string {
  try {
    validateUserPolicy(raw, 'p.ts');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('validateUserPolicy', () => {
  it('needs an object with an id and a built-in to extend', () => {
    expect(errorOf(null)).toBe('policy module p.ts: default export is not a policy object');
    expect(errorOf('mainline')).toBe('policy module p.ts: default export is not a policy object');
    expect(errorOf({ id: '', extends: 'mainline' })).toBe(
      "policy module p.ts: 'id' must be a non-empty string",
    );
    expect(errorOf({ id: 'x', extends: 'v4.19' })).toMatch(
      /^policy module p\.ts: 'extends' must name a built-in policy \(v5\.4, .*mainline.*\)$/,
    );
  });

  it('every override must be a field of the built-in, of the same type', () => {
    const base = { id: 'x', extends: 'mainline' };
    expect(errorOf({ ...base, dmaPools: {} })).toBe(
      "policy module p.ts: 'dmaPools' is not a policy field",
    );
    expect(errorOf({ ...base, dmaPool: 3 })).toBe('policy module p.ts: dmaPool must be an object');
    expect(errorOf({ ...base, dmaPool: [] })).toBe('policy module p.ts: dmaPool must be an object');
    expect(errorOf({ ...base, dmaPool: { nope: 1 } })).toBe(
      'policy module p.ts: dmaPool.nope is not a policy field',
    );
    expect(errorOf({ ...base, dmaPool: { expand_nowarn: 'yes' } })).toBe(
      'policy module p.ts: dmaPool.expand_nowarn must be a boolean',
    );
    expect(errorOf({ ...base, dmaPool: { pools_created: 'always' } })).toBe(
      'policy module p.ts: dmaPool.pools_created must be an object',
    );
    // a pool design the built-in does not have
    expect(errorOf({ ...base, reservePool: {} })).toBe(
      "policy module p.ts: 'reservePool' is null in mainline: extend a policy that has one",
    );
    expect(errorOf({ id: 'x', extends: 'v5.4', dmaPool: mainline.dmaPool })).toBe(
      "policy module p.ts: 'dmaPool' is null in v5.4: extend a policy that has one",
    );
    expect(() => validateUserPolicy({ ...base, reservePool: null }, 'p.ts')).not.toThrow();
  });

  it('every closed decision must hold a value the models know (a JavaScript module has no type check)', () => {
    const base = { id: 'x', extends: 'mainline' };
    expect(
      errorOf({ ...base, dmaPool: { ...mainline.dmaPool, expand_decrypt_failure: 'fre' } }),
    ).toBe('policy module p.ts: dmaPool.expand_decrypt_failure is "fre": one of free, leak');
    // a partial rule set is not merged: what it leaves out is missing
    expect(errorOf({ ...base, dmaPool: { expand_nowarn: false } })).toBe(
      'policy module p.ts: dmaPool.version is missing: one of v5.8, 6.1, mainline',
    );
  });

  it('takes its overrides, inherits the expectations it does not override, names its source', () => {
    const p = validateUserPolicy(
      {
        id: 'mine',
        extends: 'mainline',
        dmaPool: { ...mainline.dmaPool, expand_nowarn: false },
      },
      'mine.ts',
    );
    expect(p.id).toBe('mine');
    expect(p.source).toBe('mine.ts (extends mainline)');
    expect(p.dmaPool?.expand_nowarn).toBe(false);
    expect(p.design).toBe(mainline.design);
    // v5.4 expects BZ-01; a policy extending it keeps that and adds its own
    const old = validateUserPolicy(
      {
        id: 'old',
        extends: 'v5.4',
        source: 'my tree',
        expect: { 'dma/pool-warnings': { fails: 'BZ-14' } },
      },
      'old.ts',
    );
    expect(old.source).toBe('my tree');
    expect(old.expect['dma/no-sleep-in-atomic']).toEqual({ fails: 'BZ-01' });
    expect(old.expect['dma/pool-warnings']).toEqual({ fails: 'BZ-14' });
  });
});

describe('resolvePolicy', () => {
  const dir = tempDir('policy');

  it('an id that is neither built in nor a path is an error', async () => {
    await expect(resolvePolicy('v9.9')).rejects.toThrow(
      /^unknown policy 'v9\.9' \(built-in: .*; or a module path\)$/,
    );
    await expect(resolvePolicy(join(dir, 'absent.mjs'))).rejects.toThrow(
      `policy module ${join(dir, 'absent.mjs')} does not exist`,
    );
  });

  it('a module that throws as it loads is reported by its first line', async () => {
    const p = join(dir, 'throws.mjs');
    writeFileSync(p, "throw new Error('no pools here\\nsecond line');\n");
    await expect(resolvePolicy(p)).rejects.toThrow(
      `policy module ${p} failed to load: no pools here`,
    );
  });

  it('a JavaScript module may export `policy` instead of a default', async () => {
    const p = join(dir, 'named.mjs');
    writeFileSync(p, "export const policy = { id: 'named', extends: '6.1' };\n");
    const policy = await resolvePolicy(p);
    expect(policy.id).toBe('named');
    expect(policy.extends).toBe('6.1');
  });
});
