// ConmonRuntime: an OCI runtime (runc, crun) run under conmon, the way podman and cri-o do it. conmon is the
// container's parent for its whole life: it holds the stdio, writes the log, keeps the attach socket and writes
// the exit code to a file, so containers run on while the daemon restarts. This class holds no state: every
// answer comes from the runtime or from conmon's files. Two steps of every container's life that are plain file
// work for runc (start: the exec fifo handshake; delete of a stopped container: rmdir its cgroups, remove its
// state dir) are done in-process, saving a fork and a Go start-up each; anything else goes to the runtime binary.
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError, errnoCode, wrap } from '../../core/index.js';
import { runtimeFailure } from '../errors.js';
import type {
  AttachOptions, AttachSession, ContainerPaths, CreateOptions, CreateResult, ExecOptions, ExecSession, OciRuntime, RuntimeStatus,
} from '../types.js';
import { attachSocket } from './attach-session.js';
import { createArgs, type MonitorTarget } from './conmon-args.js';
import { launchConmon } from './conmon-process.js';
import { writeControl } from './control-fifo.js';
import { startThroughExecFifo } from './exec-fifo.js';
import { execWithConmon } from './exec-session.js';
import { RuntimeCli } from './runtime-cli.js';
import { deleteStoppedRecord } from './stopped-delete.js';
import { SyncPipeReader } from './sync-pipe.js';

export interface ConmonRuntimeOptions {
  name: string;          // "runc", "crun", …
  path: string;          // the runtime binary
  conmonPath: string;
  stateRoot: string;     // the runtime's --root
  exitDir: string;       // default exit dir, used when ContainerPaths.exitDir is empty
}

// runc create usually answers in well under a second; this bounds a wedged runtime, not a slow one.
const CREATE_TIMEOUT_MS = 120_000;
// The same bound as for a `runc start` (runtime-cli.ts).
const START_TIMEOUT_MS = 60_000;

export class ConmonRuntime implements OciRuntime {
  readonly name: string;
  readonly path: string;
  private readonly cli: RuntimeCli;

  constructor(private readonly opts: ConmonRuntimeOptions) {
    this.name = opts.name;
    this.path = opts.path;
    this.cli = new RuntimeCli(opts.path, opts.stateRoot);
  }

  private get target(): MonitorTarget {
    return { runtimeName: this.name, runtimePath: this.path, stateRoot: this.opts.stateRoot };
  }

  private exitDir(paths: ContainerPaths): string {
    return paths.exitDir || this.opts.exitDir;
  }

  async create(o: CreateOptions): Promise<CreateResult> {
    const context = `create container ${o.name} (${o.id}) with ${this.name}`;
    const p = o.paths;
    const exitDir = this.exitDir(p);
    try {
      await Promise.all([p.userdata, exitDir, p.persistDir, dirname(p.logPath), this.opts.stateRoot]
        .map((d) => mkdir(d, { recursive: true })));
      // A restart reuses the id: an exit code or oom mark from the previous run must not be read as this one's.
      await Promise.all([join(exitDir, o.id), join(p.persistDir, 'exit'), join(p.persistDir, 'oom'),
        join(p.userdata, 'pidfile'), join(p.userdata, 'conmon.pid')].map((f) => rm(f, { force: true })));
    } catch (err) {
      throw wrap(err, context);
    }

    const args = createArgs(this.target, {
      id: o.id, name: o.name, bundle: p.bundle, userdata: p.userdata, logPath: p.logPath,
      exitDir, persistDir: p.persistDir, tty: o.tty, stdin: o.stdin, logSizeMax: o.logSizeMax,
    });
    const launch = launchConmon(this.opts.conmonPath, args, ['_OCI_SYNCPIPE']);
    const sync = new SyncPipeReader(launch.pipes.get('_OCI_SYNCPIPE')!);
    try {
      const [answer, launched] = await Promise.all([sync.next(CREATE_TIMEOUT_MS), launch.launched]);
      if (!answer) {
        throw new EngineError('Internal', `${context}: conmon exited without an answer${launched.stderr ? `: ${launched.stderr}` : ` (status ${launched.code})`}`);
      }
      if (answer.data <= 0) throw runtimeFailure(context, answer.message ?? `runtime failed (${answer.data})`);
      const conmonPid = Number((await readFile(join(p.userdata, 'conmon.pid'), 'utf8')).trim());
      return { pid: answer.data, conmonPid: Number.isInteger(conmonPid) ? conmonPid : 0 };
    } catch (err) {
      // Leave nothing behind: the runtime may have registered the container before failing.
      await this.cli.delete(o.id, true).catch(() => undefined);
      throw err instanceof EngineError && err.message.startsWith(context) ? err : wrap(err, context);
    } finally {
      sync.close();
    }
  }

  attach(paths: ContainerPaths, opts: AttachOptions): Promise<AttachSession> {
    return attachSocket(join(paths.bundle, 'attach'), opts);
  }

  /** runc's start handshake is made here (exec-fifo.ts); `runc start` when it cannot be, and for other runtimes. */
  async start(id: string): Promise<void> {
    if (this.name === 'runc') {
      let started: boolean;
      try {
        started = await startThroughExecFifo(join(this.opts.stateRoot, id), START_TIMEOUT_MS);
      } catch (err) {
        throw wrap(err, `start container ${id}`);
      }
      if (started) return;
    }
    await this.cli.start(id);
  }

  kill(id: string, signal: string, all = false): Promise<void> {
    return this.cli.kill(id, signal, all);
  }

  pause(id: string): Promise<void> {
    return this.cli.pause(id);
  }

  resume(id: string): Promise<void> {
    return this.cli.resume(id);
  }

  update(id: string, resources: object): Promise<void> {
    return this.cli.update(id, resources);
  }

  /** A stopped runc container's record is removed here (stopped-delete.ts); anything else by `runc delete`. */
  async delete(id: string, force = false): Promise<void> {
    if (this.name === 'runc' && await deleteStoppedRecord(join(this.opts.stateRoot, id)).catch(() => false)) return;
    await this.cli.delete(id, force);
  }

  state(id: string): Promise<{ status: RuntimeStatus; pid: number } | null> {
    return this.cli.state(id);
  }

  async readExitCode(id: string, paths: ContainerPaths): Promise<number | null> {
    let text: string;
    try {
      text = await readFile(join(this.exitDir(paths), id), 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return null;
      throw wrap(err, `read exit code of container ${id}`);
    }
    const code = Number.parseInt(text.trim(), 10);
    return Number.isNaN(code) ? null : code;
  }

  async oomKilled(paths: ContainerPaths): Promise<boolean> {
    try {
      await stat(join(paths.persistDir, 'oom'));
      return true;
    } catch {
      return false;
    }
  }

  resize(paths: ContainerPaths, rows: number, cols: number): Promise<void> {
    return writeControl(paths.bundle, rows, cols);
  }

  exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    return execWithConmon(this.target, this.opts.conmonPath, id, opts);
  }
}
