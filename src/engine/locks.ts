// Per-object async mutexes. The daemon is the only writer of state, so in-process locks are enough; every
// public engine operation on a container holds that container's lock for its whole duration. Lock order:
// a container lock is never taken while holding another container's lock.
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Resolves once no key that starts with `prefix` is held or waited for, counting those taken meanwhile. */
  async settle(prefix: string): Promise<void> {
    for (;;) {
      const busy = [...this.tails].filter(([key]) => key.startsWith(prefix)).map(([, tail]) => tail);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }
}
