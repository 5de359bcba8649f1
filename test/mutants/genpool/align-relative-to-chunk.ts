/** BZ-25 (fixed in v5.0 by 52fbf1134d47): defined in the bug zoo, which ships it. */
import { alignRelativeToChunk } from '../../../src/zoo/genpool.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = alignRelativeToChunk;
