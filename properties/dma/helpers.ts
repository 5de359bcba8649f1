/** What the DMA properties share: the world's view of devices, buffers and pages. */

import type { Device } from '../../models/dma/device.ts';
import { force_dma_unencrypted } from '../../models/dma/device.ts';
import { ENC_DECRYPTED, ENC_NAMES, OWNER_NAMES } from '../../models/page_alloc/pages.ts';
import type { DmaBuffer, World } from '../../models/world/world.ts';
import { hex } from '../../src/report/text.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import type { Property } from '../property.ts';

export type DmaProperty = Property<World, DmaOp>;

export const PAGE = 4096;

/** The ops that hand a buffer to a driver. */
export const ALLOC_OPS = ['dma_alloc_coherent', 'dma_alloc_pages'] as const;
/** The ops that take a buffer back. */
export const FREE_OPS = ['dma_free_coherent', 'dma_free_pages'] as const;

export function deviceOf(w: World, b: DmaBuffer): Device {
  return w.config.devices[b.dev] as Device;
}

/** force_dma_unencrypted() of the buffer's device on this platform. */
export function needsUnencrypted(w: World, b: DmaBuffer): boolean {
  return force_dma_unencrypted(deviceOf(w, b), w.config.platform);
}

/** The pfns a buffer spans: [first, first + n). */
export function bufferPages(b: DmaBuffer): { first: number; n: number } {
  return { first: Math.floor(b.phys / PAGE), n: Math.ceil(b.size / PAGE) };
}

/** The buffer just handed out by this step, if the step allocated one. */
export function newBuffer(w: World, _op: DmaOp): DmaBuffer | undefined {
  return w.stepBuffer ?? undefined;
}

/** A page's state, for evidence lines. */
export function pageLine(w: World, pfn: number): string {
  const { owner, enc } = w.pa.pages;
  return `pfn ${hex(pfn)}: ${OWNER_NAMES[owner[pfn] as number]}, ${ENC_NAMES[enc[pfn] as number]}`;
}

/** First page of [first, first + n) that is not decrypted, or -1. */
export function firstNotDecrypted(w: World, first: number, n: number): number {
  const enc = w.pa.pages.enc;
  for (let p = first; p < first + n; p++) if (enc[p] !== ENC_DECRYPTED) return p;
  return -1;
}

export function bufferName(w: World, b: DmaBuffer): string {
  return `buffer #${b.id} (${deviceOf(w, b).name}, ${b.size} bytes at ${hex(b.phys)})`;
}
