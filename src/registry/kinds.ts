/** The system kinds poolcheck knows, in the order reports list them. */
import { dmaKind } from '../systems/dma/kind.ts';
import { genpoolKind } from '../systems/genpool/kind.ts';
import { pageAllocKind } from '../systems/page_alloc/kind.ts';
import type { SystemKind } from './kind.ts';

export const kinds: readonly SystemKind[] = [dmaKind, pageAllocKind, genpoolKind];

export function kindOf(name: string): SystemKind | undefined {
  return kinds.find((k) => k.name === name);
}
