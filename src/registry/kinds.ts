/** The system kinds poolcheck knows, in the order reports list them. */
import type { SystemKind } from './kind.ts';

export const kinds: readonly SystemKind[] = [];

export function kindOf(name: string): SystemKind | undefined {
  return kinds.find((k) => k.name === name);
}
