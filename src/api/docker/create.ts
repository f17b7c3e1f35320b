// POST /containers/create: Docker's Config + HostConfig turned into the engine's CreateRequest. Docker clients send
// every field, mostly at zero values, so "given" means "not Docker's zero value". Unknown fields are ignored (newer
// clients add some); a field Bulkhead cannot honour that the client did set is a 400 naming it, never dropped.
import { InvalidArgumentError, type DeviceMapping, type MountSpec, type ResourceLimits, type Ulimit } from '../../core/index.js';
import type { CreateRequest, SecurityRequest } from '../../engine/index.js';
import { resourcesFromDocker } from './resources.js';
import { bool, isSet, num, objects, str, stringList, stringMap } from './fields.js';

/** The subset of Docker's create body this layer reads; every field may be absent or null. */
export interface DockerCreateBody {
  [key: string]: unknown;
  HostConfig?: Record<string, unknown> | null;
}

type Obj = Record<string, unknown>;

function refuse(field: string, why: string): never {
  throw new InvalidArgumentError(`${field} is not supported by Bulkhead: ${why}`);
}

/** Fields that have no Bulkhead counterpart: set → 400. */
const UNSUPPORTED_CONFIG: Record<string, string> = {
  Domainname: 'containers get only a hostname',
  MacAddress: 'MAC addresses are not configurable',
};
const UNSUPPORTED_HOST: Record<string, string> = {
  Cgroup: 'joining another cgroup is not implemented',
  DeviceRequests: 'GPU and device requests are not implemented', KernelMemory: 'kernel memory limits are deprecated',
  KernelMemoryTCP: 'kernel memory limits are deprecated', CpuCount: 'Windows only', CpuPercent: 'Windows only',
  IOMaximumIOps: 'Windows only', IOMaximumBandwidth: 'Windows only', StorageOpt: 'storage options are not implemented',
  ContainerIDFile: 'the client writes the id file itself',
};

export function translateCreate(body: DockerCreateBody, name: string | undefined): CreateRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('create container: the body must be a JSON object');
  const hc: Obj = (body.HostConfig ?? {}) as Obj;
  for (const [field, why] of Object.entries(UNSUPPORTED_CONFIG)) if (isSet(body[field])) refuse(field, why);
  for (const [field, why] of Object.entries(UNSUPPORTED_HOST)) {
    // ContainerIDFile is only ever meaningful to the client: accept it silently.
    if (field !== 'ContainerIDFile' && isSet(hc[field])) refuse(`HostConfig.${field}`, why);
  }
  if (hc.MaskedPaths != null) refuse('HostConfig.MaskedPaths', 'the masked paths are fixed (security-opt systempaths=unconfined is not available)');
  if (hc.ReadonlyPaths != null) refuse('HostConfig.ReadonlyPaths', 'the read-only paths are fixed');
  if (isSet(hc.MemorySwappiness) && hc.MemorySwappiness !== -1) refuse('HostConfig.MemorySwappiness', 'swappiness is not configurable');
  if (isSet(hc.Isolation) && hc.Isolation !== 'default') refuse('HostConfig.Isolation', 'Windows only');
  if (isSet(hc.VolumeDriver) && hc.VolumeDriver !== 'local') refuse('HostConfig.VolumeDriver', 'only the local driver exists');
  const logOptions = logConfig(hc.LogConfig);
  const image = body.Image;
  if (typeof image !== 'string' || !image) throw new InvalidArgumentError('create container: Image is required');
  const req: CreateRequest = { image };
  if (name) req.name = name.replace(/^\//, '');
  if (body.Cmd != null) req.cmd = stringList(body.Cmd, 'Cmd', true);
  if (body.Entrypoint != null) req.entrypoint = stringList(body.Entrypoint, 'Entrypoint', true);
  if (isSet(body.Env)) req.env = stringList(body.Env, 'Env');
  if (isSet(body.WorkingDir)) req.workingDir = str(body.WorkingDir, 'WorkingDir');
  if (isSet(body.User)) req.user = str(body.User, 'User');
  if (isSet(body.Hostname)) req.hostname = str(body.Hostname, 'Hostname');
  if (isSet(body.Tty)) req.tty = true;
  if (isSet(body.OpenStdin)) req.openStdin = true;
  if (isSet(body.Labels)) req.labels = body.Labels as Record<string, string>;
  if (isSet(body.StopSignal)) req.stopSignal = str(body.StopSignal, 'StopSignal');
  if (body.StopTimeout != null) req.stopTimeout = num(body.StopTimeout, 'StopTimeout');
  if (isSet(hc.AutoRemove)) req.autoRemove = true;
  const policy = restartPolicy(hc.RestartPolicy);
  if (policy) req.restartPolicy = policy;
  if (isSet(body.Healthcheck)) req.healthcheck = healthcheckFromDocker(body.Healthcheck as Obj);
  if (isSet(hc.ReadonlyRootfs)) req.readOnlyRootfs = true;
  if (isSet(hc.Runtime)) req.runtime = str(hc.Runtime, 'HostConfig.Runtime');
  // Init is a *bool: null is the daemon's default (no init), false says so explicitly.
  if (hc.Init != null && bool(hc.Init, 'HostConfig.Init')) req.init = true;
  if (isSet(hc.Annotations)) req.annotations = stringMap(hc.Annotations, 'HostConfig.Annotations'); // keys: the engine's check
  if (isSet(hc.CgroupParent)) req.cgroupParent = str(hc.CgroupParent, 'HostConfig.CgroupParent');
  if (logOptions) req.logOptions = logOptions;
  const network = body.NetworkDisabled === true ? 'none' : hc.NetworkMode;
  // "default" is docker's word for the daemon's default network: the engine picks it.
  if (isSet(network) && network !== 'default') req.network = str(network, 'HostConfig.NetworkMode');
  Object.assign(req, networkingFromDocker(body, hc));
  const size = hc.ConsoleSize;
  if (Array.isArray(size) && size.length === 2 && Number(size[0]) > 0 && Number(size[1]) > 0) {
    req.consoleSize = { height: Number(size[0]), width: Number(size[1]) };
  }
  const mounts = mountsFromDocker(body, hc);
  if (mounts.length) req.mounts = mounts;
  if (isSet(hc.VolumesFrom)) req.volumesFrom = stringList(hc.VolumesFrom, 'HostConfig.VolumesFrom');
  if (isSet(hc.Links)) req.links = stringList(hc.Links, 'HostConfig.Links');   // NAME:ALIAS or /NAME:/CONTAINER/ALIAS
  const resources: ResourceLimits = resourcesFromDocker(hc, 'create');
  if (isSet(hc.Ulimits)) resources.ulimits = objects(hc.Ulimits, 'HostConfig.Ulimits').map(ulimit);
  if (isSet(hc.ShmSize)) resources.shmSize = num(hc.ShmSize, 'HostConfig.ShmSize');
  if (isSet(hc.OomKillDisable)) resources.oomKillDisable = true;
  if (isSet(hc.OomScoreAdj)) resources.oomScoreAdj = num(hc.OomScoreAdj, 'HostConfig.OomScoreAdj');
  if (Object.keys(resources).length) req.resources = resources;
  const security = securityFromDocker(hc);
  if (Object.keys(security).length) req.security = security;
  return req;
}

/** Ports, DNS, /etc/hosts entries and per-network endpoint settings (aliases, fixed addresses). */
function networkingFromDocker(body: DockerCreateBody, hc: Obj): Partial<CreateRequest> {
  const out: Partial<CreateRequest> = {};
  if (isSet(hc.PortBindings)) {
    out.ports = Object.entries(hc.PortBindings as Record<string, unknown>).flatMap(([spec, bindings]) => {
      const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(spec);
      if (!m) throw new InvalidArgumentError(`HostConfig.PortBindings: invalid port "${spec}"`);
      const list = Array.isArray(bindings) && bindings.length ? (bindings as Obj[]) : [{}];
      return list.map((b) => ({
        containerPort: Number(m[1]), protocol: m[2] ?? 'tcp',
        ...(isSet(b.HostIp) ? { hostIp: str(b.HostIp, 'HostConfig.PortBindings[].HostIp') } : {}),
        ...(isSet(b.HostPort) ? { hostPort: Number(b.HostPort) } : {}),
      }));
    });
  }
  if (isSet(hc.PublishAllPorts)) out.publishAll = true;
  if (isSet(hc.Dns)) out.dns = stringList(hc.Dns, 'HostConfig.Dns');
  if (isSet(hc.DnsSearch)) out.dnsSearch = stringList(hc.DnsSearch, 'HostConfig.DnsSearch');
  if (isSet(hc.DnsOptions)) out.dnsOptions = stringList(hc.DnsOptions, 'HostConfig.DnsOptions');
  if (isSet(hc.ExtraHosts)) out.extraHosts = stringList(hc.ExtraHosts, 'HostConfig.ExtraHosts');
  // EndpointsConfig names the networks to join; "default" (and host/none) is what NetworkMode already says.
  const endpoints = Object.entries(((body.NetworkingConfig as Obj | undefined)?.EndpointsConfig ?? {}) as Record<string, Obj | null>)
    .filter(([name]) => !['default', 'host', 'none'].includes(name));
  if (endpoints.length) {
    out.networks = endpoints.map(([name, ep]) => {
      const ip = ((ep?.IPAMConfig ?? {}) as Obj).IPv4Address;
      return { name, ...(isSet(ep?.Aliases) ? { aliases: stringList(ep!.Aliases, 'EndpointsConfig.Aliases') } : {}),
        ...(isSet(ip) ? { ip: str(ip, 'EndpointsConfig.IPAMConfig.IPv4Address') } : {}) };
    });
  }
  return out;
}

/** {Name, MaximumRetryCount}; Name "" or "no" is no policy. The engine checks the combination. */
function restartPolicy(v: unknown): CreateRequest['restartPolicy'] {
  const rp = (v ?? {}) as Obj;
  if (!isSet(rp.Name) && !isSet(rp.MaximumRetryCount)) return undefined;
  const name = isSet(rp.Name) ? str(rp.Name, 'HostConfig.RestartPolicy.Name') : 'no';
  return { name, ...(isSet(rp.MaximumRetryCount) ? { maximumRetryCount: num(rp.MaximumRetryCount, 'HostConfig.RestartPolicy.MaximumRetryCount') } : {}) };
}

/** Docker's Config.Healthcheck (durations in ns; 0 = the image's or the default) in the engine's terms (ms). */
function healthcheckFromDocker(hc: Obj): NonNullable<CreateRequest['healthcheck']> {
  const out: NonNullable<CreateRequest['healthcheck']> = {};
  if (isSet(hc.Test)) out.test = stringList(hc.Test, 'Healthcheck.Test');
  const ms = (field: string) => num(hc[field], `Healthcheck.${field}`) / 1e6;
  if (isSet(hc.Interval)) out.intervalMs = ms('Interval');
  if (isSet(hc.Timeout)) out.timeoutMs = ms('Timeout');
  if (isSet(hc.StartPeriod)) out.startPeriodMs = ms('StartPeriod');
  if (isSet(hc.StartInterval)) out.startIntervalMs = ms('StartInterval');
  if (isSet(hc.Retries)) out.retries = num(hc.Retries, 'Healthcheck.Retries');
  return out;
}

/** HostConfig.LogConfig: the json-file driver only; its options (max-size, max-file) are checked by the engine. */
function logConfig(v: unknown): Record<string, string> | undefined {
  const lc = (v ?? {}) as Obj;
  if (isSet(lc.Type) && lc.Type !== 'json-file') refuse('HostConfig.LogConfig.Type', `log driver "${String(lc.Type)}" is not available; logs are kept by the engine (json-file)`);
  if (!isSet(lc.Config)) return undefined;
  const config = lc.Config as Obj;
  if (typeof config !== 'object' || Array.isArray(config) || Object.values(config).some((x) => typeof x !== 'string')) {
    throw new InvalidArgumentError('HostConfig.LogConfig.Config must be an object of strings');
  }
  return config as Record<string, string>;
}

function mountsFromDocker(body: DockerCreateBody, hc: Obj): MountSpec[] {
  const mounts: MountSpec[] = [];
  for (const bind of isSet(hc.Binds) ? stringList(hc.Binds, 'HostConfig.Binds') : []) mounts.push(parseBind(bind));
  for (const m of isSet(hc.Mounts) ? objects(hc.Mounts, 'HostConfig.Mounts') : []) mounts.push(parseMount(m));
  for (const [target, opts] of Object.entries((hc.Tmpfs ?? {}) as Record<string, string>)) {
    mounts.push({ type: 'tmpfs', source: '', target, readOnly: false, ...(opts ? { options: String(opts).split(',') } : {}) });
  }
  // Config.Volumes ({"/data": {}}) are anonymous volumes, unless a bind or mount already covers the path.
  for (const target of Object.keys((body.Volumes ?? {}) as Obj)) {
    if (!mounts.some((m) => m.target === target)) mounts.push({ type: 'volume', source: '', target, readOnly: false });
  }
  return mounts;
}

/** "src:dst[:opts]" where src is an absolute host path (bind) or a volume name. */
function parseBind(spec: string): MountSpec {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw new InvalidArgumentError(`invalid bind "${spec}": expected source:target[:options]`);
  const opts = (parts[2] ?? '').split(',').filter(Boolean);
  for (const o of opts) {
    if (!['ro', 'rw', 'z', 'Z', 'rprivate', 'private', 'nocopy'].includes(o)) throw new InvalidArgumentError(`invalid bind "${spec}": option "${o}" is not supported`);
  }
  const type = parts[0].startsWith('/') ? 'bind' : 'volume';
  return { type, source: parts[0], target: parts[1], readOnly: opts.includes('ro') };
}

function parseMount(m: Obj): MountSpec {
  const type = m.Type;
  const target = str(m.Target, 'HostConfig.Mounts[].Target');
  const readOnly = m.ReadOnly === true;
  if (type === 'bind' || type === 'volume') {
    if (isSet(m.VolumeOptions) && isSet((m.VolumeOptions as Obj).DriverConfig)) refuse('HostConfig.Mounts[].VolumeOptions.DriverConfig', 'only the local driver exists');
    return { type, source: typeof m.Source === 'string' ? m.Source : '', target, readOnly };
  }
  if (type === 'tmpfs') {
    const t = (m.TmpfsOptions ?? {}) as Obj;
    const options = [
      ...(isSet(t.SizeBytes) ? [`size=${num(t.SizeBytes, 'TmpfsOptions.SizeBytes')}`] : []),
      ...(isSet(t.Mode) ? [`mode=${num(t.Mode, 'TmpfsOptions.Mode').toString(8)}`] : []),
    ];
    return { type: 'tmpfs', source: '', target, readOnly, ...(options.length ? { options } : {}) };
  }
  throw new InvalidArgumentError(`HostConfig.Mounts: mount type "${String(type)}" is not supported (bind, volume, tmpfs)`);
}

function securityFromDocker(hc: Obj): SecurityRequest {
  const sec: SecurityRequest = {};
  if (isSet(hc.Privileged)) sec.privileged = true;
  if (isSet(hc.CapAdd)) sec.capAdd = stringList(hc.CapAdd, 'HostConfig.CapAdd');
  if (isSet(hc.CapDrop)) sec.capDrop = stringList(hc.CapDrop, 'HostConfig.CapDrop');
  if (isSet(hc.GroupAdd)) sec.groupAdd = stringList(hc.GroupAdd, 'HostConfig.GroupAdd');
  if (isSet(hc.Sysctls)) sec.sysctls = hc.Sysctls as Record<string, string>;
  if (isSet(hc.Devices)) sec.devices = objects(hc.Devices, 'HostConfig.Devices').map(device);
  if (isSet(hc.DeviceCgroupRules)) sec.deviceCgroupRules = stringList(hc.DeviceCgroupRules, 'HostConfig.DeviceCgroupRules');
  for (const [field, key] of [['PidMode', 'pid'], ['IpcMode', 'ipc'], ['UTSMode', 'uts']] as const) {
    const mode = hc[field];
    if (!isSet(mode) || mode === 'private' || mode === 'shareable') continue;
    if (mode !== 'host') refuse(`HostConfig.${field}`, `mode "${String(mode)}" is not available (host or private)`);
    sec[key] = 'host';
  }
  if (isSet(hc.CgroupnsMode)) {
    if (hc.CgroupnsMode !== 'host' && hc.CgroupnsMode !== 'private') {
      throw new InvalidArgumentError(`invalid HostConfig.CgroupnsMode "${String(hc.CgroupnsMode)}": expected host or private`);
    }
    sec.cgroupns = hc.CgroupnsMode;
  }
  if (isSet(hc.UsernsMode)) {
    if (hc.UsernsMode !== 'host' && hc.UsernsMode !== 'auto') refuse('HostConfig.UsernsMode', `mode "${String(hc.UsernsMode)}" is not available (host or auto)`);
    sec.userns = hc.UsernsMode;
  }
  for (const opt of isSet(hc.SecurityOpt) ? stringList(hc.SecurityOpt, 'HostConfig.SecurityOpt') : []) securityOpt(opt, sec);
  return sec;
}

/** One --security-opt: seccomp (the CLI sends a profile file's content, not its path), no-new-privileges. */
function securityOpt(opt: string, sec: SecurityRequest): void {
  const sep = opt.search(/[=:]/);
  const key = sep === -1 ? opt : opt.slice(0, sep);
  const value = sep === -1 ? '' : opt.slice(sep + 1);
  if (key === 'seccomp') {
    if (value === 'unconfined') sec.seccomp = 'unconfined';
    else if (value === 'builtin' || value === 'default') sec.seccomp = 'default';
    else { sec.seccomp = 'custom'; sec.seccompProfile = value; }
  } else if (key === 'no-new-privileges') {
    if (!['', 'true', 'false'].includes(value)) throw new InvalidArgumentError(`invalid security option "${opt}"`);
    sec.noNewPrivileges = value !== 'false';
  } else if ((key === 'apparmor' || key === 'label') && (value === 'unconfined' || value === 'disable')) {
    // No AppArmor/SELinux confinement is applied, so asking for none is already true.
  } else {
    refuse('HostConfig.SecurityOpt', `option "${key}" is not available (seccomp, no-new-privileges)`);
  }
}

function device(d: Obj): DeviceMapping {
  const hostPath = str(d.PathOnHost, 'HostConfig.Devices[].PathOnHost');
  return { hostPath, containerPath: typeof d.PathInContainer === 'string' && d.PathInContainer ? d.PathInContainer : hostPath,
    permissions: typeof d.CgroupPermissions === 'string' && d.CgroupPermissions ? d.CgroupPermissions : 'rwm' };
}

function ulimit(u: Obj): Ulimit {
  return { name: str(u.Name, 'HostConfig.Ulimits[].Name'), soft: num(u.Soft, 'HostConfig.Ulimits[].Soft'), hard: num(u.Hard, 'HostConfig.Ulimits[].Hard') };
}
