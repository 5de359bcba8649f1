/** Colour only on a TTY and only without NO_COLOR; reports stay plain otherwise. */
export function useColour(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && process.env.NO_COLOR === undefined;
}

export function paint(on: boolean, code: 'red' | 'green' | 'bold', text: string): string {
  if (!on) return text;
  const c = code === 'red' ? 31 : code === 'green' ? 32 : 1;
  return `\x1b[${c}m${text}\x1b[0m`;
}
