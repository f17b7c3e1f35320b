// Starting the daemon on demand: when no daemon answers on the socket, the CLI launches one in the background
// (detached, logging to <root>/daemon.log), says so on stderr, and waits until it answers. BULKHEAD_NO_AUTOSTART
// turns this off.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../core/index.js';
import { socketAnswers } from '../sys/unix-socket.js';
import type { Settings } from './settings.js';

const BIN = fileURLToPath(new URL('../../../bin/bulkhead', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const LOSER_GRACE_MS = 5_000;

export async function ensureDaemon(settings: Settings): Promise<void> {
  if (await socketAnswers(settings.socketPath)) return;
  // Scripts and tests that manage the daemon themselves must not get a second one by accident.
  if (process.env.BULKHEAD_NO_AUTOSTART) {
    throw new EngineError('Internal', `no daemon answers on ${settings.socketPath} (not starting one: BULKHEAD_NO_AUTOSTART is set)`);
  }
  mkdirSync(settings.root, { recursive: true });
  const logPath = join(settings.root, 'daemon.log');
  const log = openSync(logPath, 'a');
  const args = [BIN, '--host', settings.socketPath, '--root', settings.root, 'daemon'];
  if (settings.runtime) args.push('--runtime', settings.runtime);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  process.stderr.write(`bulkhead: no daemon answered on ${settings.socketPath}; started one (pid ${child.pid}, log ${logPath})\n`);
  let exitedAt: number | null = null;
  child.once('exit', () => { exitedAt = Date.now(); });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await socketAnswers(settings.socketPath)) return;
    // Ours may have exited because another CLI's daemon won the race for the root's lock: give that one a moment.
    if (exitedAt !== null && Date.now() - exitedAt > LOSER_GRACE_MS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const last = readFileSync(logPath, 'utf8').trim().split('\n').pop() ?? '';
  throw new EngineError('Internal', `the daemon did not start: ${last || 'no message'} (log: ${logPath})`);
}
