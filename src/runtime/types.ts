// The OCI runtime seam. An OciRuntime is a thin wrapper around "runtime + monitor" (runc or crun under conmon):
// it keeps no state of its own; the engine owns state and asks the runtime to act. Every implementation passes
// test/runtime/runtime-suite.ts.
import type { Readable, Writable } from 'node:stream';

/** Where a container's runtime files live; the engine lays these out, the runtime only uses them. */
export interface ContainerPaths {
  bundle: string;       // holds config.json (rootfs path is absolute inside it); conmon (--full-attach) also puts
                        // the attach socket and the ctl/winsz fifos here
  userdata: string;     // conmon's working files: pidfiles; exec sessions under exec/<sessionId>/
  logPath: string;      // k8s-file formatted log written by conmon
  exitDir: string;      // conmon writes <exitDir>/<id> with the exit code when the container exits
  persistDir: string;   // conmon writes "oom" here when the container was OOM-killed
}

export interface CreateOptions {
  id: string;
  name: string;
  paths: ContainerPaths;
  tty: boolean;
  stdin: boolean;
  /** Bytes after which the monitor starts the log afresh (conmon --log-size-max: the old file is replaced, not kept). */
  logSizeMax?: number;
}

export interface CreateResult {
  pid: number;          // container init pid on the host
  conmonPid: number;
}

export type RuntimeStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** An attach session: container output arrives on stdout/stderr, input goes to stdin (end() = EOF). */
export interface AttachSession {
  stdout: Readable;
  stderr: Readable;     // empty for a tty, whose output is all on stdout
  stdin: Writable;
  /** Resolves once the container side has closed the session (the process exited or detached). */
  closed: Promise<void>;
  close(): void;
}

export interface AttachOptions {
  stdin: boolean;
  /**
   * Given while create() is still running: the monitor's socket may not exist yet, so the attach keeps trying
   * until it does, and gives up (rejects) when this signal aborts because the create failed. Lets the connection
   * be made during the create instead of after it.
   */
  whileCreating?: AbortSignal;
}

/** The OCI "process" object for exec (args, env, cwd, user, terminal, capabilities…). */
export type ProcessSpec = Record<string, unknown> & { args: string[]; terminal?: boolean };

export interface ExecOptions {
  sessionId: string;
  process: ProcessSpec;
  tty: boolean;
  stdin: boolean;
  paths: ContainerPaths;
}

export interface ExecSession extends AttachSession {
  /** Resolves to the exec'd process's exit code (126/127 when it could not be started). */
  exitCode: Promise<number>;
  resize(rows: number, cols: number): Promise<void>;
}

export interface OciRuntime {
  readonly name: string;        // "runc", "crun"
  readonly path: string;        // binary
  /** Starts conmon, which runs `<runtime> create`; resolves when the container is in "created" state. */
  create(opts: CreateOptions): Promise<CreateResult>;
  /** Connects to conmon's attach socket; call before start() to see every byte of output. */
  attach(paths: ContainerPaths, opts: AttachOptions): Promise<AttachSession>;
  start(id: string): Promise<void>;
  kill(id: string, signal: string, all?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Changes the cgroup limits of a created, running or paused container (runtime-spec LinuxResources fields). */
  update(id: string, resources: object): Promise<void>;
  /** Removes the runtime's record of the container (force kills it first). Not an error if it is already gone. */
  delete(id: string, force?: boolean): Promise<void>;
  /** The runtime's view of the container, or null when the runtime does not know it. */
  state(id: string): Promise<{ status: RuntimeStatus; pid: number } | null>;
  /** Exit code conmon recorded, or null when the container has not exited (or conmon has not written it yet). */
  readExitCode(id: string, paths: ContainerPaths): Promise<number | null>;
  oomKilled(paths: ContainerPaths): Promise<boolean>;
  resize(paths: ContainerPaths, rows: number, cols: number): Promise<void>;
  exec(id: string, opts: ExecOptions): Promise<ExecSession>;
}
