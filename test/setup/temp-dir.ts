/**
 * Scratch directories for tests that write traces and reports. Each is
 * removed when the test file that made it finishes, so a test run leaves
 * nothing behind in the system's temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// registered once per test file: vitest isolates each file's module graph
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A new empty directory named poolcheck-`label`-XXXXXX, removed after the file's tests. */
export function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `poolcheck-${label}-`));
  made.push(d);
  return d;
}
