// Attach requests for containers that have not started yet. `run` attaches before it starts the container (so
// no output is lost); the broker parks those requests and start() connects them after conmon has created the
// container and before the runtime starts its process.
import type { AttachSession, ContainerPaths, OciRuntime } from '../runtime/types.js';

interface Pending {
  stdin: boolean;
  resolve: (s: AttachSession) => void;
  reject: (err: unknown) => void;
}

export class AttachBroker {
  private readonly pending = new Map<string, Pending[]>();

  constructor(private readonly runtime: OciRuntime) {}

  waitForStart(id: string, stdin: boolean): { session: Promise<AttachSession>; cancel: () => void } {
    let entry!: Pending;
    const session = new Promise<AttachSession>((resolve, reject) => { entry = { stdin, resolve, reject }; });
    const list = this.pending.get(id) ?? [];
    list.push(entry);
    this.pending.set(id, list);
    const cancel = () => {
      const rest = (this.pending.get(id) ?? []).filter((p) => p !== entry);
      if (rest.length) this.pending.set(id, rest); else this.pending.delete(id);
      entry.reject(new Error('attach cancelled'));
    };
    session.catch(() => { /* a cancelled or failed attach is reported to its own caller only */ });
    return { session, cancel };
  }

  /** Connects every parked attach of this container; called by start between create and start. */
  async connectPending(id: string, paths: ContainerPaths): Promise<void> {
    const list = this.pending.get(id) ?? [];
    this.pending.delete(id);
    await Promise.all(list.map(async (p) => {
      try {
        p.resolve(await this.runtime.attach(paths, { stdin: p.stdin }));
      } catch (err) {
        p.reject(err);
      }
    }));
  }

  /** Fails parked attaches when the container could not start. */
  failPending(id: string, err: unknown): void {
    for (const p of this.pending.get(id) ?? []) p.reject(err);
    this.pending.delete(id);
  }
}
