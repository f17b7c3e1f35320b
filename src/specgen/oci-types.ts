// The part of the OCI runtime-spec 1.0.2 config.json that Bulkhead writes. Field names are the spec's, so the
// object is serialised as it is. Type aliases (not interfaces) so a process object is assignable to the runtime
// seam's ProcessSpec record type.

export type OciUser = {
  uid: number;
  gid: number;
  additionalGids?: number[];
  username?: string;
};

export type OciCapabilities = {
  bounding: string[];
  effective: string[];
  inheritable: string[];
  permitted: string[];
  ambient: string[];
};

export type OciRlimit = { type: string; hard: number; soft: number };

export type OciProcess = {
  terminal: boolean;
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits: OciRlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
  consoleSize?: { height: number; width: number };
};

export type OciMount = {
  destination: string;
  type: string;
  source: string;
  options: string[];
};

export type OciNamespace = {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
};

export type OciDeviceCgroup = {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access?: string;
};

export type OciThrottleDevice = { major: number; minor: number; rate: number };
export type OciWeightDevice = { major: number; minor: number; weight: number };

/** The LinuxResources limits, without the device rules: also what `runc update` takes. */
export type OciResourceLimits = {
  memory?: { limit?: number; reservation?: number; swap?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; realtimeRuntime?: number; realtimePeriod?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: {
    weight?: number;
    weightDevice?: OciWeightDevice[];
    throttleReadBpsDevice?: OciThrottleDevice[];
    throttleWriteBpsDevice?: OciThrottleDevice[];
    throttleReadIOPSDevice?: OciThrottleDevice[];
    throttleWriteIOPSDevice?: OciThrottleDevice[];
  };
};

export type OciResources = { devices: OciDeviceCgroup[] } & OciResourceLimits;

export type OciLinux = {
  namespaces: OciNamespace[];
  resources: OciResources;
  cgroupsPath?: string;
  sysctl?: Record<string, string>;
  maskedPaths: string[];
  readonlyPaths: string[];
};

export type OciSpec = {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: OciLinux;
};

export const OCI_VERSION = '1.0.2';
