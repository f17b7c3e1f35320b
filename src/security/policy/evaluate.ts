// Judging a container against a policy: one Violation per broken rule (all of its problems in one line), in the
// catalogue's order, so `policy check` can list everything and create can refuse with the first. Pure: the
// subject carries what needed the host (real bind paths, the resolved uid).
import { posix } from 'node:path';
import type { ContainerConfig } from '../../core/index.js';
import { ALL_CAPABILITIES, effectiveCapabilities } from '../capabilities.js';
import { DEFAULT_CAPABILITIES } from '../defaults.js';
import { portProblems } from './ports.js';
import { RULE_NAMES, ruleActive, type Policy, type PolicyRules, type PolicySubject, type RuleName, type Violation } from './types.js';

type Check = (rules: PolicyRules, s: PolicySubject) => string | undefined;

const list = (items: readonly string[]) => items.join(', ') || 'none';

const CHECKS: Record<RuleName, Check> = {
  allowPrivileged: (_, { config }) => config.security.privileged ? 'privileged containers are not allowed' : undefined,
  allowHostNamespaces: (_, { config }) => {
    const shared = hostNamespaces(config);
    return shared.length ? `the host's namespaces are not allowed (${shared.join(', ')})` : undefined;
  },
  allowedCapabilities: (r, { config }) => {
    const extra = heldCapabilities(config).filter((c) => !r.allowedCapabilities!.includes(c));
    return extra.length
      ? `capabilities ${list(extra)} are not allowed (allowed: ${list(r.allowedCapabilities!)}; use --cap-drop ALL and --cap-add only those)`
      : undefined;
  },
  allowedAddedCapabilities: (r, { config }) => {
    const added = heldCapabilities(config).filter((c) => !DEFAULT_CAPABILITIES.includes(c) && !r.allowedAddedCapabilities!.includes(c));
    return added.length ? `capabilities beyond the default set are not allowed: ${list(added)} (allowed to add: ${list(r.allowedAddedCapabilities!)})` : undefined;
  },
  allowUnconfinedSeccomp: (_, { config }) => {
    if (config.security.privileged) return 'running without seccomp is not allowed (--privileged turns it off)';
    return config.security.seccomp === 'unconfined' ? 'running without seccomp is not allowed (seccomp=unconfined)' : undefined;
  },
  allowCustomSeccomp: (_, { config }) =>
    config.security.seccomp === 'custom' ? 'a custom seccomp profile is not allowed: only the default profile' : undefined,
  requireNoNewPrivileges: (_, { config }) =>
    config.security.noNewPrivileges ? undefined : 'no-new-privileges must stay on (it was turned off with --security-opt no-new-privileges=false)',
  requireNonRoot: (_, s) => rootProblem(s.config.user, s.uid),
  requireReadOnlyRootfs: (_, { config }) => config.readOnlyRootfs ? undefined : 'the root filesystem must be read-only (use --read-only)',
  requireMemoryLimit: (_, { config }) => (config.resources.memory ?? 0) > 0 ? undefined : 'a memory limit is required (use --memory)',
  requireCpuLimit: (_, { config }) => {
    const r = config.resources;
    return (r.cpus ?? 0) > 0 || (r.cpuQuota ?? 0) > 0 ? undefined : 'a CPU limit is required (use --cpus; --cpu-shares is a weight, not a limit)';
  },
  requirePidsLimit: (_, { config }) => (config.resources.pidsLimit ?? 0) > 0 ? undefined : 'a pids limit is required (--pids-limit must be above 0)',
  // A device cgroup rule opens device numbers as --device does, only without making the node.
  allowDevices: (_, { config }) => {
    const sec = config.security;
    if (sec.devices.length) return `host devices are not allowed (${sec.devices.map((d) => d.hostPath).join(', ')})`;
    return sec.deviceCgroupRules?.length ? `device cgroup rules are not allowed (${sec.deviceCgroupRules.join(', ')})` : undefined;
  },
  allowedSysctls: (r, { config }) => {
    const refused = Object.keys(config.security.sysctls).filter((k) => !r.allowedSysctls!.some((p) => sysctlMatches(p, k)));
    return refused.length ? `sysctls ${list(refused)} are not allowed (allowed: ${list(r.allowedSysctls!)})` : undefined;
  },
  bindMountRoots: (r, s) => {
    const roots = r.bindMountRoots!;
    const outside = s.config.mounts.filter((m) => m.type === 'bind').flatMap((m) => {
      const real = s.realBindSources?.[m.source];
      if (!underRoots(m.source, roots)) return [m.source];
      return real !== undefined && !underRoots(real, roots) ? [`${m.source} (really ${real})`] : [];
    });
    if (!outside.length) return undefined;
    return roots.length ? `bind mounts from ${list(outside)} are not allowed (allowed under: ${list(roots)})` : `bind mounts from the host are not allowed (${list(outside)}; use a volume)`;
  },
  allowedRegistries: (r, { imageRef }) => {
    if (r.allowedRegistries!.some((entry) => registryMatches(entry, imageRef.registry, imageRef.repository))) return undefined;
    const name = imageRef.registry ? `${imageRef.registry}/${imageRef.repository}` : `${imageRef.repository || imageRef.digest || 'the image'} (no registry)`;
    return `image ${name} is not from an allowed registry (allowed: ${list(r.allowedRegistries!)})`;
  },
  requireImageDigest: (_, { imageRef }) => imageRef.digest
    ? undefined
    : `image ${imageRef.registry ? `${imageRef.registry}/` : ''}${imageRef.repository} must be named by digest (repository@sha256:…)`,
  publishedPorts: (r, { config }) => {
    const problems = portProblems(config, r.publishedPorts!);
    return problems.length ? `published ports not allowed: ${problems.join('; ')}` : undefined;
  },
};

/** Every rule the subject breaks; [] when the policy accepts it. */
export function evaluatePolicy(policy: Policy, subject: PolicySubject): Violation[] {
  const out: Violation[] = [];
  for (const rule of RULE_NAMES) {
    if (!ruleActive(policy.rules, rule)) continue;
    const message = CHECKS[rule](policy.rules, subject);
    if (message) out.push({ rule, message, origin: ruleOrigin(policy, rule) });
  }
  return out;
}

/**
 * A process's user against requireNonRoot, apart from create's look at the whole config: an exec's user (`exec
 * --user 0` into a non-root container would otherwise step around the rule), and a container's user as its start
 * resolved it in its own filesystem (a name that was a non-root user in the image must not have become root since).
 * The only process fields a policy judges after create.
 */
export function evaluateUserPolicy(policy: Policy, proc: { user: string; uid?: number }, what: 'exec' | 'start'): Violation[] {
  if (!ruleActive(policy.rules, 'requireNonRoot')) return [];
  const message = rootProblem(proc.user, proc.uid);
  return message ? [{ rule: 'requireNonRoot', message: `${what}: ${message}`, origin: ruleOrigin(policy, 'requireNonRoot') }] : [];
}

/** Where a rule's value comes from, for messages: "policy <file>" when the file set it, else its profile. */
export function ruleOrigin(policy: Policy, rule: RuleName): string {
  return policy.explicitRules.includes(rule) || !policy.profile ? `policy ${policy.source}` : `profile ${policy.profile}`;
}

function hostNamespaces(config: ContainerConfig): string[] {
  const sec = config.security;
  return [
    ...(config.network === 'host' ? ['--network host'] : []),
    ...(sec.pid === 'host' ? ['--pid host'] : []),
    ...(sec.ipc === 'host' ? ['--ipc host'] : []),
    ...(sec.uts === 'host' ? ['--uts host'] : []),
    ...(sec.cgroupns === 'host' ? ['--cgroupns host'] : []),
  ];
}

/** What the container holds in the end (privileged: everything), judged against every capability there is. */
function heldCapabilities(config: ContainerConfig): string[] {
  const { privileged, capAdd, capDrop } = config.security;
  return effectiveCapabilities({ privileged, capAdd, capDrop }, ALL_CAPABILITIES);
}

/**
 * Why a user is (or may be) root. "" is the image's default, which is root; names other than "root" are only
 * trusted once the engine has resolved them to a uid, since an image's /etc/passwd can call uid 0 anything.
 */
function rootProblem(user: string, uid: number | undefined): string | undefined {
  const name = user.split(':')[0] ?? '';
  if (uid !== undefined) return uid === 0 ? `the container must not run as root (user ${JSON.stringify(user || 'root')} is uid 0; use --user with a non-zero uid)` : undefined;
  if (name === '') return 'the container must not run as root (neither the image nor --user names a user; use --user with a non-zero uid)';
  if (name === 'root' || /^0+$/.test(name)) return `the container must not run as root (user ${JSON.stringify(user)}; use --user with a non-zero uid)`;
  if (/^\d+$/.test(name)) return undefined;
  return `user ${JSON.stringify(user)} cannot be verified as non-root (use --user with a numeric uid)`;
}

function sysctlMatches(pattern: string, key: string): boolean {
  return pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : pattern === key;
}

function underRoots(path: string, roots: readonly string[]): boolean {
  const p = posix.normalize(path);
  return roots.some((root) => root === '/' || p === root || p.startsWith(`${root}/`));
}

function registryMatches(entry: string, registry: string, repository: string): boolean {
  if (!registry) return false;
  const slash = entry.indexOf('/');
  const host = slash < 0 ? entry : entry.slice(0, slash);
  if (host !== registry.toLowerCase()) return false;
  if (slash < 0) return true;
  const prefix = entry.slice(slash + 1);
  return repository === prefix || repository.startsWith(`${prefix}/`);
}
