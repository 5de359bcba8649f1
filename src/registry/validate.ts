/**
 * Small structural checks for data read from files (scenario configs, trace
 * ops): each failure is an Error with a one-line message naming the field.
 */

export type Shape =
  | 'number'
  | 'integer'
  | 'boolean'
  | 'string'
  | readonly string[]
  | { readonly optional: Shape }
  | { readonly array: Shape; readonly min?: number }
  | { readonly object: Readonly<Record<string, Shape>> };

function describe(shape: Shape): string {
  if (typeof shape === 'string') return shape === 'integer' ? 'a whole number' : `a ${shape}`;
  if (Array.isArray(shape)) return `one of ${shape.map((s) => `'${s}'`).join(', ')}`;
  if ('optional' in shape) return describe(shape.optional);
  if ('array' in shape) return 'a list';
  return 'an object';
}

/** Throws when `value` does not have `shape`; `where` names the field. */
export function expectShape(value: unknown, shape: Shape, where: string): void {
  if (typeof shape === 'object' && !Array.isArray(shape) && 'optional' in shape) {
    if (value !== undefined) expectShape(value, shape.optional, where);
    return;
  }
  const bad = () => new Error(`${where} must be ${describe(shape)}`);
  if (shape === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw bad();
  } else if (shape === 'integer') {
    if (!Number.isSafeInteger(value)) throw bad();
  } else if (shape === 'boolean' || shape === 'string') {
    if (typeof value !== shape) throw bad();
  } else if (Array.isArray(shape)) {
    if (typeof value !== 'string' || !shape.includes(value)) throw bad();
  } else if ('array' in shape) {
    if (!Array.isArray(value)) throw bad();
    if (value.length < (shape.min ?? 0))
      throw new Error(`${where} needs at least ${shape.min} entries`);
    value.forEach((v, i) => {
      expectShape(v, shape.array, `${where}[${i}]`);
    });
  } else if ('object' in shape) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad();
    const v = value as Record<string, unknown>;
    for (const [k, s] of Object.entries(shape.object)) expectShape(v[k], s, `${where}.${k}`);
    for (const k of Object.keys(v))
      if (!(k in shape.object)) throw new Error(`${where}.${k} is not a known field`);
  }
}

/** Checks an op against its kind's field shapes; returns it typed. */
export function parseOpWith<O>(
  raw: unknown,
  shapes: Readonly<Record<string, Readonly<Record<string, Shape>>>>,
): O {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('an op must be an object');
  const kind = (raw as { op?: unknown }).op;
  if (typeof kind !== 'string' || !(kind in shapes))
    throw new Error(`unknown op '${String(kind)}' (one of: ${Object.keys(shapes).join(', ')})`);
  expectShape(raw, { object: { op: 'string', ...shapes[kind] } }, kind);
  return raw as O;
}
