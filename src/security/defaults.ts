// The default container hardening, kept as plain data so that the spec generator, `inspect` and the security
// tests all read the same lists. Docker's sets (moby daemon/pkg/oci caps/defaults.go, defaults.go, as summarised
// in shared/reference/security-anchors.md), except no-new-privileges, which is on. Change these only on purpose.

/** The 14 capabilities Docker grants by default (CapEff 00000000a80425fb). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Paths the runtime hides (a /dev/null bind for files, an empty read-only tmpfs for directories). */
export const MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/**
 * Masked per CPU (cpu0, cpu1 …): Docker lists the glob /sys/devices/system/cpu/cpu* /thermal_throttle, but the
 * runtime takes literal paths, so the generator expands it against the host's CPUs.
 */
export const MASKED_PER_CPU_SUFFIX = 'thermal_throttle';

/** Paths the runtime remounts read-only. */
export const READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

export interface DeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;   // absent = any (*)
  minor?: number;
  access: string;   // subset of "rwm"
}

/**
 * Device cgroup: deny everything, then allow only what a normal process needs. The `m` (mknod) rules let an
 * image's entrypoint create device nodes it can then not open, as in Docker; 10:200 is /dev/net/tun.
 */
export const DEVICE_RULES: readonly DeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },   // null
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },   // zero
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },   // full
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },   // random
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },   // urandom
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },   // tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },   // console
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },   // ptmx
  { allow: true, type: 'c', major: 136, access: 'rwm' },           // pts/*
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // net/tun
];

/**
 * Sysctls Docker sets in a private network namespace: binding low ports and ICMP echo sockets need no
 * capability there. Never applied with the host's network namespace (they would change the host).
 */
export const NETNS_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_unprivileged_port_start': '0',
  'net.ipv4.ping_group_range': '0 2147483647',
};

/**
 * On by default (Docker leaves it off; CIS 5.26 asks for it): setuid binaries and file capabilities in an image
 * cannot raise a process above what the container was given. `--security-opt no-new-privileges=false` turns it off.
 */
export const DEFAULT_NO_NEW_PRIVILEGES = true;

/** Size of the /dev and /dev/shm tmpfs mounts, as Docker. */
export const DEFAULT_SHM_SIZE = '65536k';
