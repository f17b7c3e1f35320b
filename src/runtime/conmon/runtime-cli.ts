// Direct calls to the OCI runtime binary (runc or crun share this command line) for everything after create:
// start, kill, pause, resume, update, delete, state. Always with --root, so we only ever see our own containers.
import { runCommand } from '../../sys/run-command.js';
import { isNotFound, wrap } from '../../core/index.js';
import { runtimeFailure } from '../errors.js';
import type { RuntimeStatus } from '../types.js';

const STATUSES: readonly RuntimeStatus[] = ['creating', 'created', 'running', 'paused', 'stopped'];

export class RuntimeCli {
  constructor(readonly path: string, readonly stateRoot: string) {}

  async run(what: string, args: string[], input?: string): Promise<string> {
    let result;
    try {
      result = await runCommand(this.path, ['--root', this.stateRoot, ...args], { allowFailure: true, timeoutMs: 60_000, input });
    } catch (err) {
      throw wrap(err, what);
    }
    if (result.code !== 0) throw runtimeFailure(what, result.stderr || result.stdout || `exit status ${result.code}`);
    return result.stdout;
  }

  async start(id: string): Promise<void> {
    await this.run(`start container ${id}`, ['start', id]);
  }

  async kill(id: string, signal: string, all = false): Promise<void> {
    await this.run(`signal container ${id} with ${signal}`, ['kill', ...(all ? ['--all'] : []), id, signal]);
  }

  async pause(id: string): Promise<void> {
    await this.run(`pause container ${id}`, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.run(`resume container ${id}`, ['resume', id]);
  }

  /** Limits as JSON on stdin (`--resources -`): one call sets them all, in the order the runtime needs. */
  async update(id: string, resources: object): Promise<void> {
    await this.run(`update resources of container ${id}`, ['update', '--resources', '-', id], JSON.stringify(resources));
  }

  async delete(id: string, force = false): Promise<void> {
    try {
      await this.run(`delete container ${id}`, ['delete', ...(force ? ['--force'] : []), id]);
    } catch (err) {
      if (!isNotFound(err)) throw err;   // already gone is what the caller wanted
    }
  }

  async state(id: string): Promise<{ status: RuntimeStatus; pid: number } | null> {
    let out: string;
    try {
      out = await this.run(`state of container ${id}`, ['state', id]);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const parsed = JSON.parse(out) as { status?: string; pid?: number };
    const status = STATUSES.find((s) => s === parsed.status) ?? 'stopped';
    return { status, pid: status === 'stopped' ? 0 : parsed.pid ?? 0 };
  }
}
