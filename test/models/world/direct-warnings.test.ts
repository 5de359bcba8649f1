/**
 * dma-direct's warnings and wild acts in the world (models/world/world.ts
 * recordDirect()): a warning dma-direct reports is logged once, unless the
 * same text is already among the step's events (set_memory's own warning,
 * "CPA VMM failure ...", logged by the world's set_memory); a `wild` effect
 * (an act on memory that is not the buffer, dma.md T15) becomes a `wild`
 * event whose detail names the call: `op: detail`.
 */
import { describe, expect, it } from 'vitest';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import {
  coherent,
  freeCoherent,
  freePages,
  pagesOp,
  run,
  systemOf,
} from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;
const hex = (n: number) => `0x${n.toString(16)}`;
const refuseEncrypt: DmaOp = { op: 'fault', at: 'set_memory_encrypted', order: -1 };

describe('a refused re-encryption on dma_free_coherent() (6.1: the buffer is leaked)', () => {
  it("logs the CPA warning and dma-direct's leak warning, each exactly once, in the kernel's order", () => {
    const w = run([coherent(2 * PAGE, false), refuseEncrypt, freeCoherent]);
    const leak = w.events.find((e) => e.kind === 'leak');
    if (leak?.kind !== 'leak') throw new Error('no leak');
    const pfn = leak.pfn;
    expect(w.events.filter((e) => e.kind === 'warn' || e.kind === 'leak')).toEqual([
      {
        kind: 'warn',
        text: `CPA VMM failure to convert memory (pfn ${hex(pfn)}, numpages=2) to private`,
      },
      { kind: 'warn', text: "leaking DMA memory that can't be re-encrypted" },
      { kind: 'leak', pfn, npages: 2, cause: 'set_memory_encrypted failed' },
    ]);
  });
});

describe('wild acts (6.1, T15: the page API hands out the pool block address as its page)', () => {
  it('dma_free_pages() of an atomic pool block: each wild act is an event named `op: detail`', () => {
    const system = systemOf();
    const w = system.init();
    system.step(w, pagesOp(2 * PAGE, true));
    const b = w.stepBuffer;
    if (b?.page?.kind !== 'cpu_addr') throw new Error('no pool block handed out by address');
    system.step(w, freePages);
    const at = hex(b.phys / PAGE);
    expect(w.events).toEqual([
      {
        kind: 'wild',
        detail: `dma_free_from_pool: page_address() of the CPU address of pfn ${at} lies in no pool; the block stays allocated`,
      },
      {
        kind: 'wild',
        detail: `set_memory_encrypted: converts 2 pages at an address that is not the buffer at pfn ${at}`,
      },
      {
        kind: 'wild',
        detail: `dma_free_contiguous: frees a page that is not the buffer at pfn ${at}`,
      },
    ]);
  });
});
