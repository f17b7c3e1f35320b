// The user namespace of a --userns=auto container: container ids 0..size-1 map to the engine-allocated host range.
// runc 1.1.5 needs a few mounts changed for it, since the container's root is not root of the initial namespace:
//  - sysfs can only be mounted by the owner of the network namespace; with --network host (the host's netns)
//    the host's /sys is bound read-only instead.
//  - device nodes cannot be created in a user namespace: runc binds the host's nodes itself, so nothing here.
//  - net.ipv4.ping_group_range may only name gids mapped in the namespace: the engine's default (every gid) is
//    narrowed to the container's own 0..size-1; a value the user set is left for the kernel to judge.
//  - bridge and user-defined networks: runc makes the network namespace inside the user namespace (so exec can
//    join it and sysfs can be mounted), and the engine attaches it to its networks after create.
//  - the cgroup namespace stays (runc creates it inside the user namespace, where its cgroup mount is allowed);
//    with --cgroupns host runc binds the container's cgroup directories instead, which works there as well.
import type { ContainerConfig } from '../core/index.js';
import type { OciSpec } from './oci-types.js';

type IdMapping = { containerID: number; hostID: number; size: number };
export type UsernsOciLinux = { uidMappings?: IdMapping[]; gidMappings?: IdMapping[] };

export function applyUserNamespace(spec: OciSpec, config: ContainerConfig): void {
  const map = config.security.idMap;
  if (config.security.userns !== 'auto' || !map) return;
  const linux = spec.linux as typeof spec.linux & UsernsOciLinux;
  linux.namespaces.push({ type: 'user' });
  linux.uidMappings = [{ containerID: 0, hostID: map.hostUid, size: map.size }];
  linux.gidMappings = [{ containerID: 0, hostID: map.hostGid, size: map.size }];
  const ping = 'net.ipv4.ping_group_range';
  if (linux.sysctl?.[ping] !== undefined && config.security.sysctls[ping] === undefined) linux.sysctl[ping] = `0 ${map.size - 1}`;
  if (config.network === 'host') bindHostSys(spec);
}

/** Points the spec's network namespace at the one the engine made (never for a user-namespaced container). */
export function joinEngineNetns(spec: OciSpec, path: string): void {
  const ns = spec.linux.namespaces.find((n) => n.type === 'network');
  if (ns) ns.path = path;
}

function bindHostSys(spec: OciSpec): void {
  const i = spec.mounts.findIndex((m) => m.destination === '/sys' && m.type === 'sysfs');
  if (i >= 0) spec.mounts[i] = { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'rprivate', 'nosuid', 'noexec', 'nodev', 'ro'] };
}
