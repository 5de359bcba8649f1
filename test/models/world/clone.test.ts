/**
 * cloneWorld() (models/world/world.ts): a run starts from a copy of the
 * booted world. When pool.c's state holds more than the field-by-field copy
 * knows (a field added to DmaPoolState, simulated here by an `extra` one),
 * the generic deep copy takes over: objects, arrays, Maps, Sets and typed
 * arrays are copied, an object reached twice stays one object, and anything
 * with no plain copy (a DataView, a class instance) is refused.
 */
import { describe, expect, it } from 'vitest';
import { cloneWorld, type World } from '../../../models/world/world.ts';
import { coherent, run, systemOf } from '../../coverage/properties/dma/world.ts';

const booted = (): World => systemOf().init();

/** The clone's copy of `extra`, put into a booted world's pool state. */
function cloneWith(extra: unknown): unknown {
  const w = booted();
  if (!w.pools) throw new Error('no pools');
  Object.assign(w.pools, { extra });
  const c = cloneWorld(w, w.pa);
  return (c.pools as unknown as { readonly extra: unknown }).extra;
}

describe('cloneWorld: what it refuses', () => {
  it('a world that has run a step is no boot state', () => {
    const w = run([coherent(8192, true)]);
    expect(() => cloneWorld(w, w.pa)).toThrow(new Error('cloneWorld: the world has run a step'));
  });

  it("a page allocator that is not a reset of the booted world's (other zones)", () => {
    const w = booted();
    const other = booted();
    expect(() => cloneWorld(w, other.pa)).toThrow(
      new Error("cloneWorld: pa is not a reset of the booted world's page allocator"),
    );
  });

  it('a DataView in the pool state has no plain copy', () => {
    expect(() => cloneWith(new DataView(new ArrayBuffer(8)))).toThrow(
      new TypeError('copyData: a DataView has no plain copy'),
    );
  });

  it('a class instance (a Date) in the pool state has no plain copy', () => {
    expect(() => cloneWith(new Date(0))).toThrow(
      new TypeError('copyData: only plain data is copied'),
    );
  });
});

describe('cloneWorld: the generic copy of pool state', () => {
  it('a typed array is copied: same type and contents, its own memory', () => {
    const bits = new Uint16Array([1, 2, 3]);
    const copy = cloneWith(bits);
    expect(copy).toBeInstanceOf(Uint16Array);
    expect(copy).toEqual(bits);
    (copy as Uint16Array)[0] = 9;
    expect(bits[0]).toBe(1);
  });

  it('a Set is copied: a new Set of copies', () => {
    const item = { order: 3 };
    const copy = cloneWith(new Set([item]));
    expect(copy).toBeInstanceOf(Set);
    const [got] = [...(copy as Set<{ order: number }>)];
    expect(got).toEqual(item);
    expect(got).not.toBe(item);
  });

  it('an object reached twice is copied once: both references share the copy', () => {
    const shared = { order: 3 };
    const copy = cloneWith({ a: shared, b: shared });
    const c = copy as { a: object; b: object };
    expect(c.a).toEqual(shared);
    expect(c.a).not.toBe(shared);
    expect(c.b).toBe(c.a);
  });

  it('an object reached through a Set and again outside it stays one object', () => {
    const shared = { order: 3 };
    const copy = cloneWith({ set: new Set([shared]), direct: shared });
    const c = copy as { set: Set<object>; direct: object };
    expect(c.direct).not.toBe(shared);
    expect([...c.set][0]).toBe(c.direct);
  });
});
