/** I11: lib/genalloc.c gen_pool_first_fit_align / _order_align / gen_pool_fixed_alloc, 6.1. */
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { GenpoolState } from '../../src/systems/genpool/system.ts';
import { property } from '../property.ts';
import { chunkViolation, lastAlloc, requestText } from './fit.ts';

const hex = (n: number) => `0x${n.toString(16)}`;
// Stryker disable next-line ConditionalExpression,EqualityOperator: every use also needs align >= g >= 1, so 0 and 1 are never decided here
const isPow2 = (n: number) => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export default property<GenpoolState, GenpoolOp>({
  id: 'genpool/aligned-address',
  ref: 'I11',
  statement:
    'first_fit_align with a power-of-two align >= g returns an address that is a multiple of align when ' +
    'the chunk starts on a granule (else its granule index plus the start offset is aligned); ' +
    'first_fit_order_align returns a bit index in the chunk that is a multiple of roundup_pow_of_two(nbits); ' +
    'fixed_alloc returns exactly chunk start + offset.',
  system: 'genpool',
  after: ['gen_pool_alloc_algo', 'gen_pool_alloc'],
  check: ({ state }) => {
    const ev = lastAlloc(state);
    if (ev === null || ev.chunk === null) return null;
    const c = ev.chunk;
    const g = state.g;
    const rel = ev.addr - c.virt;
    const bit = rel / g;
    const bad = (why: string) =>
      chunkViolation(c, `${hex(ev.addr)} for ${requestText(ev)}: ${why}`);
    if (ev.algo === 'first_fit_align' && ev.data !== undefined && 'align' in ev.data) {
      const align = ev.data.align;
      if (!isPow2(align) || align < g) return null;
      if (c.virt % g === 0)
        return ev.addr % align === 0 ? null : bad(`address not a multiple of ${align}`);
      const off = Math.floor((c.virt % align) / g);
      return (bit + off) % (align / g) === 0 ? null : bad(`bit ${bit} + offset ${off} not aligned`);
    }
    if (ev.algo === 'first_fit_order_align') {
      const a = pow2AtLeast(ev.nbits);
      return bit % a === 0 ? null : bad(`bit ${bit} in the chunk is not a multiple of ${a}`);
    }
    if (ev.algo === 'fixed_alloc' && ev.data !== undefined && 'offset' in ev.data)
      return rel === ev.data.offset ? null : bad(`not at chunk start + ${hex(ev.data.offset)}`);
    return null;
  },
  witness: ({ state }) => {
    const ev = lastAlloc(state);
    const d = ev?.data;
    if (ev?.chunk == null || ev.algo !== 'first_fit_align' || d === undefined || !('align' in d))
      return false;
    const align = d.align;
    return isPow2(align) && align > state.g && ev.chunk.virt % align !== 0;
  },
  catches: [
    { mutant: 'align-relative-to-chunk', zoo: 'BZ-25' },
    { mutant: 'order-align-to-nbits' },
    { mutant: 'fixed-alloc-slides' },
  ],
});
