/** Shared by every conformance reader: malformed kernel data and the result of a replay. */

/** Kernel data that cannot be read: one line naming the file (or line) and the problem. */
export class ConformanceInputError extends Error {
  override readonly name = 'ConformanceInputError';
}

/** The first line (or field) where the model and the kernel disagree. */
export interface Divergence {
  /** Where: a line number, or a path such as `mem-1G zones DMA32 min`. */
  readonly where: string;
  readonly kernel: string;
  readonly model: string;
}

/** How one file of kernel data compares with the model. */
export interface ConformanceResult {
  readonly matched: number;
  readonly total: number;
  readonly firstDivergence?: Divergence;
}
