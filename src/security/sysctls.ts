// Which sysctls a container may set: only those the kernel keeps per namespace, so a value set for one
// container can never change the host or its neighbours. Everything else is refused by name.

export type SysctlNamespace = 'ipc' | 'net';

/** The namespace a sysctl belongs to, or undefined when it is host-wide (and so not for containers). */
export function sysctlNamespace(key: string): SysctlNamespace | undefined {
  if (/^kernel\.(msg[a-z_]*|sem|shm[a-z_]*)$/.test(key)) return 'ipc';
  if (/^fs\.mqueue\.[a-z_]+$/.test(key)) return 'ipc';
  if (/^net\.[a-zA-Z0-9_.\-/]+$/.test(key)) return 'net';
  return undefined;
}

/**
 * Why `key` cannot be set in a container with these namespace modes, or undefined when it can. A sysctl of a
 * namespace shared with the host would be written to the host's own value.
 */
export function sysctlRefusal(key: string, ctx: { hostNetwork: boolean; hostIpc: boolean }): string | undefined {
  const ns = sysctlNamespace(key);
  if (!ns) {
    return `sysctl "${key}" is not allowed: only namespaced sysctls (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*) can be set in a container`;
  }
  if (ns === 'net' && ctx.hostNetwork) return `sysctl "${key}" is not allowed with --network host: it would change the host's value`;
  if (ns === 'ipc' && ctx.hostIpc) return `sysctl "${key}" is not allowed with --ipc host: it would change the host's value`;
  return undefined;
}
