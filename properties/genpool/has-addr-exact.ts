/** I6: lib/genalloc.c gen_pool_has_addr(), 6.1 (BZ-27: inclusive chunk end). */
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { GenpoolState } from '../../src/systems/genpool/system.ts';
import { property } from '../property.ts';

const hex = (n: number) => `0x${n.toString(16)}`;

export default property<GenpoolState, GenpoolOp>({
  id: 'genpool/has-addr-exact',
  ref: 'I6',
  statement:
    'gen_pool_has_addr(start, size) is true exactly when [start, start + size - 1] lies inside one ' +
    'chunk [virt, virt + size - 1] as added (size 0: when start lies in a chunk), whatever is allocated.',
  system: 'genpool',
  after: ['gen_pool_has_addr'],
  check: ({ state }) => {
    const ev = state.last;
    if (ev?.kind !== 'has_addr') return null;
    const last = ev.start + ev.size - 1;
    const want =
      last >= 0 &&
      state.added.some(
        (c) => c.virt <= ev.start && ev.start <= c.virt + c.size - 1 && last <= c.virt + c.size - 1,
      );
    return want === ev.result
      ? null
      : {
          subject: 'pool',
          message: `gen_pool_has_addr(${hex(ev.start)}, ${ev.size}) = ${ev.result}, want ${want}`,
          details: state.added.map(
            (c) => `chunk ${c.id} ${hex(c.virt)}-${hex(c.virt + c.size - 1)}`,
          ),
        };
  },
  witness: ({ state }) => {
    const ev = state.last;
    return (
      ev?.kind === 'has_addr' &&
      !ev.result &&
      state.added.some((c) => c.virt <= ev.start && ev.start < c.virt + c.size)
    );
  },
  catches: [{ mutant: 'exclusive-chunk-end', zoo: 'BZ-27' }],
});
