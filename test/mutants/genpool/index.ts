/** Every gen_pool mutant, by id. */
import { mutant as alignRelativeToChunk } from './align-relative-to-chunk.ts';
import { mutant as availRawBytes } from './avail-raw-bytes.ts';
import { mutant as bestFitNeedsSlack } from './best-fit-needs-slack.ts';
import { mutant as bestFitTieLater } from './best-fit-tie-later.ts';
import { mutant as endBitRoundsUp } from './end-bit-rounds-up.ts';
import { mutant as exclusiveChunkEnd } from './exclusive-chunk-end.ts';
import { mutant as fixedAllocSlides } from './fixed-alloc-slides.ts';
import { mutant as freeNbitsOffByOne } from './free-nbits-off-by-one.ts';
import type { GenpoolMutant } from './mutant.ts';
import { mutant as nbitsInt32 } from './nbits-int32.ts';
import { mutant as oldestChunkFirst } from './oldest-chunk-first.ts';
import { mutant as orderAlignToNbits } from './order-align-to-nbits.ts';
import { mutant as searchStartCarried } from './search-start-carried.ts';
import { mutant as zeroAreaNoRecheck } from './zero-area-no-recheck.ts';

export const genpoolMutants: readonly GenpoolMutant[] = [
  orderAlignToNbits,
  oldestChunkFirst,
  alignRelativeToChunk,
  availRawBytes,
  searchStartCarried,
  exclusiveChunkEnd,
  fixedAllocSlides,
  bestFitTieLater,
  bestFitNeedsSlack,
  zeroAreaNoRecheck,
  endBitRoundsUp,
  freeNbitsOffByOne,
  nbitsInt32,
];
