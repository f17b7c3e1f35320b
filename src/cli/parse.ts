// Parsing of the flag values users type (docker's syntax), into the engine's request types. Each parser throws
// InvalidArgument naming the flag and the value, so a typo gets a one-line error before anything is created.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError, parseSize, type MountSpec } from '../core/index.js';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** -e KEY=VALUE, or -e KEY to pass the caller's value through (dropped when unset, as docker does). */
export function parseEnv(values: string[]): string[] {
  return values.flatMap((v) => {
    if (v.includes('=')) return [v];
    const host = process.env[v];
    return host === undefined ? [] : [`${v}=${host}`];
  });
}

export function parseEnvFile(paths: string[]): string[] {
  return paths.flatMap((p) => {
    let text: string;
    try { text = readFileSync(p, 'utf8'); } catch { throw new InvalidArgumentError(`--env-file: cannot read ${p}`); }
    return parseEnv(text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  });
}

/** -l KEY=VALUE (a bare KEY is an empty label, as in docker). */
export function parseLabels(values: string[]): Record<string, string> {
  return parseKeyValues(values, 'label', false);
}

/** --annotation KEY=VALUE: the "=" is required, as podman requires it (the value may be empty). */
export function parseAnnotations(values: string[]): Record<string, string> {
  return parseKeyValues(values, 'annotation', true);
}

function parseKeyValues(values: string[], what: string, needsEquals: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq === -1 ? v : v.slice(0, eq);
    if (!key || (needsEquals && eq === -1)) throw new InvalidArgumentError(`invalid ${what} "${v}": expected KEY=VALUE`);
    out[key] = eq === -1 ? '' : v.slice(eq + 1);
  }
  return out;
}

/** --log-opt KEY=VALUE, repeated; the engine checks the keys and values (src/engine/logs). */
export function parseLogOpts(values: string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const opts: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid --log-opt "${v}": expected KEY=VALUE, such as max-size=10m`);
    opts[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return opts;
}

/** -v SRC:DST[:ro|rw], -v NAME:DST, -v DST (anonymous volume). Relative host paths are refused, as in docker. */
export function parseVolume(spec: string): MountSpec {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(`invalid volume specification "${spec}"`);
  let readOnly = false;
  if (parts.length === 3 || (parts.length === 2 && /^(ro|rw)$/.test(parts[1]!) && isAbsolute(parts[0]!))) {
    const mode = parts.pop()!;
    if (!/^(ro|rw|z|Z)(,(ro|rw|z|Z))*$/.test(mode)) throw new InvalidArgumentError(`invalid volume mode "${mode}" in "${spec}": use ro or rw`);
    readOnly = mode.split(',').includes('ro');
  }
  if (parts.length === 1) return { type: 'volume', source: '', target: parts[0]!, readOnly };
  const [source, target] = parts as [string, string];
  if (source.startsWith('/')) return { type: 'bind', source, target, readOnly };
  if (source.startsWith('.') || source.includes('/')) {
    throw new InvalidArgumentError(`invalid volume source "${source}": host paths must be absolute (${resolve(source)}), volume names may not contain "/"`);
  }
  return { type: 'volume', source, target, readOnly };
}

/** --mount type=bind|volume|tmpfs,source=…,target=…[,readonly][,tmpfs-size=…][,tmpfs-mode=…] */
export function parseMount(spec: string): MountSpec {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    fields.set(eq === -1 ? part : part.slice(0, eq), eq === -1 ? 'true' : part.slice(eq + 1));
  }
  const type = fields.get('type') ?? 'volume';
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw new InvalidArgumentError(`invalid mount type "${type}": use bind, volume or tmpfs`);
  const target = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  if (!target) throw new InvalidArgumentError(`invalid mount "${spec}": target is required`);
  const source = fields.get('source') ?? fields.get('src') ?? '';
  if (type === 'bind' && !source) throw new InvalidArgumentError(`invalid mount "${spec}": a bind mount needs a source`);
  const ro = fields.get('readonly') ?? fields.get('ro');
  const options: string[] = [];
  if (type === 'tmpfs') {
    if (fields.has('tmpfs-size')) options.push(`size=${parseSize(fields.get('tmpfs-size')!, 'tmpfs-size')}`);
    if (fields.has('tmpfs-mode')) options.push(`mode=${fields.get('tmpfs-mode')}`);
  }
  return { type, source: type === 'tmpfs' ? '' : source, target, readOnly: ro === 'true' || ro === '1', options };
}

/** --tmpfs /run[:size=64m,mode=1777] */
export function parseTmpfs(spec: string): MountSpec {
  const colon = spec.indexOf(':');
  const target = colon === -1 ? spec : spec.slice(0, colon);
  const options = colon === -1 ? [] : spec.slice(colon + 1).split(',').filter(Boolean);
  for (const o of options) {
    if (!/^(size=\d+[kmgKMG%]?|mode=[0-7]{3,4}|uid=\d+|gid=\d+|nr_inodes=\d+[kmg]?|noexec|exec|nosuid|suid|nodev|dev|ro|rw)$/.test(o)) {
      throw new InvalidArgumentError(`invalid tmpfs option "${o}" in "${spec}"`);
    }
  }
  return { type: 'tmpfs', source: '', target, readOnly: options.includes('ro'), options };
}

export function parseIntFlag(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`invalid value "${value}" for ${flag}: expected a whole number`);
  return Number(value);
}

/** docker ps --filter key=value, collected into { key: [values] }. */
export function parseFilters(values: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid filter "${v}": expected KEY=VALUE`);
    (out[v.slice(0, eq)] ??= []).push(v.slice(eq + 1));
  }
  return out;
}
