// The OCI process object, shared by the container's init process and by `exec`: same user resolution, same
// capabilities, same limits, so an exec'd process is never stronger than the container it joins.
import { readFileSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { InvalidArgumentError, type SecurityOptions } from '../core/index.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, DEFAULT_NO_NEW_PRIVILEGES, capabilitiesInMask, effectiveCapabilities } from '../security/index.js';
import { hostNofileHardLimit } from './host-limits.js';
import type { OciCapabilities, OciProcess, OciRlimit } from './oci-types.js';
import { resolveGroupAdd, resolveUser } from './user.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ProcessInputs {
  args: string[];
  env: string[];
  user: string;
  cwd: string;
  tty: boolean;
  hostname: string;
  rootfs: string;
  /** Initial terminal size, so a tty starts at the user's size rather than 0x0. */
  consoleSize?: { height: number; width: number };
  /** The container's confinement: capabilities, no-new-privileges and --group-add. Absent = the defaults. */
  security?: SecurityOptions;
}

export async function buildProcess(p: ProcessInputs): Promise<OciProcess> {
  if (p.args.length === 0 || p.args[0] === '') throw new InvalidArgumentError('no command specified');
  const { user, home } = await resolveUser(p.rootfs, p.user);
  if (p.security) addGroups(user, await resolveGroupAdd(p.rootfs, p.security.groupAdd));
  return {
    terminal: p.tty,
    user,
    args: [...p.args],
    env: buildEnv(p.env, { hostname: p.hostname, home, tty: p.tty }),
    cwd: checkCwd(p.cwd),
    capabilities: p.security ? capabilitiesFor(p.security) : defaultCapabilities(),
    rlimits: defaultRlimits(),
    noNewPrivileges: p.security ? p.security.noNewPrivileges : DEFAULT_NO_NEW_PRIVILEGES,
    ...(p.tty && p.consoleSize ? { consoleSize: { ...p.consoleSize } } : {}),
  };
}

export function defaultCapabilities(): OciCapabilities {
  // Inheritable and ambient stay empty: filling them let non-root execve'd programs keep caps (CVE-2022-24769).
  return {
    bounding: [...DEFAULT_CAPABILITIES],
    effective: [...DEFAULT_CAPABILITIES],
    permitted: [...DEFAULT_CAPABILITIES],
    inheritable: [],
    ambient: [],
  };
}

/**
 * The capability sets for a container's processes (init and exec alike): bounding = effective = permitted, from
 * the defaults and the user's --cap-add/--cap-drop/--privileged, limited to what the engine itself holds.
 */
export function capabilitiesFor(sec: Pick<SecurityOptions, 'privileged' | 'capAdd' | 'capDrop'>): OciCapabilities {
  const caps = effectiveCapabilities(sec, engineCapabilities());
  return { bounding: [...caps], effective: [...caps], permitted: [...caps], inheritable: [], ambient: [] };
}

/** What this engine may hand out: its own bounding set (read once; it cannot grow while we run). */
let engineCaps: string[] | undefined;
export function engineCapabilities(): string[] {
  if (!engineCaps) {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    engineCaps = m ? capabilitiesInMask(m[1]!) : [...ALL_CAPABILITIES];
  }
  return engineCaps;
}

/** Adds --group-add gids after the user's own supplementary groups, without duplicates. */
export function addGroups(user: OciProcess['user'], gids: number[]): void {
  if (gids.length === 0) return;
  const all = [...(user.additionalGids ?? []), ...gids];
  user.additionalGids = [...new Set(all)];
}

export function defaultRlimits(): OciRlimit[] {
  const hard = hostNofileHardLimit();
  return [{ type: 'RLIMIT_NOFILE', hard, soft: hard }];
}

/**
 * KEY=VALUE list with later entries overriding earlier ones, then the variables every container has when the
 * image or user did not set them: HOSTNAME first (as Docker), PATH, HOME from passwd, TERM for a tty.
 */
export function buildEnv(env: string[], ctx: { hostname: string; home: string; tty: boolean }): string[] {
  const merged = new Map<string, string>();
  for (const kv of env) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (key === '') throw new InvalidArgumentError(`invalid environment variable "${kv}": empty name`);
    merged.set(key, eq < 0 ? '' : kv.slice(eq + 1));
  }
  const out = new Map<string, string>();
  if (ctx.hostname) out.set('HOSTNAME', ctx.hostname);
  for (const [k, v] of merged) out.set(k, v);
  if (!out.has('PATH')) out.set('PATH', DEFAULT_PATH);
  if (!out.has('HOME')) out.set('HOME', ctx.home);
  if (ctx.tty && !out.has('TERM')) out.set('TERM', 'xterm');
  return [...out].map(([k, v]) => `${k}=${v}`);
}

function checkCwd(cwd: string): string {
  const dir = cwd === '' ? '/' : cwd;
  if (!isAbsolute(dir)) throw new InvalidArgumentError(`the working directory "${cwd}" is invalid: it needs to be an absolute path`);
  return normalize(dir);
}
