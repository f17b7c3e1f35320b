// The built-in profiles, modelled on the Kubernetes Pod Security Standards of the same names
// (kubernetes/pod-security-admission, policy/check_*.go). A profile is only a preset of rules: a policy file's
// own rules are laid over it, and may loosen as well as tighten it.
//
// PSS control                         | Bulkhead rule                              | baseline | restricted
// ------------------------------------+--------------------------------------------+----------+------------------------
// HostProcess (Windows)               | -                                          | n/a      | n/a
// Host namespaces (net, pid, ipc)     | allowHostNamespaces (+uts CIS 5.21, cgroup)| false    | false
// Privileged containers               | allowPrivileged                            | false    | false
// Capabilities: add only from the     | allowedAddedCapabilities: nothing beyond   | []       | []
//   default list                      |   the engine's default set (see note 1)    |          |
// HostPath volumes                    | bindMountRoots (bind mounts are hostPath)  | []       | []
//                                     | allowDevices (--device is hostPath to /dev)| false    | false
// Host ports                          | publishedPorts (see note 2)                | -        | 1024-65535, random
// AppArmor, SELinux                   | - (Bulkhead applies neither yet)           | n/a      | n/a
// /proc mount type                    | - (paths are always masked; no flag)       | n/a      | n/a
// Seccomp: not Unconfined             | allowUnconfinedSeccomp                     | false    | false
// Sysctls: only the safe set          | allowedSysctls (PSS list as of v1.29)      | safe set | safe set
// Probes/lifecycle host field         | - (no probes that reach other hosts)       | n/a      | n/a
// Volume types (restricted)           | bindMountRoots, as in baseline: volumes    | -        | []
//                                     |   and tmpfs are emptyDir/PVC-like          |          |
// allowPrivilegeEscalation: false     | requireNoNewPrivileges                     | -        | true
// runAsNonRoot, runAsUser != 0        | requireNonRoot (see note 3)                | -        | true
// Seccomp RuntimeDefault or Localhost | allowCustomSeccomp (see note 4)            | -        | false
// Capabilities: drop ALL, add only    | allowedCapabilities                        | -        | [CAP_NET_BIND_SERVICE]
//   NET_BIND_SERVICE                  |                                            |          |
// (not PSS) read-only rootfs, memory, | requireReadOnlyRootfs, requireMemoryLimit, | -        | -
//   CPU, pids limits, registries,     |   requireCpuLimit, requirePidsLimit,       |          |
//   digests                           |   allowedRegistries, requireImageDigest    |          |
//
// Notes.
// 1. PSS baseline allows adding AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE,
//    SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT: the runtime's defaults minus NET_RAW. Bulkhead's default set
//    (Docker's) holds NET_RAW too, and baseline must accept a default container, so "added" is read against what
//    the container effectively holds: anything beyond the default set is an addition. `--cap-add NET_RAW` is a
//    no-op here and passes; removing NET_RAW is restricted's job.
// 2. PSS baseline forbids host ports because Kubernetes has Services; here -p is the only way in and exposes no
//    host privilege, so baseline leaves ports alone. Restricted keeps them off the privileged ports (CIS 5.8).
//    An administrator forbids publishing with "publishedPorts": {"hostPorts": []}.
// 3. Root inside a user namespace (--userns auto) still counts as root: PSS's exemption for hostUsers:false is
//    behind an alpha feature gate, and a policy that says non-root should not need a footnote.
// 4. PSS allows Localhost profiles because they are files an administrator put on the node; a Bulkhead custom
//    profile arrives with the request and could allow every syscall, so restricted requires the default one.
import { InvalidArgumentError } from '../../core/index.js';
import { PROFILE_NAMES, type PolicyRules, type ProfileName } from './types.js';

/** Sysctls PSS baseline calls safe: namespaced and isolated from other containers. */
export const SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];

const BASELINE: PolicyRules = {
  allowPrivileged: false,
  allowHostNamespaces: false,
  allowedAddedCapabilities: [],
  allowUnconfinedSeccomp: false,
  allowedSysctls: [...SAFE_SYSCTLS],
  bindMountRoots: [],
  allowDevices: false,
};

const RESTRICTED: PolicyRules = {
  ...BASELINE,
  requireNoNewPrivileges: true,
  requireNonRoot: true,
  allowCustomSeccomp: false,
  allowedCapabilities: ['CAP_NET_BIND_SERVICE'],
  publishedPorts: { hostPorts: ['1024-65535', 'random'] },
};

export function isProfileName(name: unknown): name is ProfileName {
  return typeof name === 'string' && (PROFILE_NAMES as readonly string[]).includes(name);
}

/** A fresh copy of a profile's rules (callers may change it). */
export function builtinProfile(name: string): PolicyRules {
  if (!isProfileName(name)) {
    throw new InvalidArgumentError(`unknown policy profile "${name}" (known: ${PROFILE_NAMES.join(', ')})`);
  }
  return structuredClone(name === 'baseline' ? BASELINE : RESTRICTED);
}
