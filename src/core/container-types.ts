// Container records. The config is fixed at create time and never rewritten (except by explicit `update` of
// resources and `rename`); the state changes with every lifecycle step. Keeping them apart means a crash while
// writing state can never corrupt what the user asked for.

export type MountType = 'bind' | 'volume' | 'tmpfs';

export interface MountSpec {
  type: MountType;
  source: string;        // host path for bind, volume name for volume, empty for tmpfs
  target: string;        // absolute path in the container
  readOnly: boolean;
  options?: string[];    // tmpfs options (size=64m,mode=1777) or bind propagation
  anonymous?: boolean;   // a volume the engine named itself (`-v /data`, image VOLUME); removed by `rm -v`
}

/**
 * How a container is networked: 'none' (a private netns with loopback only), 'host' (the host's netns), 'bridge'
 * (the default network) or the name of a user-defined network. The attachments themselves are in `networks`.
 */
export type NetworkMode = 'none' | 'host' | 'bridge' | (string & {});

/** A published port (-p [hostIp:][hostPort:]containerPort[/proto]); hostPort 0 means "any free port". */
export interface PortMapping {
  hostIp: string;        // '' = every address
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** One network the container joins, as asked at create (the live addresses are runtime state, not config). */
export interface NetworkAttachmentConfig {
  name: string;          // network name as given ('bridge' for the default network)
  aliases: string[];
  ip?: string;           // a fixed IPv4 address (--ip)
}

/** Egress/ingress rate limit through the CNI bandwidth plugin (--network-opt rate=10mbit), bits per second. */
export interface NetworkRate {
  rateBits: number;
  burstBits: number;
}

/** A per-device I/O limit (--device-read-bps /dev/sda:1mb): bytes or operations per second. */
export interface ThrottleDevice {
  path: string;
  rate: number;
}

/** A per-device block I/O weight (--blkio-weight-device /dev/sda:200), 10-1000 like --blkio-weight. */
export interface WeightDevice {
  path: string;
  weight: number;
}

export interface Ulimit {
  name: string;          // nofile, nproc, core, rtprio… (without RLIMIT_)
  soft: number;
  hard: number;
}

/** What a container may consume. Absent fields mean "no limit of the user's" (engine defaults still apply). */
export interface ResourceLimits {
  memory?: number;             // bytes
  memoryReservation?: number;  // bytes, soft limit
  memorySwap?: number;         // bytes of memory+swap; -1 unlimited
  oomKillDisable?: boolean;
  oomScoreAdj?: number;
  cpus?: number;               // e.g. 1.5 (quota over the default period)
  cpuShares?: number;
  cpuPeriod?: number;          // microseconds
  cpuQuota?: number;           // microseconds
  cpusetCpus?: string;         // "0-1,3"
  cpusetMems?: string;
  /** CPUs owned by this container alone while it runs, chosen by the engine's allocator (--cpus-exclusive). */
  cpusExclusive?: number;
  /** Bytes admitted against the host's allocatable memory while it runs, never overcommitted (--memory-guaranteed). */
  memoryGuaranteed?: number;
  cpuRtRuntime?: number;       // microseconds of real-time CPU per period (cgroup v1 cpu.rt_runtime_us)
  cpuRtPeriod?: number;        // microseconds (cpu.rt_period_us)
  pidsLimit?: number;          // default 2048; 0 or -1 = unlimited
  blkioWeight?: number;        // 10-1000
  blkioWeightDevice?: WeightDevice[];
  deviceReadBps?: ThrottleDevice[];
  deviceWriteBps?: ThrottleDevice[];
  deviceReadIops?: ThrottleDevice[];
  deviceWriteIops?: ThrottleDevice[];
  ulimits?: Ulimit[];
  shmSize?: number;            // bytes of /dev/shm
}

export type NamespaceMode = 'private' | 'host';

/** A host device made available in the container (--device /dev/fuse:/dev/fuse:rwm). */
export interface DeviceMapping {
  hostPath: string;
  containerPath: string;
  permissions: string;         // a subset of "rwm"
}

/** How the container is confined. The defaults are hardened; each field loosens one thing on request. */
export interface SecurityOptions {
  privileged: boolean;
  capAdd: string[];            // CAP_* names, or "ALL"
  capDrop: string[];
  seccomp: 'default' | 'unconfined' | 'custom';
  seccompProfile?: string;     // the custom profile's JSON, captured at create: a later edit of the file changes nothing
  noNewPrivileges: boolean;
  groupAdd: string[];
  devices: DeviceMapping[];
  /** --device-cgroup-rule, as "c 1:3 mr" (absent in records older than the flag: none). */
  deviceCgroupRules?: string[];
  sysctls: Record<string, string>;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  uts: NamespaceMode;
  /** --cgroupns (absent in records older than the flag: private, which every container had until then). */
  cgroupns?: NamespaceMode;
  userns: 'host' | 'auto';
  /** For userns "auto": the host range container ids 0..size-1 map to, allocated by the engine. */
  idMap?: { hostUid: number; hostGid: number; size: number };
}

export interface ContainerConfig {
  id: string;
  created: string;
  image: string;          // the reference the user gave
  imageId: string;
  entrypoint: string[];   // resolved: user override or image's
  cmd: string[];          // resolved: user override or image's
  env: string[];          // image env merged with user env, KEY=VALUE
  workingDir: string;
  user: string;
  hostname: string;
  tty: boolean;
  openStdin: boolean;
  labels: Record<string, string>;
  mounts: MountSpec[];
  volumesFrom?: string[];   // --volumes-from as given (CONTAINER[:ro|rw]); their mounts are copied into `mounts`
  links?: ContainerLink[];  // --link: legacy links, resolved at each start (engine/containers/links.ts); absent = none
  readOnlyRootfs: boolean;
  network: NetworkMode;
  networks: NetworkAttachmentConfig[];   // empty for none/host
  ports: PortMapping[];
  publishAll: boolean;                   // -P: the image's EXPOSEd ports on free host ports
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  extraHosts: string[];                  // "name:ip" lines for /etc/hosts (--add-host)
  networkRate?: NetworkRate;
  exposedPorts?: string[];               // the image's EXPOSE list ("80/tcp"), kept for -P at each start
  autoRemove: boolean;
  stopSignal: string;
  stopTimeout: number;    // seconds
  runtime: string;        // name of the OCI runtime (runc, crun)
  /** --cgroup-parent, absolute ("/mygroup"); absent = the daemon's parent at each start (default /bulkhead). */
  cgroupParent?: string;
  resources: ResourceLimits;
  security: SecurityOptions;
  consoleSize?: { height: number; width: number };  // initial tty size (docker's HostConfig.ConsoleSize)
  expiresAt?: string;     // ISO: --expire's deadline (creation + duration); the engine stops and removes it then
  restartPolicy?: RestartPolicy;         // absent = "no" (src/engine/restart)
  healthcheck?: HealthcheckConfig;       // absent = no health check (src/engine/health)
  init?: boolean;                        // --init: the engine's init runs as PID 1 and starts the command (absent = none)
  annotations?: Record<string, string>;  // --annotation: the OCI spec's annotations (absent = none)
  /** docker's json-file options as given (max-size, max-file); absent = the log grows without bound (src/engine/logs). */
  logOptions?: Record<string, string>;
}

/** A legacy link (--link NAME:ALIAS): the container linked to, by id (a rename keeps the link), and the alias. */
export interface ContainerLink {
  id: string;
  alias: string;
}

/** Docker's restart policies (--restart); maximumRetryCount only counts for on-failure (0 = no limit). */
export interface RestartPolicy {
  name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  maximumRetryCount: number;
}

/** A health check as it will run: the image's HEALTHCHECK merged with the --health-* flags; durations in ms. */
export interface HealthcheckConfig {
  test: string[];                        // ['CMD', arg…] or ['CMD-SHELL', command]
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startIntervalMs: number;               // probe interval during the start period
  onFailure: 'none' | 'kill' | 'restart' | 'stop';  // podman's --health-on-failure, applied on becoming unhealthy
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe, as docker's State.Health.Log shows it. */
export interface HealthResult {
  start: string;                         // ISO
  end: string;
  exitCode: number;                      // -1 when the probe timed out or could not run
  output: string;                        // at most 4 KiB, as docker keeps
}

export interface HealthState {
  status: HealthStatus;
  failingStreak: number;
  log: HealthResult[];                   // the last five probes
}

/**
 * Defaults for the network fields of a config recorded before networking existed: such a container keeps what
 * it had (a private netns and no attachments).
 */
export function withNetworkDefaults(config: ContainerConfig): ContainerConfig {
  const c = config as ContainerConfig & Partial<Pick<ContainerConfig, 'networks' | 'ports' | 'dns' | 'dnsSearch' | 'dnsOptions' | 'extraHosts' | 'publishAll'>>;
  c.networks ??= [];
  c.ports ??= [];
  c.publishAll ??= false;
  c.dns ??= [];
  c.dnsSearch ??= [];
  c.dnsOptions ??= [];
  c.extraHosts ??= [];
  return c;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'exited' | 'removing';

export interface ContainerState {
  status: ContainerStatus;
  pid: number;            // container init pid on the host, 0 when not running
  conmonPid: number;
  exitCode: number;
  oomKilled: boolean;
  startedAt: string;      // ISO, '' when never started
  finishedAt: string;
  error: string;          // last engine error starting it, '' when none
  restartCount: number;
  // Recovery fields. They live in the state's JSON column and are optional, so records written before they
  // existed read as "never stopped by hand, not restarting, no health": no migration is needed.
  manuallyStopped?: boolean;  // stop/kill by the user: the restart policy is suspended until the next start
  restarting?: boolean;       // exited, and the restart policy's back-off timer will start it again
  health?: HealthState;       // only for containers with a health check
}

export interface ContainerRecord {
  name: string;
  config: ContainerConfig;
  state: ContainerState;
}

export function initialState(): ContainerState {
  return { status: 'created', pid: 0, conmonPid: 0, exitCode: 0, oomKilled: false, startedAt: '', finishedAt: '', error: '', restartCount: 0 };
}

export interface VolumeRecord {
  name: string;
  driver: 'local';
  mountpoint: string;
  labels: Record<string, string>;
  created: string;
}
