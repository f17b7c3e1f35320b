// The daemon's configuration file (JSON, default /etc/bulkhead/daemon.json). Flags and environment variables
// override it. Unknown keys and wrong types are refused at load with a message naming the key, so a typo never
// silently falls back to a default.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, errnoCode } from '../core/index.js';

export const DEFAULT_CONFIG_FILE = '/etc/bulkhead/daemon.json';

export interface DaemonConfig {
  runtime?: string;   // OCI runtime name: runc (default) or crun
  root?: string;      // data root
  host?: string;      // API socket path
  cgroupParent?: string;  // where container cgroups are created (default /bulkhead)
  userns?: 'host' | 'auto';  // default user namespace of containers created without --userns
  subuidFile?: string;    // where the engine's subordinate ids are listed (default /etc/subuid)
  subgidFile?: string;    // default /etc/subgid
}

const KEYS: Record<keyof DaemonConfig, 'string'> = { runtime: 'string', root: 'string', host: 'string', cgroupParent: 'string',
  userns: 'string', subuidFile: 'string', subgidFile: 'string' };

/** Reads the file; a missing default file is an empty config, a missing file the user named is an error. */
export async function loadDaemonConfig(path: string | undefined): Promise<DaemonConfig> {
  const file = path ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' && path === undefined) return {};
    throw new InvalidArgumentError(`cannot read daemon config ${file}: ${errnoCode(err) ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`daemon config ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`daemon config ${file} must be a JSON object`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    const want = KEYS[key as keyof DaemonConfig];
    if (!want) throw new InvalidArgumentError(`daemon config ${file}: unknown key "${key}" (known: ${Object.keys(KEYS).join(', ')})`);
    if (typeof value !== want) throw new InvalidArgumentError(`daemon config ${file}: "${key}" must be a ${want}`);
  }
  const userns = (parsed as DaemonConfig).userns;
  if (userns !== undefined && userns !== 'host' && userns !== 'auto') {
    throw new InvalidArgumentError(`daemon config ${file}: "userns" must be "host" or "auto", not "${String(userns)}"`);
  }
  return parsed as DaemonConfig;
}
