/**
 * src/registry/validate.ts: every shape a scenario config or trace op may
 * have is checked, and each failure names the field and what it must be,
 * in one line.
 */
import { describe, expect, it } from 'vitest';
import { expectShape, parseOpWith } from '../../../../src/registry/validate.ts';

describe('expectShape', () => {
  it('numbers: finite; integers: safe whole numbers', () => {
    expect(() => expectShape(1.5, 'number', 'x')).not.toThrow();
    expect(() => expectShape(Number.NaN, 'number', 'x')).toThrow('x must be a number');
    expect(() => expectShape(Number.POSITIVE_INFINITY, 'number', 'x')).toThrow(/a number/);
    expect(() => expectShape('1', 'number', 'x')).toThrow(/a number/);
    expect(() => expectShape(3, 'integer', 'n')).not.toThrow();
    expect(() => expectShape(1.5, 'integer', 'n')).toThrow('n must be a whole number');
    expect(() => expectShape(2 ** 53, 'integer', 'n')).toThrow(/whole number/);
  });

  it('booleans and strings by typeof, names from a list', () => {
    expect(() => expectShape(false, 'boolean', 'b')).not.toThrow();
    expect(() => expectShape(0, 'boolean', 'b')).toThrow('b must be a boolean');
    expect(() => expectShape('', 'string', 's')).not.toThrow();
    expect(() => expectShape(null, 'string', 's')).toThrow('s must be a string');
    expect(() => expectShape('4G', ['256M', '4G'], 'm')).not.toThrow();
    expect(() => expectShape('1G', ['256M', '4G'], 'm')).toThrow("m must be one of '256M', '4G'");
    expect(() => expectShape(4, ['256M', '4G'], 'm')).toThrow(/one of/);
  });

  it('optional fields may be absent, but not wrong', () => {
    expect(() => expectShape(undefined, { optional: 'integer' }, 'o')).not.toThrow();
    expect(() => expectShape(2, { optional: 'integer' }, 'o')).not.toThrow();
    expect(() => expectShape('2', { optional: 'integer' }, 'o')).toThrow(
      'o must be a whole number',
    );
  });

  it('lists: an array, long enough, each entry checked with its index', () => {
    const shape = { array: 'integer', min: 2 } as const;
    expect(() => expectShape([1, 2], shape, 'l')).not.toThrow();
    expect(() => expectShape({ 0: 1 }, shape, 'l')).toThrow('l must be a list');
    expect(() => expectShape([1], shape, 'l')).toThrow('l needs at least 2 entries');
    expect(() => expectShape([1, 'two'], shape, 'l')).toThrow('l[1] must be a whole number');
    expect(() => expectShape([], { array: 'string' }, 'l')).not.toThrow();
  });

  it('objects: a plain object, each field checked, no unknown field', () => {
    const shape = { object: { a: 'integer', b: { optional: 'string' } } } as const;
    expect(() => expectShape({ a: 1 }, shape, 'c')).not.toThrow();
    expect(() => expectShape(null, shape, 'c')).toThrow('c must be an object');
    expect(() => expectShape([1], shape, 'c')).toThrow('c must be an object');
    expect(() => expectShape('x', shape, 'c')).toThrow('c must be an object');
    expect(() => expectShape({ a: 'x' }, shape, 'c')).toThrow('c.a must be a whole number');
    expect(() => expectShape({ a: 1, z: 0 }, shape, 'c')).toThrow('c.z is not a known field');
    // a nested list of objects reports the deepest field
    const nested = { object: { l: { array: { object: { n: 'integer' } } } } } as const;
    expect(() => expectShape({ l: [{ n: 1 }, { n: 'x' }] }, nested, 'c')).toThrow(
      'c.l[1].n must be a whole number',
    );
  });

  it('a wrong value of an optional list says what the list holds', () => {
    expect(() => expectShape('x', { optional: { array: 'integer' } }, 'v')).toThrow(
      'v must be a list',
    );
  });
});

describe('parseOpWith', () => {
  const shapes = {
    free: { pick: 'integer' },
    alloc: { size: 'integer', nowarn: 'boolean' },
  } as const;

  it('returns a valid op as it is', () => {
    const op = { op: 'alloc', size: 4096, nowarn: false };
    expect(parseOpWith(op, shapes)).toBe(op);
  });

  it('an op must be an object', () => {
    for (const raw of [null, 3, 'free', [{ op: 'free', pick: 0 }]])
      expect(() => parseOpWith(raw, shapes)).toThrow('an op must be an object');
  });

  it('names the known ops when the op is unknown or missing', () => {
    expect(() => parseOpWith({ op: 'grow' }, shapes)).toThrow(
      "unknown op 'grow' (one of: free, alloc)",
    );
    expect(() => parseOpWith({ pick: 0 }, shapes)).toThrow("unknown op 'undefined'");
  });

  it('checks the fields under the op name', () => {
    expect(() => parseOpWith({ op: 'free' }, shapes)).toThrow('free.pick must be a whole number');
    expect(() => parseOpWith({ op: 'free', pick: 0, size: 1 }, shapes)).toThrow(
      'free.size is not a known field',
    );
  });
});
