/**
 * Machines for the page-allocator system, as QEMU `pc` lays them out
 * (data/ground-truth/zones/boot-table.json: zone starts, spans, present and
 * managed pages of the 256M and 4G boots, and their default
 * min_free_kbytes). Where the kernel's reserved ranges are not in the data
 * (which pages memblock kept), they are placed where the kernel image and
 * memmap usually sit; only their sizes matter to the watermarks.
 * `boot_use` leaves most memory in use, as a running system has it, so
 * short runs reach the watermarks.
 */
import type { MachineConfig } from '../../../models/page_alloc/machine.ts';

/** 256 MiB: DMA 3840 managed, DMA32 48848 managed, min_free_kbytes 1796. */
export const machine256M: MachineConfig = {
  name: '256M',
  memory: [
    { start: 1, end: 159 },
    { start: 256, end: 65504 },
  ],
  reserved: [
    { start: 1, end: 159 },
    { start: 4096, end: 15096 },
    { start: 63944, end: 65504 },
  ],
  min_free_kbytes: 1796,
  boot_use: [
    { zone: 'DMA', unmovable: 2500, pagecache: 0, dirty: 0 },
    { zone: 'DMA32', unmovable: 12000, pagecache: 30000, dirty: 5300 },
  ],
};

/** 4 GiB: DMA 3840, DMA32 754602, Normal 243907 managed; min_free_kbytes 67584 (THP, three zones). */
export const machine4G: MachineConfig = {
  name: '4G',
  memory: [
    { start: 1, end: 159 },
    { start: 256, end: 786400 },
    { start: 1048576, end: 1310720 },
  ],
  reserved: [
    { start: 1, end: 159 },
    { start: 4096, end: 24096 },
    { start: 778698, end: 786400 },
    { start: 1292483, end: 1310720 },
  ],
  min_free_kbytes: 67584,
  boot_use: [
    { zone: 'DMA', unmovable: 128, pagecache: 0, dirty: 0 },
    { zone: 'DMA32', unmovable: 300000, pagecache: 330000, dirty: 100000 },
    { zone: 'Normal', unmovable: 80000, pagecache: 120000, dirty: 30000 },
  ],
};

/** The machines by name. */
export const pageAllocMachines: Readonly<Record<string, MachineConfig>> = {
  '256M': machine256M,
  '4G': machine4G,
};
