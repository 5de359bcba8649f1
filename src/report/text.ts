/**
 * Plain-text renderers: mailing-list safe (ASCII, at most 72 columns).
 * Pure functions of the check results; nothing here runs a model.
 */

export const WIDTH = 72;

/**
 * Wraps `text` to `width` columns, breaking at the last space that fits;
 * continuation lines start with `indent`. Spacing inside a line is kept
 * (tables stay aligned); a word longer than a line is cut hard.
 */
export function wrap(text: string, indent = '    ', width = WIDTH): string[] {
  const out: string[] = [];
  let rest = text;
  let first = true;
  while ((first ? 0 : indent.length) + rest.length > width) {
    const room = width - (first ? 0 : indent.length);
    let cut = rest.lastIndexOf(' ', room);
    // never break inside the leading indentation
    const lead = /^\s*/.exec(rest)?.[0].length ?? 0;
    if (cut <= lead) cut = room;
    out.push((first ? '' : indent) + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    first = false;
  }
  if (rest !== '' || first) out.push((first ? '' : indent) + rest);
  return out;
}

/** Replaces anything outside printable ASCII, so reports paste anywhere. */
export function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e\n]/g, '?');
}

/** Pads or cuts `s` to exactly `n` columns. */
export function cell(s: string, n: number, right = false): string {
  const t = s.length > n ? s.slice(0, n) : s;
  return right ? t.padStart(n) : t.padEnd(n);
}

/** Byte sizes as the kernel prints them in messages: `8 KiB`, `4 MiB`, `1536 B`. */
export function size(bytes: number): string {
  if (bytes >= 1048576 && bytes % 1048576 === 0) return `${bytes / 1048576} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** Lower-case hex with a 0x prefix, as the kernel prints addresses. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
