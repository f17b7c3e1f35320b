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

export type NetworkMode = 'none' | 'host';

export interface ResourceLimits {
  memory?: number;       // bytes
  cpus?: number;         // e.g. 1.5
  pidsLimit?: number;
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
  readOnlyRootfs: boolean;
  network: NetworkMode;
  autoRemove: boolean;
  stopSignal: string;
  stopTimeout: number;    // seconds
  runtime: string;        // name of the OCI runtime (runc, crun)
  resources: ResourceLimits;
  consoleSize?: { height: number; width: number };  // initial tty size (docker's HostConfig.ConsoleSize)
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
