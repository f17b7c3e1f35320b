// The shape of a security policy: the rules an administrator can set, what one judges (a container config and
// the image reference it was created from), and what a judgement returns. Types and the rule catalogue only.
import type { ContainerConfig } from '../../core/index.js';

export type ProfileName = 'baseline' | 'restricted';
export const PROFILE_NAMES: readonly ProfileName[] = ['baseline', 'restricted'];

/** Which host ports and addresses a container may publish on (-p, -P). */
export interface PublishedPortsRule {
  /** "80", "8000-8999", or "random" (hostPort 0 and -P, where the kernel picks the port). [] = publish nothing. */
  hostPorts?: string[] | null;
  /** Host addresses ports may be bound to; "0.0.0.0" (or "::") is how a mapping on every address is allowed. */
  hostIps?: string[] | null;
}

/**
 * Every rule is optional: an absent rule constrains nothing. Polarity is in the name, so a value never needs a
 * second look: `allow*: false` forbids, `require*: true` requires, a list limits to its members ([] = none) and
 * `null` lifts a list a profile had set.
 */
export interface PolicyRules {
  allowPrivileged?: boolean;
  allowHostNamespaces?: boolean;             // --network/--pid/--ipc/--uts/--cgroupns host
  allowedCapabilities?: string[] | null;     // the whole effective set must be within this list
  allowedAddedCapabilities?: string[] | null; // what may be held beyond the engine's default set
  allowUnconfinedSeccomp?: boolean;          // --security-opt seccomp=unconfined (and --privileged, which implies it)
  allowCustomSeccomp?: boolean;              // a client-supplied profile, which can allow anything
  requireNoNewPrivileges?: boolean;
  requireNonRoot?: boolean;
  requireReadOnlyRootfs?: boolean;
  requireMemoryLimit?: boolean;
  requireCpuLimit?: boolean;                 // --cpus or --cpu-quota: a ceiling, not a weight
  requirePidsLimit?: boolean;
  allowDevices?: boolean;                    // --device and --device-cgroup-rule
  allowedSysctls?: string[] | null;          // exact names, or a prefix ending in "*" ("net.ipv4.tcp_*")
  bindMountRoots?: string[] | null;          // bind sources must be these host paths or below them
  allowedRegistries?: string[] | null;       // "host[:port]" or "host[:port]/repository-prefix"
  requireImageDigest?: boolean;
  publishedPorts?: PublishedPortsRule | null;
}

export type RuleName = keyof PolicyRules;

/** A loaded policy: the profile's rules with the file's rules laid over them. Plain data (JSON-serialisable). */
export interface Policy {
  source: string;               // the file it came from, or "builtin"
  profile?: ProfileName;
  rules: PolicyRules;           // effective rules (null lists already removed)
  explicitRules: RuleName[];    // rules the file itself set (including to null), for messages and `policy show`
}

/** What the engine knows about the image, as the user named it, resolved ("busybox" → docker.io, library/busybox). */
export interface ImageRefSubject {
  registry: string;             // "docker.io", "registry.example:5000"; "" when named by image id
  repository: string;           // "library/busybox"
  digest?: string;              // "sha256:…" when pinned (or named by id)
}

export interface PolicySubject {
  config: ContainerConfig;      // validated: defaults applied, capability names normalised
  imageRef: ImageRefSubject;
  /** The numeric uid config.user resolves to in the image, when the engine could resolve it. */
  uid?: number;
  /** Bind source → its real path on the host (resolveBindSources), so a symlink cannot lead out of a root. */
  realBindSources?: Readonly<Record<string, string>>;
}

export interface Violation {
  rule: RuleName;
  message: string;              // one line, without the rule name
  origin: string;               // "profile restricted" or "policy /etc/bulkhead/policy.json"
}

type RuleKind = 'allow' | 'require' | 'list' | 'ports';

/** The catalogue: each rule's kind and what it is about, for validation and `policy show`. */
export const RULES: Readonly<Record<RuleName, { kind: RuleKind; about: string }>> = {
  allowPrivileged: { kind: 'allow', about: 'privileged containers (--privileged)' },
  allowHostNamespaces: { kind: 'allow', about: "the host's network, pid, ipc, uts or cgroup namespace" },
  allowedCapabilities: { kind: 'list', about: 'every capability a container may hold' },
  allowedAddedCapabilities: { kind: 'list', about: 'capabilities a container may hold beyond the default set' },
  allowUnconfinedSeccomp: { kind: 'allow', about: 'running without seccomp' },
  allowCustomSeccomp: { kind: 'allow', about: 'a seccomp profile supplied with the request' },
  requireNoNewPrivileges: { kind: 'require', about: 'no-new-privileges on' },
  requireNonRoot: { kind: 'require', about: 'a non-root user (numeric uid, or a name the engine resolved)' },
  requireReadOnlyRootfs: { kind: 'require', about: 'a read-only root filesystem (--read-only)' },
  requireMemoryLimit: { kind: 'require', about: 'a memory limit (--memory)' },
  requireCpuLimit: { kind: 'require', about: 'a CPU limit (--cpus or --cpu-quota)' },
  requirePidsLimit: { kind: 'require', about: 'a pids limit (--pids-limit > 0)' },
  allowDevices: { kind: 'allow', about: 'host devices (--device, --device-cgroup-rule)' },
  allowedSysctls: { kind: 'list', about: 'sysctls a container may set' },
  bindMountRoots: { kind: 'list', about: 'host paths bind mounts may come from' },
  allowedRegistries: { kind: 'list', about: 'registries images may come from' },
  requireImageDigest: { kind: 'require', about: 'images named by digest (repo@sha256:…)' },
  publishedPorts: { kind: 'ports', about: 'host ports and addresses containers may publish on' },
};

export const RULE_NAMES = Object.keys(RULES) as RuleName[];

/** Whether a rule, as set, constrains anything. */
export function ruleActive(rules: PolicyRules, name: RuleName): boolean {
  const v = rules[name];
  switch (RULES[name].kind) {
    case 'allow': return v === false;
    case 'require': return v === true;
    default: return v !== undefined && v !== null;
  }
}
