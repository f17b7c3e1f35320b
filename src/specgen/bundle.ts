// The OCI bundle on disk: only config.json (the rootfs path inside it is absolute, so no rootfs/ link).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic-file.js';
import type { OciSpec } from './oci-types.js';

export async function writeBundle(bundleDir: string, spec: OciSpec): Promise<string> {
  await mkdir(bundleDir, { recursive: true, mode: 0o700 });
  const path = join(bundleDir, 'config.json');
  // 0600: the spec holds the environment, which often carries secrets. Not synced: every start writes it anew.
  await writeFileAtomic(path, JSON.stringify(spec, null, 2) + '\n', 0o600, { durable: false });
  return path;
}
