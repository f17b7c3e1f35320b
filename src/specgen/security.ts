// The confinement part of the spec: namespaces, capabilities, seccomp, no-new-privileges, devices and sysctls,
// from the container's SecurityOptions. Defaults are hardened; each option loosens exactly one thing.
import type { ContainerConfig } from '../core/index.js';
import type { OciNamespace, OciSpec } from './oci-types.js';

export function applySecurity(spec: OciSpec, config: ContainerConfig): void {
  const sec = config.security;
  spec.linux.namespaces = namespaces(config);
  spec.process.noNewPrivileges = sec.noNewPrivileges;
}

function namespaces(config: ContainerConfig): OciNamespace[] {
  const sec = config.security;
  const types: OciNamespace['type'][] = ['mount', 'cgroup'];
  if (sec.pid === 'private') types.push('pid');
  if (sec.ipc === 'private') types.push('ipc');
  if (sec.uts === 'private') types.push('uts');
  if (config.network !== 'host') types.push('network');
  return types.map((type) => ({ type }));
}
