/** BZ-27 (~v3.11): defined in the bug zoo, which ships it. */
import { exclusiveChunkEnd } from '../../../src/zoo/genpool.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = exclusiveChunkEnd;
