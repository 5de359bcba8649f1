/** Where the package's own files are, wherever it is installed or run from. */
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const dataDir = fileURLToPath(new URL('../../data/', import.meta.url));
