/**
 * genalloc.md section 2 read bit by bit, in bigint arithmetic modulo 2^64:
 * the reference the bitmap and algorithm tests compare the model with. It
 * shares no code with models/genpool.
 */

/** 2^64: the kernel's unsigned long wraps here. */
export const W64 = 2n ** 64n;

/** x modulo 2^64, as the kernel's unsigned long. */
export const mod64 = (x: bigint): bigint => ((x % W64) + W64) % W64;

/** Bit i of the map; bits past the array read as clear. */
export const bit = (m: Uint32Array, i: number): boolean =>
  Math.floor((m[Math.floor(i / 32)] ?? 0) / 2 ** (i % 32)) % 2 === 1;

/** next_set / next_clear: the first bit in [from, limit) equal to `want`, or limit. */
export function next(m: Uint32Array, limit: number, from: number, want: boolean): number {
  for (let i = from; i < limit; i++) if (bit(m, i) === want) return i;
  return limit;
}

/**
 * zero_area, literally (mod 2^64). Where the kernel would spin forever (the
 * same `from` again) it returns limit + 1: any failure value.
 */
export function zeroArea(
  m: Uint32Array,
  limit: number,
  from: number,
  nr: number,
  mask: bigint,
  off: bigint,
): bigint {
  const msk = mod64(mask);
  const o = mod64(off);
  const seen = new Set<number>();
  for (;;) {
    if (seen.has(from)) return BigInt(limit) + 1n;
    seen.add(from);
    const z = BigInt(next(m, limit, from, false));
    const p = mod64((mod64(z + o + msk) & mod64(~msk)) - o);
    const e = mod64(p + BigInt(nr));
    if (e > BigInt(limit)) return e;
    let b = e;
    for (let i = p; i < e; i++)
      if (bit(m, Number(i))) {
        b = i;
        break;
      }
    if (b >= e) return p;
    from = Number(b) + 1;
  }
}
