/** A gen_pool mutant: a broken variant of the model and the configuration that exposes it. */
import type { GenpoolVariant } from '../../../src/systems/genpool/system.ts';

export interface GenpoolMutant {
  readonly variant: GenpoolVariant;
  /** A key of GENPOOL_CONFIGS where the defect shows within a small budget. */
  readonly config: 'pages' | 'bytes' | 'order0' | 'huge';
  /** What is wrong, in one line. */
  readonly wrong: string;
}
