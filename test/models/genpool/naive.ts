/**
 * A deliberately naive second reading of genalloc.md (6.1), for differential
 * tests of models/genpool: one boolean per granule, every address and mask in
 * bigint modulo 2^64, bit-by-bit scans, and no code shared with the model.
 */
const W = 2n ** 64n;
const mod = (x: bigint) => ((x % W) + W) % W;

export interface NaiveChunk {
  start: bigint;
  end: bigint;
  phys: bigint;
  avail: bigint;
  used: boolean[];
}

export type NaiveAlgo =
  | { name: 'first_fit' }
  | { name: 'order_align' }
  | { name: 'best_fit' }
  | { name: 'align'; align: number }
  | { name: 'fixed'; offset: number };

export class NaivePool {
  readonly chunks: NaiveChunk[] = [];
  readonly g: bigint;
  constructor(readonly order: number) {
    this.g = 2n ** BigInt(order);
  }

  add(virt: number, phys: number, size: number): void {
    const n = Number(BigInt(size) / this.g);
    this.chunks.unshift({
      start: BigInt(virt),
      end: mod(BigInt(virt) + BigInt(size) - 1n),
      phys: mod(BigInt(phys)),
      avail: BigInt(size),
      used: new Array<boolean>(n).fill(false),
    });
  }

  /** The literal zero-area loop of the spec, section 2, in 64-bit arithmetic. */
  private zeroArea(
    used: boolean[],
    limit: bigint,
    from: bigint,
    nr: bigint,
    mask: bigint,
    off: bigint,
  ): bigint {
    const isSet = (b: bigint) => b < BigInt(used.length) && used[Number(b)] === true;
    const nextSet = (lim: bigint, f: bigint) => {
      for (let b = f; b < lim; b++) if (isSet(b)) return b;
      return lim;
    };
    const nextClear = (lim: bigint, f: bigint) => {
      for (let b = f; b < lim; b++) if (!isSet(b)) return b;
      return lim;
    };
    const seen = new Set<bigint>();
    for (;;) {
      if (seen.has(from)) return limit + 1n; // the kernel would spin forever
      seen.add(from);
      let p = nextClear(limit, from);
      p = mod((mod(p + off + mask) & mod(~mask)) - off);
      const e = mod(p + nr);
      if (e > limit) return e;
      const b = nextSet(e, p);
      if (b < e) from = b + 1n;
      else return p;
    }
  }

  private pick(c: NaiveChunk, nbits: bigint, algo: NaiveAlgo): bigint {
    const limit = BigInt(c.used.length);
    switch (algo.name) {
      case 'first_fit':
        return this.zeroArea(c.used, limit, 0n, nbits, 0n, 0n);
      case 'order_align': {
        let a = 1n;
        while (a < nbits) a *= 2n;
        return this.zeroArea(c.used, limit, 0n, nbits, a - 1n, 0n);
      }
      case 'align': {
        const al = BigInt(algo.align);
        const mask = mod((mod(al) + this.g - 1n) / this.g - 1n);
        const am1 = al === -(2n ** 31n) ? 2n ** 31n - 1n : al - 1n;
        const off = (c.start & mod(am1)) / this.g;
        return this.zeroArea(c.used, limit, 0n, nbits, mask, off);
      }
      case 'fixed': {
        const o = BigInt(algo.offset);
        if (o % this.g !== 0n) return limit;
        const ob = o / this.g;
        return this.zeroArea(c.used, limit, ob, nbits, 0n, 0n) === ob ? ob : limit;
      }
      case 'best_fit': {
        // maximal clear runs of at least nbits; shortest wins, ties keep the lowest
        let best = limit;
        let bestLen = limit + 1n;
        let b = 0n;
        while (b < limit) {
          if (c.used[Number(b)]) {
            b++;
            continue;
          }
          let e = b;
          while (e < limit && !c.used[Number(e)]) e++;
          if (e - b >= nbits && e - b < bestLen) {
            best = b;
            bestLen = e - b;
          }
          b = e;
        }
        return best;
      }
    }
  }

  alloc(size: number, algo: NaiveAlgo): number {
    if (size === 0) return 0;
    const nbits = (BigInt(size) + this.g - 1n) / this.g;
    for (const c of this.chunks) {
      if (BigInt(size) > c.avail) continue;
      const bit = this.pick(c, nbits, algo);
      if (bit >= BigInt(c.used.length)) continue;
      for (let i = bit; i < bit + nbits; i++) c.used[Number(i)] = true;
      c.avail -= nbits * this.g;
      return Number(c.start + bit * this.g);
    }
    return 0;
  }

  /** Returns whether the kernel would BUG; state is unchanged when it would. */
  free(addr: number, size: number): boolean {
    const a = BigInt(addr);
    const nbits = (BigInt(size) + this.g - 1n) / this.g;
    const c = this.chunks.find((ch) => ch.start <= a && a <= ch.end);
    if (c === undefined) return true;
    if (mod(a + BigInt(size) - 1n) > c.end) return true;
    const bit = (a - c.start) / this.g;
    for (let i = bit; i < bit + nbits; i++) if (c.used[Number(i)] !== true) return true;
    for (let i = bit; i < bit + nbits; i++) c.used[Number(i)] = false;
    c.avail += nbits * this.g;
    return false;
  }

  avail(): number {
    return Number(this.chunks.reduce((s, c) => s + c.avail, 0n));
  }

  size(): number {
    return Number(this.chunks.reduce((s, c) => s + mod(c.end - c.start + 1n), 0n));
  }

  hasAddr(start: number, size: number): boolean {
    const s = BigInt(start);
    const e = mod(s + BigInt(size) - 1n);
    return this.chunks.some((c) => s >= c.start && s <= c.end && e <= c.end);
  }

  virtToPhys(addr: number): bigint {
    const a = BigInt(addr);
    const c = this.chunks.find((ch) => ch.start <= a && a <= ch.end);
    return c === undefined ? W - 1n : mod(c.phys + a - c.start);
  }
}
