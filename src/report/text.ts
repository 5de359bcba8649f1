/**
 * Plain-text renderers: mailing-list safe (ASCII, at most 72 columns).
 * Pure functions of the check results; nothing here runs a model.
 */

export const WIDTH = 72;

/** Wraps `text` to `width` columns, continuation lines indented by `indent`. */
export function wrap(text: string, indent = '    ', width = WIDTH): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  let line = '';
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  for (const word of text.trim().split(/\s+/)) {
    const prefix = out.length === 0 ? lead : indent;
    const candidate = line === '' ? prefix + word : `${line} ${word}`;
    if (candidate.length <= width || line === '') line = candidate;
    else {
      out.push(line);
      line = indent + word;
    }
    // a single word longer than the width is cut hard, never left long
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = indent + line.slice(width);
    }
  }
  if (line !== '') out.push(line);
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
