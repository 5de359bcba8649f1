/** The system kinds poolcheck knows, in the order reports list them. */
import { genpoolKind } from '../systems/genpool/kind.ts';
import type { SystemKind } from './kind.ts';

export const kinds: readonly SystemKind[] = [genpoolKind];

export function kindOf(name: string): SystemKind | undefined {
  return kinds.find((k) => k.name === name);
}
