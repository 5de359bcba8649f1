/** A 32 MiB machine for unit tests: DMA pfns 0-4095, DMA32 4096-8191, nothing reserved or in use. */
import type { MachineConfig } from '../../../models/page_alloc/machine.ts';

export const tiny: MachineConfig = {
  name: 'tiny',
  memory: [{ start: 0, end: 8192 }],
  reserved: [],
};
