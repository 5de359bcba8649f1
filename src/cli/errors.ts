/**
 * Bad input: a flag, a size, a trace file, a policy module. The CLI prints
 * the message on one line and exits 2; nothing is half-written.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes of every command. */
export const EXIT = { ok: 0, violation: 1, usage: 2 } as const;
