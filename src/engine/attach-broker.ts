// Attach requests for containers that have not started yet. `run` attaches before it starts the container (so
// no output is lost); the broker parks those requests and start() connects them while conmon creates the
// container, and waits for the connections before the runtime starts its process.
import type { AttachSession, ContainerPaths, OciRuntime } from '../runtime/types.js';

/** The parked attaches of one container, connecting while it is created. */
export interface AttachConnecting {
  connected: Promise<void>;
  abort(err: unknown): Promise<void>;
}

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

  /**
   * Starts connecting every parked attach of this container; start calls it just before the runtime's create.
   * `connected` settles once each attach is connected or has failed (wait for it before starting the process);
   * `abort` gives up on the ones still waiting for the monitor's socket (the create failed) and fails them.
   */
  connectPending(id: string, paths: ContainerPaths): AttachConnecting {
    const list = this.pending.get(id) ?? [];
    this.pending.delete(id);
    const creating = new AbortController();
    const connected = Promise.all(list.map(async (p) => {
      try {
        p.resolve(await this.runtime.attach(paths, { stdin: p.stdin, whileCreating: creating.signal }));
      } catch (err) {
        p.reject(err);
      }
    })).then(() => undefined);
    return { connected, abort: (err) => { creating.abort(err); return connected; } };
  }

  /** Fails parked attaches when the container could not start. */
  failPending(id: string, err: unknown): void {
    for (const p of this.pending.get(id) ?? []) p.reject(err);
    this.pending.delete(id);
  }
}
