// Turns the confinement a client asked for into SecurityOptions: hardened defaults for everything not asked,
// normalised names (capabilities as CAP_*), and a clear one-line InvalidArgument for anything that cannot be
// honoured. Checks that need the host (device nodes) run here, in the daemon, because that is where they apply.
import { statSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { InvalidArgumentError, type DeviceMapping, type NamespaceMode, type SecurityOptions } from '../core/index.js';
import { ALL, DEFAULT_NO_NEW_PRIVILEGES, formatDeviceCgroupRule, normalizeCapability, parseDeviceCgroupRule, parseSeccompProfile,
  sysctlRefusal } from '../security/index.js';
import { engineCapabilities } from '../specgen/process.js';
import type { SecurityRequest } from './types.js';

export function defaultSecurity(): SecurityOptions {
  return {
    privileged: false, capAdd: [], capDrop: [], seccomp: 'default', noNewPrivileges: DEFAULT_NO_NEW_PRIVILEGES, groupAdd: [],
    devices: [], sysctls: {}, pid: 'private', ipc: 'private', uts: 'private', cgroupns: 'private', userns: 'host',
  };
}

/** What else of the create request the security checks depend on. */
export interface SecurityContext {
  network?: string;   // 'host' refuses net.* sysctls
}

type Field = keyof SecurityRequest;
const FIELDS: readonly Field[] = ['privileged', 'capAdd', 'capDrop', 'seccomp', 'seccompProfile', 'noNewPrivileges',
  'groupAdd', 'devices', 'deviceCgroupRules', 'sysctls', 'pid', 'ipc', 'uts', 'cgroupns', 'userns'];
const MAX_ID = 2 ** 31 - 1;

export function validateSecurity(req: SecurityRequest | undefined, ctx: SecurityContext = {}): SecurityOptions {
  if (req !== undefined && (req === null || typeof req !== 'object' || Array.isArray(req))) {
    throw new InvalidArgumentError('create container: "security" must be an object');
  }
  const r = (req ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!FIELDS.includes(key as Field)) throw new InvalidArgumentError(`create container: unknown security option "${key}"`);
  }
  const sec = defaultSecurity();
  sec.privileged = bool(r.privileged, 'privileged', false);
  sec.noNewPrivileges = bool(r.noNewPrivileges, 'noNewPrivileges', DEFAULT_NO_NEW_PRIVILEGES);
  sec.capAdd = capabilities(r.capAdd, '--cap-add');
  sec.capDrop = capabilities(r.capDrop, '--cap-drop');
  const missing = sec.capAdd.find((c) => c !== ALL && !engineCapabilities().includes(c));
  if (missing) throw new InvalidArgumentError(`invalid --cap-add ${missing}: the engine itself does not have this capability to give`);
  Object.assign(sec, seccomp(r.seccomp, r.seccompProfile, sec.privileged));
  sec.groupAdd = strings(r.groupAdd, '--group-add').map(group);
  sec.pid = namespaceMode(r.pid, '--pid');
  sec.ipc = namespaceMode(r.ipc, '--ipc');
  sec.uts = namespaceMode(r.uts, '--uts');
  // Private on cgroup v1 too, where docker's default is the host's: the engine has always given each container
  // its own, so /proc/self/cgroup shows "/" and not where the engine keeps it (docs/docker-compat.md).
  sec.cgroupns = namespaceMode(r.cgroupns, '--cgroupns');
  sec.userns = userns(r.userns);
  sec.devices = devices(r.devices);
  const rules = strings(r.deviceCgroupRules, '--device-cgroup-rule').map((t) => formatDeviceCgroupRule(parseDeviceCgroupRule(t)));
  if (rules.length) sec.deviceCgroupRules = [...new Set(rules)];
  sec.sysctls = sysctls(r.sysctls, { hostNetwork: ctx.network === 'host', hostIpc: sec.ipc === 'host' });
  if (sec.userns === 'auto') checkUsernsConflicts(sec, '--userns=auto');
  return sec;
}

/**
 * The daemon-wide default (`"userns": "auto"` in the daemon config) for a container whose request named no
 * --userns. Containers that share a host namespace or ask for --privileged keep the host's user namespace, as
 * docker's userns-remap does, since the kernel would refuse (or silently weaken) the combination.
 */
export function applyUsernsDefault(sec: SecurityOptions, requested: unknown, daemonDefault: 'host' | 'auto' | undefined): void {
  if (daemonDefault !== 'auto' || (requested !== undefined && requested !== null && requested !== '')) return;
  if (sec.privileged || sec.pid === 'host' || sec.ipc === 'host') return;
  sec.userns = 'auto';
}

/** What a user namespace cannot be combined with: each a one-line refusal naming the way out. */
function checkUsernsConflicts(sec: SecurityOptions, what: string): void {
  if (sec.privileged) throw new InvalidArgumentError(`conflicting options: --privileged cannot be combined with ${what} (use --userns host)`);
  // The host's pid and ipc namespaces belong to the initial user namespace: /proc and mqueue cannot be mounted.
  if (sec.pid === 'host') throw new InvalidArgumentError(`conflicting options: --pid host cannot be combined with ${what}`);
  if (sec.ipc === 'host') throw new InvalidArgumentError(`conflicting options: --ipc host cannot be combined with ${what}`);
}

function bool(v: unknown, name: string, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`invalid security option "${name}": must be true or false`);
  return v;
}

function strings(v: unknown, flag: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InvalidArgumentError(`invalid ${flag}: expected a list of strings`);
  return v as string[];
}

function capabilities(v: unknown, flag: string): string[] {
  const out = strings(v, flag).map((name) => {
    const cap = normalizeCapability(name);
    if (!cap) throw new InvalidArgumentError(`invalid ${flag} "${name}": unknown capability (see capabilities(7); ALL means every one)`);
    return cap;
  });
  return [...new Set(out)];
}

function seccomp(mode: unknown, profile: unknown, privileged: boolean): Pick<SecurityOptions, 'seccomp' | 'seccompProfile'> {
  if (profile !== undefined && profile !== null && typeof profile !== 'string') {
    throw new InvalidArgumentError('invalid seccomp profile: "seccompProfile" must be the profile\'s JSON text');
  }
  const m = mode ?? (profile ? 'custom' : 'default');
  if (m !== 'default' && m !== 'unconfined' && m !== 'custom') {
    throw new InvalidArgumentError(`invalid seccomp mode "${String(m)}": expected default, unconfined or custom`);
  }
  if (m !== 'custom') {
    if (profile) throw new InvalidArgumentError(`conflicting seccomp options: a profile was given with seccomp=${m}`);
    return { seccomp: m };
  }
  if (!profile) throw new InvalidArgumentError('invalid seccomp option: seccomp=custom needs a profile (--security-opt seccomp=<file>)');
  if (privileged) throw new InvalidArgumentError('conflicting options: --privileged runs without seccomp, so the custom profile would be ignored');
  parseSeccompProfile(profile);
  return { seccomp: 'custom', seccompProfile: profile };
}

function group(g: string): string {
  if (/^\d+$/.test(g)) {
    if (Number(g) > MAX_ID) throw new InvalidArgumentError(`invalid --group-add "${g}": id out of range (0-${MAX_ID})`);
    return String(Number(g));
  }
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(g) || g.length > 64) throw new InvalidArgumentError(`invalid --group-add "${g}": not a group name or id`);
  return g;
}

function namespaceMode(v: unknown, flag: string): NamespaceMode {
  if (v === undefined || v === null || v === '' || v === 'private') return 'private';
  if (v === 'host') return 'host';
  throw new InvalidArgumentError(`invalid ${flag} "${String(v)}": expected host or private`);
}

function userns(v: unknown): 'host' | 'auto' {
  if (v === undefined || v === null || v === '' || v === 'host') return 'host';
  if (v === 'auto') return 'auto';
  throw new InvalidArgumentError(`invalid --userns "${String(v)}": expected host or auto`);
}

function devices(v: unknown): DeviceMapping[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InvalidArgumentError('invalid --device: expected a list of devices');
  const seen = new Set<string>();
  return v.map((d: unknown) => {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new InvalidArgumentError('invalid --device: each device must be an object');
    const { hostPath, containerPath, permissions } = d as Record<string, unknown>;
    if (typeof hostPath !== 'string' || !isAbsolute(hostPath)) {
      throw new InvalidArgumentError(`invalid --device "${String(hostPath)}": the host path must be absolute`);
    }
    const target = containerPath === undefined || containerPath === '' ? hostPath : containerPath;
    if (typeof target !== 'string' || !isAbsolute(target)) throw new InvalidArgumentError(`invalid --device ${hostPath}: the container path "${String(target)}" must be absolute`);
    const perms = permissions === undefined || permissions === '' ? 'rwm' : permissions;
    if (typeof perms !== 'string' || !/^(?!.*(.).*\1)[rwm]{1,3}$/.test(perms)) {
      throw new InvalidArgumentError(`invalid --device ${hostPath}: permissions "${String(perms)}" must be a combination of r, w and m`);
    }
    checkDeviceNode(hostPath);
    const cleanTarget = normalize(target);
    if (seen.has(cleanTarget)) throw new InvalidArgumentError(`invalid --device: ${cleanTarget} is given twice`);
    seen.add(cleanTarget);
    return { hostPath: normalize(hostPath), containerPath: cleanTarget, permissions: perms };
  });
}

function checkDeviceNode(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InvalidArgumentError(`invalid --device ${path}: no such device on the host`);
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw new InvalidArgumentError(`invalid --device ${path}: not a character or block device`);
}

function sysctls(v: unknown, ctx: { hostNetwork: boolean; hostIpc: boolean }): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError('invalid --sysctl: expected an object of KEY: VALUE');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidArgumentError(`invalid --sysctl ${key}: the value must be a string`);
    const refusal = sysctlRefusal(key, ctx);
    if (refusal) throw new InvalidArgumentError(refusal);
    if (/[\n\0]/.test(String(value))) throw new InvalidArgumentError(`invalid --sysctl ${key}: the value contains a newline`);
    out[key] = String(value);
  }
  return out;
}
