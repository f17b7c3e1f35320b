// One daemon per data root. Two daemons on one root would both reconcile and both write state, undoing each
// other's work, so the engine takes an exclusive lock before it opens anything. The lock is an fcntl lock that
// SQLite holds on a small file (locking_mode=EXCLUSIVE keeps it after the first write): the kernel releases it when
// the process ends, however it ends, so a daemon killed with SIGKILL never leaves a stale lock behind.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ConflictError } from '../core/index.js';

export interface DaemonLock {
  release(): void;
}

export function acquireDaemonLock(root: string): DaemonLock {
  const db = new Database(join(root, 'daemon.lock'), { timeout: 0 }); // a held lock is an answer, not a wait
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
    db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
  } catch (err) {
    db.close();
    if (err instanceof Error && 'code' in err && String(err.code).startsWith('SQLITE_BUSY')) {
      throw new ConflictError(`another bulkhead daemon is already running for ${root}`, { cause: err });
    }
    throw err;
  }
  return { release: () => db.close() };
}
