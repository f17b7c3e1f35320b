// A validated container config as the engine records it for `run busybox` (hardened defaults, pids limit 2048),
// to be changed one field at a time by each test.
import type { ContainerConfig } from '../../src/core/index.js';
import { parsePolicy, type Policy, type PolicyRules, type PolicySubject } from '../../src/security/policy/index.js';

export function defaultConfig(): ContainerConfig {
  return {
    id: 'c'.repeat(64), created: new Date(0).toISOString(), image: 'busybox', imageId: `sha256:${'a'.repeat(64)}`,
    entrypoint: [], cmd: ['sh'], env: [], workingDir: '/', user: '', hostname: 'c', tty: false, openStdin: false, labels: {},
    mounts: [], readOnlyRootfs: false, network: 'bridge', networks: [{ name: 'bridge', aliases: [] }], ports: [], publishAll: false,
    dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [], autoRemove: false, stopSignal: 'SIGTERM', stopTimeout: 10, runtime: 'runc',
    resources: { pidsLimit: 2048 },
    security: {
      privileged: false, capAdd: [], capDrop: [], seccomp: 'default', noNewPrivileges: true, groupAdd: [], devices: [], sysctls: {},
      pid: 'private', ipc: 'private', uts: 'private', userns: 'host',
    },
  };
}

/** A config that every built-in profile and every rule below accepts. */
export function hardenedConfig(): ContainerConfig {
  const c = defaultConfig();
  c.user = '1000:1000';
  c.readOnlyRootfs = true;
  c.resources = { memory: 64 * 1024 * 1024, cpus: 0.5, pidsLimit: 100 };
  c.security.capDrop = ['ALL'];
  c.security.capAdd = ['CAP_NET_BIND_SERVICE'];
  return c;
}

export function subject(config: ContainerConfig, imageRef: PolicySubject['imageRef'] = { registry: 'docker.io', repository: 'library/busybox' },
  extra: Partial<PolicySubject> = {}): PolicySubject {
  return { config, imageRef, ...extra };
}

export function policyOf(rules: PolicyRules | Record<string, unknown>, profile?: string): Policy {
  return parsePolicy({ ...(profile ? { profile } : {}), rules }, 'test.json');
}
