/** The built-in policies, oldest kernel first. */
import type { Policy } from '../policy.ts';
import { v6_1 } from './6.1.ts';
import { mainline } from './mainline.ts';
import { reservePool2019 } from './reserve-pool-2019.ts';
import { v5_4 } from './v5.4.ts';
import { v5_8 } from './v5.8.ts';

export const builtinPolicies: readonly Policy[] = [v5_4, v5_8, v6_1, mainline, reservePool2019];

export function builtinPolicy(id: string): Policy | undefined {
  return builtinPolicies.find((p) => p.id === id);
}
