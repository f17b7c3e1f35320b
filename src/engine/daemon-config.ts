// The daemon's configuration file (JSON, default /etc/bulkhead/daemon.json). Flags and environment variables
// override it. Unknown keys and wrong types are refused at load with a message naming the key, so a typo never
// silently falls back to a default.
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { InvalidArgumentError, errnoCode, parseSize } from '../core/index.js';
import { parseQuotas, type QuotasConfig } from './sprawl/quotas.js';
import { validateLogOptions } from './logs/index.js';

export const DEFAULT_CONFIG_FILE = '/etc/bulkhead/daemon.json';

export interface DaemonConfig {
  runtime?: string;   // OCI runtime name: runc (default) or crun
  root?: string;      // data root
  host?: string;      // API socket path
  cgroupParent?: string;  // where container cgroups are created (default /bulkhead)
  userns?: 'host' | 'auto';  // default user namespace of containers created without --userns
  subuidFile?: string;    // where the engine's subordinate ids are listed (default /etc/subuid)
  subgidFile?: string;    // default /etc/subgid
  registries?: RegistriesConfig;  // short-name search list and insecure (plain-HTTP allowed) registries
  defaultAddressPools?: string;   // network subnets come from here: "10.88.0.0/13" or "172.30.0.0/16:26,10.99.0.0/16"
  defaultBridge?: string;         // bridge device of the default network (default bh0)
  reservedCpus?: string;          // CPUs never given exclusively ("0"; default: the lowest physical core)
  memoryReserve?: string;         // memory kept back from guarantees ("1g"; default: 10% of the host, at most 1 GiB)
  fullPhysicalCores?: boolean;    // refuse --cpus-exclusive requests that would split an SMT core
  memoryLimitsAreGuarantees?: boolean;  // treat every --memory limit as a guarantee too (admitted, never overcommitted)
  policy?: string;                // security policy: "baseline", "restricted" or the absolute path of a policy JSON file
  quotas?: QuotasConfig;          // {"maxContainers": N, "maxRunning": N, "maxGuaranteedMemory": "8g"} (engine/sprawl/quotas.ts)
  initPath?: string;              // the init binary --init runs (absolute; default /usr/bin/tini-static)
  logOpts?: Record<string, string>;  // {"max-size": "10m", "max-file": "3"}: log options of containers that set none (engine/logs)
}

/** `"registries": {"search": ["docker.io"], "insecure": ["reg.lan:5000"]}`; hosts are host[:port]. */
export interface RegistriesConfig {
  search?: string[];    // tried in order for a name without a registry host (default ["docker.io"])
  insecure?: string[];  // spoken to without TLS verification, plain HTTP when they do not speak TLS
}

const KEYS: Record<keyof DaemonConfig, 'string' | 'object' | 'boolean'> = { registries: 'object', runtime: 'string', root: 'string', host: 'string', cgroupParent: 'string',
  userns: 'string', subuidFile: 'string', subgidFile: 'string',
  defaultAddressPools: 'string', defaultBridge: 'string', reservedCpus: 'string', memoryReserve: 'string',
  fullPhysicalCores: 'boolean', memoryLimitsAreGuarantees: 'boolean', policy: 'string', quotas: 'object', initPath: 'string', logOpts: 'object' };

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
    if (typeof value !== want || value === null || Array.isArray(value)) throw new InvalidArgumentError(`daemon config ${file}: "${key}" must be ${want === 'object' ? 'a JSON object' : want === 'boolean' ? 'true or false' : 'a string'}`);
  }
  checkRegistries((parsed as DaemonConfig).registries, file);
  checkAllocation(parsed as DaemonConfig, file);
  if ((parsed as DaemonConfig).quotas !== undefined) parseQuotas((parsed as DaemonConfig).quotas, `daemon config ${file}`);
  checkLogOpts((parsed as DaemonConfig).logOpts, file);
  const userns = (parsed as DaemonConfig).userns;
  if (userns !== undefined && userns !== 'host' && userns !== 'auto') {
    throw new InvalidArgumentError(`daemon config ${file}: "userns" must be "host" or "auto", not "${String(userns)}"`);
  }
  const policy = (parsed as DaemonConfig).policy;
  if (policy !== undefined && policy !== 'baseline' && policy !== 'restricted' && !isAbsolute(policy)) {
    throw new InvalidArgumentError(`daemon config ${file}: "policy" must be "baseline", "restricted" or the absolute path of a policy file, not "${policy}"`);
  }
  const initPath = (parsed as DaemonConfig).initPath;
  if (initPath !== undefined && !isAbsolute(initPath)) {
    throw new InvalidArgumentError(`daemon config ${file}: "initPath" must be an absolute path, not "${initPath}"`);
  }
  return parsed as DaemonConfig;
}

/** Syntax only: which CPUs exist, and whether the reserve fits the host, the allocator checks at start. */
function checkAllocation(c: DaemonConfig, file: string): void {
  if (c.reservedCpus !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(c.reservedCpus.trim())) {
    throw new InvalidArgumentError(`daemon config ${file}: "reservedCpus" must be a CPU list such as "0" or "0-1,4", not "${c.reservedCpus}"`);
  }
  if (c.memoryReserve !== undefined) {
    try {
      parseSize(c.memoryReserve, 'memoryReserve');
    } catch (err) {
      throw new InvalidArgumentError(`daemon config ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

const HOST_RE = /^[A-Za-z0-9.-]+(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/;

function checkRegistries(r: RegistriesConfig | undefined, file: string): void {
  if (r === undefined) return;
  for (const [key, list] of Object.entries(r)) {
    if (key !== 'search' && key !== 'insecure') throw new InvalidArgumentError(`daemon config ${file}: unknown key "registries.${key}" (known: search, insecure)`);
    if (!Array.isArray(list) || !list.every((h) => typeof h === 'string' && HOST_RE.test(h))) {
      throw new InvalidArgumentError(`daemon config ${file}: "registries.${key}" must be a list of registry hosts (host[:port])`);
    }
  }
}

/** "logOpts" takes what --log-opt takes, as strings, and is refused at load in the same words. */
function checkLogOpts(opts: Record<string, unknown> | undefined, file: string): void {
  if (opts === undefined) return;
  if (Object.values(opts).some((v) => typeof v !== 'string')) throw new InvalidArgumentError(`daemon config ${file}: "logOpts" values must be strings (as in "max-file": "3")`);
  try {
    validateLogOptions(opts as Record<string, string>);
  } catch (err) {
    throw new InvalidArgumentError(`daemon config ${file}: "logOpts": ${err instanceof Error ? err.message : String(err)}`);
  }
}
