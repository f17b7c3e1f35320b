// The seed's four hardening rules, judged from a container's config alone, for `inspect`: data kept in volumes,
// writes only to container file systems, a private network, and minimal privileges.
import type { ContainerConfig } from '../core/index.js';

/** One of the four hardening rules: whether this container follows it, and why in one line. */
export interface HardeningRule { followed: boolean; reason: string }

/**
 * The seed's four hardening rules as `inspect` shows them, read from the config alone: data kept in volumes,
 * writes only to container file systems, a private network, and minimal privileges.
 */
export function hardeningView(c: ContainerConfig): Record<'dataInVolumesOnly' | 'writesOnlyContainerFilesystems' | 'privateNetwork' | 'minimalPrivileges', HardeningRule> {
  const sec = c.security;
  const volumes = c.mounts.filter((m) => m.type === 'volume').length;
  const hostWrites = c.mounts.filter((m) => m.type === 'bind' && !m.readOnly).map((m) => m.target);
  const userName = c.user.split(':')[0] ?? '';
  const problems = [
    // Root in a user namespace is an unprivileged host uid: as good as --user for the host's sake.
    ...((userName === '' || userName === 'root' || userName === '0') && sec.userns !== 'auto' ? ['runs as root (use --user or --userns=auto)'] : []),
    ...(sec.privileged ? ['is privileged'] : []),
    ...(sec.capAdd.length ? [`adds ${sec.capAdd.join(', ')}`] : []),
    ...(sec.seccomp === 'unconfined' ? ['runs without seccomp'] : []),
    ...(!sec.noNewPrivileges ? ['allows new privileges'] : []),
  ];
  return {
    dataInVolumesOnly: c.readOnlyRootfs
      ? { followed: true, reason: `the root filesystem is read-only: data can only be kept in volumes (${volumes} mounted)` }
      : { followed: false, reason: 'the root filesystem is writable: data written there is lost with the container (use --read-only and volumes)' },
    writesOnlyContainerFilesystems: !c.readOnlyRootfs
      ? { followed: false, reason: 'the root filesystem is writable (use --read-only; /tmp and /run get a tmpfs)' }
      : hostWrites.length
        ? { followed: false, reason: `host directories are bind-mounted writable at ${hostWrites.join(', ')}` }
        : { followed: true, reason: 'read-only root; writes go only to tmpfs and volumes' },
    privateNetwork: c.network === 'host'
      ? { followed: false, reason: 'shares the host\'s network namespace (--network host)' }
      : { followed: true, reason: `has its own network namespace (network ${c.network})` },
    minimalPrivileges: problems.length
      ? { followed: false, reason: `the container ${problems.join(', ')}` }
      : { followed: true, reason: `runs as ${sec.userns === 'auto' && sec.idMap ? `${c.user || 'root'} in a user namespace (host uid ${sec.idMap.hostUid}+)` : c.user} with default or fewer capabilities, seccomp and no-new-privileges` },
  };
}
