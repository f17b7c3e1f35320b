// --init, as docker does it: the engine's init binary (tini) is bind-mounted read-only at /sbin/docker-init and
// runs as PID 1 with the container's command after "--". It starts the command as its child, forwards every
// signal to it (so `stop` works for programs that ignore SIGTERM as PID 1), reaps orphaned zombies, and exits
// with the command's exit code.
import type { OciSpec } from './oci-types.js';

/** Where the init appears inside the container (docker's path, which tools and users already know). */
export const INIT_IN_CONTAINER = '/sbin/docker-init';

/**
 * Puts the init in front of the process and mounts it; `hostPath` is the init binary on the host. In the host's
 * PID namespace the init is not PID 1, so it registers as a child subreaper (-s) to still reap what its command
 * orphans (docker leaves that out, and tini warns that zombies will not be reaped).
 */
export function applyInit(spec: OciSpec, hostPath: string, hostPid: boolean): void {
  spec.process.args = [INIT_IN_CONTAINER, ...(hostPid ? ['-s'] : []), '--', ...spec.process.args];
  spec.mounts.push({ destination: INIT_IN_CONTAINER, type: 'bind', source: hostPath, options: ['rbind', 'rprivate', 'ro'] });
}
