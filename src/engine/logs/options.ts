// The log options a container may set, as docker's json-file driver takes them (--log-opt, HostConfig.LogConfig.
// Config, the daemon config's "logOpts"): max-size and max-file. They are kept as the user wrote them (inspect shows
// them so) and parsed again where they are used.
import { InvalidArgumentError, type ContainerConfig } from '../../core/index.js';

/** How big the log may grow: the file conmon writes holds at most maxSize bytes; maxFile files are kept in all. */
export interface LogLimits {
  maxSize: number;
  maxFile: number;
}

/** Options of docker's json-file driver that Bulkhead does not implement: named as such, not as unknown. */
const DOCKER_ONLY = ['compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag'];

// docker reads max-size with go-units' FromHumanSize: decimal multiples, an optional "i" and "b" ignored.
const DECIMAL_SIZE = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i;
const DECIMAL_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** Checks options as given and returns them (undefined when there are none); every error names the option. */
export function validateLogOptions(opts: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!opts || Object.keys(opts).length === 0) return undefined;
  for (const [key, value] of Object.entries(opts)) {
    if (key === 'max-size' || key === 'max-file') continue;
    if (DOCKER_ONLY.includes(key)) throw new InvalidArgumentError(`log option "${key}" is not supported by Bulkhead (only max-size and max-file are)`);
    throw new InvalidArgumentError(`unknown log option "${key}=${value}" (the log options are max-size and max-file)`);
  }
  parseLimits(opts);
  return { ...opts };
}

/** The container's limits, or undefined when its log may grow without bound (no options: as before they existed). */
export function logLimits(config: ContainerConfig): LogLimits | undefined {
  return config.logOptions ? parseLimits(config.logOptions) : undefined;
}

function parseLimits(opts: Record<string, string>): LogLimits | undefined {
  const size = opts['max-size'];
  const files = opts['max-file'];
  if (size === undefined) {
    if (files !== undefined) throw new InvalidArgumentError('log option max-file needs max-size: without a size limit the log is never rotated');
    return undefined;
  }
  return { maxSize: parseMaxSize(size), maxFile: files === undefined ? 1 : parseMaxFile(files) };
}

function parseMaxSize(text: string): number {
  const m = DECIMAL_SIZE.exec(text.trim());
  const bytes = m ? Math.floor(Number(m[1]) * DECIMAL_UNITS[(m[2] ?? '').toLowerCase()]!) : NaN;
  if (!(bytes >= 1)) {
    throw new InvalidArgumentError(`invalid log option max-size "${text}": expected a positive size such as 10m (k, m, g count in thousands, as docker reads them)`);
  }
  return bytes;
}

function parseMaxFile(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(n >= 1) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`invalid log option max-file "${text}": expected a whole number of at least 1`);
  return n;
}
