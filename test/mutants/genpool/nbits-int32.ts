/** BZ-26 (fixed in v5.11 by 36845663843f): defined in the bug zoo, which ships it. */
import { nbitsInt32 } from '../../../src/zoo/genpool.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = nbitsInt32;
