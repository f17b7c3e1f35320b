// Locates the project's small C helpers (native/*.c, built into native/bin by `npm run build`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../core/index.js';

// dist/src/sys/native.js → repository root is three levels up.
const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function nativeHelper(name: string): string {
  const path = join(REPO_ROOT, 'native', 'bin', name);
  if (!existsSync(path)) {
    throw new NotFoundError(`native helper ${name} is missing at ${path}: run "npm run build"`);
  }
  return path;
}
