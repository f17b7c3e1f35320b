// What callers (CLI through the API, the Docker-compatible API) ask the engine for. These are intent, not
// records: the engine validates them and turns them into immutable ContainerConfig.
import type { MountSpec, ResourceLimits, SecurityOptions } from '../core/index.js';

/** The confinement a client asks for; unset fields take the hardened defaults (engine/validate-security.ts). */
export type SecurityRequest = Partial<Omit<SecurityOptions, 'idMap'>>;

export interface CreateRequest {
  image: string;
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
  resources?: ResourceLimits;
  security?: SecurityRequest;
  consoleSize?: { height: number; width: number };
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
