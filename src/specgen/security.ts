// The confinement part of the spec: namespaces, capabilities, seccomp, no-new-privileges, devices, sysctls,
// --group-add, --privileged and the tmpfs a read-only root needs, from the container's SecurityOptions. Defaults
// are hardened; each option loosens exactly one thing, and --privileged loosens all of them at once, visibly.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type ContainerConfig, type DeviceMapping } from '../core/index.js';
import { DEFAULT_SECCOMP_PROFILE, compileSeccomp, nativeSeccompArch, parseDeviceCgroupRule, parseSeccompProfile, sysctlRefusal,
  type OciSeccomp } from '../security/index.js';
import type { OciDeviceCgroup, OciLinux, OciMount, OciNamespace, OciSpec } from './oci-types.js';
import { capabilitiesFor } from './process.js';
import { ociDeviceRule } from './resources.js';
import { applyUserNamespace } from './userns.js';

/** A device node the runtime creates in the container (runtime-spec linux.devices). */
export type OciDevice = { path: string; type: 'c' | 'b'; major: number; minor: number; fileMode: number; uid: number; gid: number };
/** linux with the fields this file fills that the base spec type leaves out. */
export type SecureOciLinux = OciLinux & { seccomp?: OciSeccomp; devices?: OciDevice[] };

// Under /dev but not device nodes of the host's own: the container has its own of each.
const HOST_DEV_SKIP = new Set(['pts', 'shm', 'mqueue', 'fd', 'console', 'ptmx', 'core', 'stdin', 'stdout', 'stderr']);
// Where a read-only root still needs somewhere to write: sockets, pid files, scratch files.
const READ_ONLY_ROOT_TMPFS: readonly { path: string; mode: string }[] = [{ path: '/tmp', mode: '1777' }, { path: '/run', mode: '755' }];

export function applySecurity(spec: OciSpec, config: ContainerConfig): void {
  const sec = config.security;
  const linux = spec.linux as SecureOciLinux;
  linux.namespaces = namespaces(config);
  // runc refuses a hostname without a UTS namespace of its own; with the host's, the host's name is the name.
  if (sec.uts === 'host') spec.hostname = '';

  const caps = capabilitiesFor(sec);
  spec.process.capabilities = caps;
  spec.process.noNewPrivileges = sec.noNewPrivileges;

  if (!sec.privileged && sec.seccomp !== 'unconfined') {
    const profile = sec.seccomp === 'custom' ? parseSeccompProfile(sec.seccompProfile ?? '') : DEFAULT_SECCOMP_PROFILE;
    linux.seccomp = compileSeccomp(profile, caps.effective, nativeSeccompArch(process.arch));
  }
  applySysctls(linux, config);
  if (sec.ipc === 'host') shareHostShm(spec);
  if (config.readOnlyRootfs) addWritableTmpfs(spec);

  if (sec.privileged) {
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
    for (const m of spec.mounts) {
      if (m.destination === '/sys' || m.destination === '/sys/fs/cgroup') m.options = m.options.filter((o) => o !== 'ro');
    }
    linux.devices = hostDevices();
    linux.resources.devices = [{ allow: true, access: 'rwm' }];
  }
  for (const d of sec.devices) addDevice(linux, d);
  // After the defaults: the devices cgroup applies the rules in order, so these add to the allowlist.
  for (const text of sec.deviceCgroupRules ?? []) linux.resources.devices.push(ociDeviceRule(parseDeviceCgroupRule(text)));
  applyUserNamespace(spec, config);
}

function namespaces(config: ContainerConfig): OciNamespace[] {
  const sec = config.security;
  const types: OciNamespace['type'][] = ['mount'];
  if (sec.cgroupns !== 'host') types.push('cgroup');   // absent (an older record): private, as it always ran
  if (sec.pid === 'private') types.push('pid');
  if (sec.ipc === 'private') types.push('ipc');
  if (sec.uts === 'private') types.push('uts');
  if (config.network !== 'host') types.push('network');
  return types.map((type) => ({ type }));
}

function applySysctls(linux: SecureOciLinux, config: ContainerConfig): void {
  const user = config.security.sysctls;
  if (Object.keys(user).length === 0) return;
  const ctx = { hostNetwork: config.network === 'host', hostIpc: config.security.ipc === 'host' };
  // Checked at create too; again here because a record from an older engine was never checked against the network.
  for (const key of Object.keys(user)) {
    const refusal = sysctlRefusal(key, ctx);
    if (refusal) throw new InvalidArgumentError(refusal);
  }
  linux.sysctl = { ...(linux.sysctl ?? {}), ...user };
}

/** --ipc host shares POSIX shared memory too: the host's /dev/shm instead of a private tmpfs. */
function shareHostShm(spec: OciSpec): void {
  const i = spec.mounts.findIndex((m) => m.destination === '/dev/shm' && m.type === 'tmpfs');
  if (i >= 0) spec.mounts[i] = { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate', 'nosuid', 'nodev', 'noexec'] };
}

/** tmpfs on /tmp and /run for a read-only root, placed before any mount below them so none is hidden. */
function addWritableTmpfs(spec: OciSpec): void {
  for (const { path, mode } of READ_ONLY_ROOT_TMPFS) {
    if (spec.mounts.some((m) => m.destination === path)) continue;   // the user's own mount wins
    const mount: OciMount = { destination: path, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', `mode=${mode}`] };
    const below = spec.mounts.findIndex((m) => m.destination.startsWith(`${path}/`));
    if (below >= 0) spec.mounts.splice(below, 0, mount);
    else spec.mounts.push(mount);
  }
}

function addDevice(linux: SecureOciLinux, d: DeviceMapping): void {
  const node = deviceNode(d.hostPath, d.containerPath);
  if (!node) throw new InvalidArgumentError(`--device ${d.hostPath}: not a character or block device on this host`);
  linux.devices = [...(linux.devices ?? []).filter((x) => x.path !== node.path), node];
  const rule: OciDeviceCgroup = { allow: true, type: node.type, major: node.major, minor: node.minor, access: d.permissions };
  linux.resources.devices.push(rule);
}

/** The node at hostPath as the runtime should recreate it at containerPath; undefined when it is not a device. */
function deviceNode(hostPath: string, containerPath: string): OciDevice | undefined {
  let st;
  try {
    st = statSync(hostPath, { bigint: true });
  } catch {
    throw new InvalidArgumentError(`--device ${hostPath}: no such device on this host`);
  }
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (!type) return undefined;
  // Linux's dev_t encoding (glibc gnu_dev_major/minor), which Node leaves to us.
  const rdev = st.rdev;
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { path: containerPath, type, major, minor, fileMode: Number(st.mode & 0o777n), uid: Number(st.uid), gid: Number(st.gid) };
}

/** Every device node under the host's /dev, for --privileged (as Docker: the container sees the host's devices). */
function hostDevices(dir = '/dev'): OciDevice[] {
  const out: OciDevice[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (dir === '/dev' && HOST_DEV_SKIP.has(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...hostDevices(path));
    else if (e.isCharacterDevice() || e.isBlockDevice()) {
      try {
        const node = deviceNode(path, path);
        if (node) out.push(node);
      } catch { /* vanished while we looked: not ours to report */ }
    }
  }
  return out;
}
