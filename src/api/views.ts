// The JSON shape of records as the API shows them (inspect, ps): the stored config and state plus derived fields.
import { shortId, type ContainerConfig, type ContainerRecord, type ImageRecord } from '../core/index.js';
import { statusText } from '../engine/index.js';

export function containerView(c: ContainerRecord) {
  return {
    Id: c.config.id,
    ShortId: shortId(c.config.id),
    Name: c.name,
    Image: c.config.image,
    ImageId: c.config.imageId,
    Command: [...c.config.entrypoint, ...c.config.cmd].join(' '),
    Created: c.config.created,
    Status: statusText(c),
    State: { ...c.state, running: c.state.status === 'running' || c.state.status === 'paused', paused: c.state.status === 'paused' },
    Config: c.config,
    Hardening: hardeningView(c.config),
  };
}

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
    ...(userName === '' || userName === 'root' || userName === '0' ? ['runs as root (use --user)'] : []),
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
      : { followed: true, reason: `runs as ${c.user} with default or fewer capabilities, seccomp and no-new-privileges` },
  };
}

export function imageView(i: ImageRecord) {
  return { Id: i.id, Names: i.names, Created: i.created, Size: i.size, Config: i.config, Layers: i.layers };
}
