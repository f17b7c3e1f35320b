// What callers (CLI through the API, the Docker-compatible API) ask the engine for. These are intent, not
// records: the engine validates them and turns them into immutable ContainerConfig.
import type { MountSpec, ResourceLimits, SecurityOptions } from '../core/index.js';
import type { Policy } from '../security/policy/index.js';
import type { QuotaOptions } from './sprawl/quotas.js';

/** The confinement a client asks for; unset fields take the hardened defaults (engine/validate-security.ts). */
export type SecurityRequest = Partial<Omit<SecurityOptions, 'idMap'>>;

export interface CreateRequest {
  image: string;
  /** Time to live from creation ("10m", "24h"): then the engine stops and removes the container (engine/sprawl/expiry.ts). */
  expire?: string;
  name?: string;
  cmd?: string[];
  /** Replaces the image's entrypoint; [] clears it (docker's --entrypoint ""). */
  entrypoint?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
  tty?: boolean;
  openStdin?: boolean;
  labels?: Record<string, string>;
  mounts?: MountSpec[];
  /** CONTAINER[:ro|rw]: mount that container's volumes and binds at the same paths (engine/containers/volumes-from.ts). */
  volumesFrom?: string[];
  /** NAME[:ALIAS]: legacy links to running containers on a shared network (engine/containers/links.ts). */
  links?: string[];
  readOnlyRootfs?: boolean;
  /** Docker's NetworkMode: none, host, bridge (default) or a network name. */
  network?: string;
  /** Several networks, each with aliases and an optional fixed address; overrides `network`. */
  networks?: Array<{ name: string; aliases?: string[]; ip?: string }>;
  ports?: Array<{ hostIp?: string; hostPort?: number; containerPort: number; protocol?: string }>;
  publishAll?: boolean;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** "name:ip" lines for /etc/hosts. */
  extraHosts?: string[];
  /** rate=10mbit, burst=… (CNI bandwidth plugin). */
  networkOpts?: Record<string, string>;
  autoRemove?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  runtime?: string;
  /** Where the container's cgroup is made (docker's --cgroup-parent); relative to the hierarchies' root. */
  cgroupParent?: string;
  resources?: ResourceLimits;
  security?: SecurityRequest;
  consoleSize?: { height: number; width: number };
  /** --restart, parsed: name no|on-failure|always|unless-stopped (src/engine/restart). */
  restartPolicy?: { name: string; maximumRetryCount?: number };
  /** Overrides of the image's HEALTHCHECK: absent fields keep the image's; test ["NONE"] disables it (src/engine/health). */
  healthcheck?: HealthcheckRequest;
  /** Run the engine's init (tini) as PID 1: it starts the command, forwards signals and reaps zombies. */
  init?: boolean;
  /** Copied into config.json's annotations; keys the OCI runtime reads as settings are refused (specgen/annotations.ts). */
  annotations?: Record<string, string>;
  /** --log-opt: max-size, max-file (src/engine/logs); absent = the daemon's "logOpts", if any. */
  logOptions?: Record<string, string>;
}

/** The --health-* flags (docker's Config.Healthcheck, in ms); 0 or absent = the image's value or the default. */
export interface HealthcheckRequest {
  test?: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
  onFailure?: string;
}

export interface ExecRequest {
  cmd: string[];
  env?: string[];
  user?: string;
  workingDir?: string;
  tty?: boolean;
  stdin?: boolean;
  consoleSize?: { height: number; width: number };
}

export interface LogOptions {
  follow?: boolean;
  tail?: number;          // lines from the end; undefined = all
  since?: number;         // unix seconds
  timestamps?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export interface ListFilters {
  all?: boolean;
  /** docker ps --filter: name=, id=, status=, label=k[=v], ancestor= */
  filters?: Record<string, string[]>;
}

export interface EngineOptions {
  root: string;            // persistent data (state db, images, containers, volumes)
  runRoot: string;         // runtime state that a reboot may clear (runc state, exit files)
  runtime?: string;        // default OCI runtime name
  cgroupParent?: string;   // parent of every container cgroup (default /bulkhead)
  notice?: (message: string) => void;  // one-line operator notices (runtime fallback, …)
  userns?: 'host' | 'auto';  // user namespace of containers created without --userns (default host)
  subuidFile?: string;     // subordinate uids of user "bulkhead" for --userns=auto (default /etc/subuid)
  subgidFile?: string;     // default /etc/subgid
  /** Daemon config "registries": the short-name search list and the plain-HTTP registries (src/registry). */
  registries?: { search?: string[]; insecure?: string[] };
  addressPools?: string[]; // where network subnets are taken from ("10.88.0.0/13", "172.30.0.0/16:26")
  defaultBridge?: string;  // bridge device of the default network (default bh0 for the default root)
  cniPluginDir?: string;   // default /usr/lib/cni
  /** The allocator's settings (daemon config keys of the same names); see src/engine/allocation. */
  allocation?: AllocationOptions;
  /** The engine-wide security policy every new container must satisfy (daemon config "policy"; engine/policy.ts). */
  policy?: Policy;
  /** Daemon config "quotas": caps on containers, running containers and guaranteed memory (engine/sprawl/quotas.ts). */
  quotas?: QuotaOptions;
  /** The init binary `--init` runs as /sbin/docker-init (daemon config "initPath"; default engine/init-binary.ts). */
  initPath?: string;
  /** Daemon config "logOpts": the log options of containers created without any (src/engine/logs). */
  logOpts?: Record<string, string>;
}

export interface AllocationOptions {
  reservedCpus?: string;   // "0": never given exclusively (default: the lowest physical core)
  memoryReserve?: number;  // bytes kept back from guarantees (default: 10% of the host, at most 1 GiB)
  fullPhysicalCores?: boolean;
  memoryLimitsAreGuarantees?: boolean;
  /** Where the host's sysfs and proc are read (tests give a fake tree; cgroups are always the real ones). */
  hostRoot?: string;
}

/** What `network create` asks for. */
export interface NetworkCreateRequest {
  name: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  options?: Record<string, string>;
}
