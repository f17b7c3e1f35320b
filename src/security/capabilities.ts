// Linux capability names, and the arithmetic of --cap-add/--cap-drop/--privileged over them. Pure: what the
// engine itself may hand out (its own bounding set) is passed in by the caller, so tests can ask about any host.
import { DEFAULT_CAPABILITIES } from './defaults.js';

/** Every capability of linux/capability.h up to Linux 6.x, at its bit number (index = CAP_* value). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** The word users write for "every capability" in --cap-add/--cap-drop. */
export const ALL = 'ALL';

/**
 * "net_admin", "NET_ADMIN" and "CAP_NET_ADMIN" all mean CAP_NET_ADMIN; "all" means ALL. Returns undefined for a
 * name that is not a capability, so the caller can word the error for its own flag.
 */
export function normalizeCapability(name: string): string | undefined {
  const upper = name.trim().toUpperCase();
  if (upper === ALL) return ALL;
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  return ALL_CAPABILITIES.includes(full) ? full : undefined;
}

/**
 * The names in a /proc/<pid>/status mask (CapBnd …). The engine can only hand out what its own bounding set
 * holds (a host or sandbox may have removed some, and a kernel may not know the newest): asking runc for more
 * fails the start with EPERM.
 */
export function capabilitiesInMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

export interface CapabilityRequest {
  privileged: boolean;
  capAdd: readonly string[];   // normalised names or ALL
  capDrop: readonly string[];
}

/**
 * The effective set, in Docker's order of operations: --privileged gives everything; --cap-add ALL gives
 * everything but the drops; --cap-drop ALL keeps only the adds; otherwise the defaults, minus the drops, plus the
 * adds (so a capability both added and dropped is kept: the add is the more specific wish).
 */
export function effectiveCapabilities(req: CapabilityRequest, available: readonly string[]): string[] {
  const known = (c: string) => available.includes(c);
  let caps: string[];
  if (req.privileged) {
    caps = [...available];
  } else if (req.capAdd.includes(ALL)) {
    caps = available.filter((c) => !req.capDrop.includes(c));
  } else if (req.capDrop.includes(ALL)) {
    caps = req.capAdd.filter(known);
  } else {
    caps = [...DEFAULT_CAPABILITIES.filter((c) => !req.capDrop.includes(c)), ...req.capAdd];
  }
  return [...new Set(caps.filter(known))];
}

/** The /proc/<pid>/status bitmask (CapEff …) for a set of names, as 16 hex digits. */
export function capabilityMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const bit = ALL_CAPABILITIES.indexOf(c);
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}
