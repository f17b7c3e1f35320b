// Engine records in Docker's JSON shapes: the container summary (containers/json) and the container inspect document
// (images are in images-views.ts). Fields Bulkhead has no notion of carry Docker's zero values.
import type { ContainerRecord, HealthState, HealthcheckConfig, MountSpec } from '../../core/index.js';
import { statusText } from '../../engine/index.js';

/** Docker's "never" time, which clients parse as a date rather than an empty string. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function dockerName(name: string): string {
  return `/${name}`;
}

export function mountView(m: MountSpec) {
  const rw = !m.readOnly;
  switch (m.type) {
    case 'volume': return { Type: 'volume', Name: m.source, Source: '', Destination: m.target, Driver: 'local', Mode: rw ? '' : 'ro', RW: rw, Propagation: '' };
    case 'tmpfs': return { Type: 'tmpfs', Source: '', Destination: m.target, Mode: (m.options ?? []).join(','), RW: rw, Propagation: '' };
    default: return { Type: 'bind', Source: m.source, Destination: m.target, Mode: rw ? '' : 'ro', RW: rw, Propagation: 'rprivate' };
  }
}

/** What the engine adds to a container record: its live addresses and published ports (engine inspect/list). */
type Networked = ContainerRecord & { networkSettings?: NetworkSettings; links?: string[]; files?: ContainerFiles };
interface ContainerFiles { log: string; hosts: string; hostname: string; resolvConf: string }
interface NetworkSettings {
  IPAddress: string; IPPrefixLen: number; Gateway: string; MacAddress: string; SandboxKey: string;
  Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  Networks: Record<string, object>;
}
type Endpoint = Partial<{ NetworkID: string; IPAddress: string; IPPrefixLen: number; Gateway: string; MacAddress: string; Aliases: string[] }>;

function endpoint(n: Endpoint = {}) {
  return { IPAMConfig: null, Links: null, Aliases: n.Aliases?.length ? n.Aliases : null, MacAddress: n.MacAddress ?? '',
    NetworkID: n.NetworkID ?? '', EndpointID: n.NetworkID ?? '', Gateway: n.Gateway ?? '', IPAddress: n.IPAddress ?? '',
    IPPrefixLen: n.IPPrefixLen ?? 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: null };
}

function networksView(c: Networked) {
  const live = Object.entries(c.networkSettings?.Networks ?? {});
  if (live.length) return Object.fromEntries(live.map(([name, n]) => [name, endpoint(n as Endpoint)]));
  // Not running (no live attachment) or none/host: the networks it asked for, without addresses.
  const asked = c.config.networks?.length ? c.config.networks.map((n) => n.name) : [String(c.config.network)];
  return Object.fromEntries(asked.map((name) => [name, endpoint()]));
}

/** containers/json's Ports: one entry per binding, and the exposed ports without one. */
function portList(c: Networked) {
  const out: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> = [];
  for (const [spec, bindings] of Object.entries(c.networkSettings?.Ports ?? {})) {
    const [port, type = 'tcp'] = spec.split('/');
    if (!bindings?.length) { out.push({ PrivatePort: Number(port), Type: type }); continue; }
    for (const b of bindings) out.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type });
  }
  return out;
}

export function containerSummary(c: Networked) {
  const cfg = c.config;
  return {
    Id: cfg.id, Names: [dockerName(c.name)], Image: cfg.image, ImageID: cfg.imageId,
    Command: [...cfg.entrypoint, ...cfg.cmd].join(' '), Created: unixSeconds(cfg.created), Ports: portList(c), Labels: cfg.labels,
    State: c.state.restarting && c.state.status === 'exited' ? 'restarting' : c.state.status, Status: statusText(c), HostConfig: { NetworkMode: String(cfg.network) },
    NetworkSettings: { Networks: networksView(c) }, Mounts: cfg.mounts.map(mountView),
  };
}

export function containerInspect(c: Networked) {
  const cfg = c.config;
  const s = c.state;
  const [path, ...args] = [...cfg.entrypoint, ...cfg.cmd];
  const active = s.status === 'running' || s.status === 'paused';
  // docker: a container waiting for its restart policy is "restarting", and Running stays true meanwhile.
  const restarting = s.status === 'exited' && (s.restarting ?? false);
  const ns = c.networkSettings;
  return {
    Id: cfg.id, Created: cfg.created, Path: path ?? '', Args: args,
    State: {
      Status: restarting ? 'restarting' : s.status, Running: active || restarting, Paused: s.status === 'paused', Restarting: restarting,
      OOMKilled: s.oomKilled, Dead: false, Pid: active ? s.pid : 0, ExitCode: s.exitCode, Error: s.error,
      StartedAt: s.startedAt || ZERO_TIME, FinishedAt: s.finishedAt || ZERO_TIME,
      ...(cfg.healthcheck ? { Health: healthView(s.health) } : {}),
    },
    Image: cfg.imageId, ResolvConfPath: c.files?.resolvConf ?? '', HostnamePath: c.files?.hostname ?? '',
    HostsPath: c.files?.hosts ?? '', LogPath: c.files?.log ?? '',
    Name: dockerName(c.name), RestartCount: s.restartCount, Driver: 'overlay2', Platform: 'linux',
    MountLabel: '', ProcessLabel: '', AppArmorProfile: '', ExecIDs: null,
    HostConfig: hostConfigView(c),
    GraphDriver: { Name: 'overlay2', Data: null },
    Mounts: cfg.mounts.map(mountView),
    Config: {
      Hostname: cfg.hostname, Domainname: '', User: cfg.user, AttachStdin: false, AttachStdout: false, AttachStderr: false,
      Tty: cfg.tty, OpenStdin: cfg.openStdin, StdinOnce: false, Env: cfg.env, Cmd: cfg.cmd,
      Image: cfg.image, Volumes: null, WorkingDir: cfg.workingDir, Entrypoint: cfg.entrypoint.length ? cfg.entrypoint : null,
      OnBuild: null, Labels: cfg.labels, StopSignal: cfg.stopSignal, StopTimeout: cfg.stopTimeout,
      ...(cfg.healthcheck ? { Healthcheck: healthcheckView(cfg.healthcheck) } : {}),
    },
    NetworkSettings: {
      Bridge: '', SandboxID: '', SandboxKey: ns?.SandboxKey ?? '', Ports: ns?.Ports ?? {}, HairpinMode: false,
      LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
      EndpointID: '', Gateway: ns?.Gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, IPAddress: ns?.IPAddress ?? '',
      IPPrefixLen: ns?.IPPrefixLen ?? 0, IPv6Gateway: '', MacAddress: ns?.MacAddress ?? '', Networks: networksView(c),
    },
  };
}

/** State.Health: status, streak and the last probes (a container that never ran is "starting" with no log). */
function healthView(h: HealthState | undefined) {
  return { Status: h?.status ?? 'starting', FailingStreak: h?.failingStreak ?? 0,
    Log: (h?.log ?? []).map((r) => ({ Start: r.start, End: r.end, ExitCode: r.exitCode, Output: r.output })) };
}

/** Config.Healthcheck in docker's units (ns). */
function healthcheckView(hc: HealthcheckConfig) {
  const ns = (ms: number) => Math.round(ms * 1e6);
  return { Test: hc.test, Interval: ns(hc.intervalMs), Timeout: ns(hc.timeoutMs), StartPeriod: ns(hc.startPeriodMs),
    StartInterval: ns(hc.startIntervalMs), Retries: hc.retries };
}

function hostConfigView(c: Networked) {
  const cfg = c.config;
  const r = cfg.resources;
  const sec = cfg.security;
  const binds = cfg.mounts.filter((m) => m.type === 'bind' || (m.type === 'volume' && !m.anonymous))
    .map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  const tmpfs = Object.fromEntries(cfg.mounts.filter((m) => m.type === 'tmpfs').map((m) => [m.target, (m.options ?? []).join(',')]));
  const securityOpt = [
    ...(sec.seccomp === 'unconfined' ? ['seccomp=unconfined'] : []),
    ...(sec.noNewPrivileges ? ['no-new-privileges'] : []),
  ];
  return {
    Binds: binds.length ? binds : null, ContainerIDFile: '', LogConfig: { Type: 'json-file', Config: { ...cfg.logOptions } },
    NetworkMode: String(cfg.network), PortBindings: portBindings(c), RestartPolicy: { Name: cfg.restartPolicy?.name ?? 'no', MaximumRetryCount: cfg.restartPolicy?.maximumRetryCount ?? 0 },
    AutoRemove: cfg.autoRemove, VolumeDriver: '', VolumesFrom: cfg.volumesFrom?.length ? cfg.volumesFrom : null,
    ConsoleSize: cfg.consoleSize ? [cfg.consoleSize.height, cfg.consoleSize.width] : [0, 0],
    CapAdd: sec.capAdd.length ? sec.capAdd : null, CapDrop: sec.capDrop.length ? sec.capDrop : null,
    CgroupnsMode: sec.cgroupns ?? 'private', Dns: cfg.dns ?? [], DnsOptions: cfg.dnsOptions ?? [], DnsSearch: cfg.dnsSearch ?? [],
    ExtraHosts: cfg.extraHosts?.length ? cfg.extraHosts : null, GroupAdd: sec.groupAdd.length ? sec.groupAdd : null,
    IpcMode: sec.ipc === 'host' ? 'host' : 'private', Cgroup: '', Links: c.links?.length ? c.links : null, OomScoreAdj: r.oomScoreAdj ?? 0,
    PidMode: sec.pid === 'host' ? 'host' : '', Privileged: sec.privileged, PublishAllPorts: cfg.publishAll ?? false, ReadonlyRootfs: cfg.readOnlyRootfs,
    SecurityOpt: securityOpt.length ? securityOpt : null, Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    UTSMode: sec.uts === 'host' ? 'host' : '', UsernsMode: sec.userns === 'auto' ? 'auto' : '', ShmSize: r.shmSize ?? 67108864,
    Sysctls: Object.keys(sec.sysctls).length ? sec.sysctls : undefined, Runtime: cfg.runtime, Isolation: '',
    CpuShares: r.cpuShares ?? 0, Memory: r.memory ?? 0, NanoCpus: r.cpus ? Math.round(r.cpus * 1e9) : 0, CgroupParent: cfg.cgroupParent ?? '',
    BlkioWeight: r.blkioWeight ?? 0, BlkioWeightDevice: (r.blkioWeightDevice ?? []).map((w) => ({ Path: w.path, Weight: w.weight })),
    BlkioDeviceReadBps: throttleView(r.deviceReadBps), BlkioDeviceWriteBps: throttleView(r.deviceWriteBps),
    BlkioDeviceReadIOps: throttleView(r.deviceReadIops), BlkioDeviceWriteIOps: throttleView(r.deviceWriteIops),
    CpuPeriod: r.cpuPeriod ?? 0, CpuQuota: r.cpuQuota ?? 0, CpuRealtimePeriod: r.cpuRtPeriod ?? 0, CpuRealtimeRuntime: r.cpuRtRuntime ?? 0,
    CpusetCpus: r.cpusetCpus ?? '', CpusetMems: r.cpusetMems ?? '',
    Devices: sec.devices.map((d) => ({ PathOnHost: d.hostPath, PathInContainer: d.containerPath, CgroupPermissions: d.permissions })),
    DeviceCgroupRules: sec.deviceCgroupRules?.length ? sec.deviceCgroupRules : null, DeviceRequests: null, MemoryReservation: r.memoryReservation ?? 0, MemorySwap: r.memorySwap ?? 0,
    MemorySwappiness: null, OomKillDisable: r.oomKillDisable ?? false, PidsLimit: r.pidsLimit ?? null,
    Ulimits: (r.ulimits ?? []).map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
    CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null, Init: cfg.init ? true : null,
    Annotations: cfg.annotations,
  };
}

/** HostConfig.PortBindings as asked at create (host port "" when the engine chooses). */
function portBindings(c: ContainerRecord) {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of c.config.ports ?? []) {
    (out[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort ? String(p.hostPort) : '' });
  }
  return out;
}

function throttleView(list: Array<{ path: string; rate: number }> | undefined) {
  return (list ?? []).map((t) => ({ Path: t.path, Rate: t.rate }));
}
