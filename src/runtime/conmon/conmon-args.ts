// The command lines we give conmon. Kept apart from the flow so the flags can be read (and reviewed against
// conmon's cli.c) in one place.
import { join } from 'node:path';

export interface MonitorTarget {
  runtimeName: string;
  runtimePath: string;
  stateRoot: string;    // passed to the runtime as --root, so our containers never mix with other engines'
}

export interface CreateArgs {
  id: string;
  name: string;
  bundle: string;
  userdata: string;
  logPath: string;
  exitDir: string;
  persistDir: string;
  tty: boolean;
  stdin: boolean;
  logSizeMax?: number;
}

function shared(t: MonitorTarget, cid: string, cuuid: string): string[] {
  return [
    '--api-version', '1',
    '-c', cid,
    '-u', cuuid,
    '-r', t.runtimePath,
    '--runtime-arg', `--root=${t.stateRoot}`,
  ];
}

function terminalAndStdin(tty: boolean, stdin: boolean): string[] {
  return [...(tty ? ['-t'] : []), ...(stdin ? ['-i'] : [])];
}

export function createArgs(t: MonitorTarget, c: CreateArgs): string[] {
  return [
    ...shared(t, c.id, c.id),
    '-n', c.name,
    '-b', c.bundle,
    '-p', join(c.userdata, 'pidfile'),
    '-P', join(c.userdata, 'conmon.pid'),
    '-l', `k8s-file:${c.logPath}`,
    // conmon renames a fresh "<log>.tmp" over the log before the entry that would pass this size (ctr_logging.c)
    ...(c.logSizeMax ? ['--log-size-max', String(c.logSizeMax)] : []),
    '--exit-dir', c.exitDir,
    '-0', c.persistDir,
    '--socket-dir-path', c.userdata,
    // With --full-attach conmon puts the attach socket and the ctl fifo in the bundle directory itself.
    '--full-attach',
    ...terminalAndStdin(c.tty, c.stdin),
    '--log-level', 'error',
  ];
}

export interface ExecArgs {
  containerId: string;
  sessionId: string;
  sessionDir: string;   // becomes conmon's "bundle": attach socket, ctl fifo, pidfile, exit dir of this exec
  processSpecPath: string;
  tty: boolean;
  stdin: boolean;
}

export function execArgs(t: MonitorTarget, e: ExecArgs): string[] {
  return [
    ...shared(t, e.containerId, e.sessionId),
    '-b', e.sessionDir,
    '-p', join(e.sessionDir, 'pidfile'),
    // exec output is not part of the container's log
    '-l', `k8s-file:${join(e.sessionDir, 'output.log')}`,
    // its own exit dir: conmon names the exit file after the container id, which must not clobber the container's
    '--exit-dir', join(e.sessionDir, 'exit'),
    '--socket-dir-path', e.sessionDir,
    '--full-attach',
    '-e', '--exec-attach',
    '--exec-process-spec', e.processSpecPath,
    ...terminalAndStdin(e.tty, e.stdin),
    '--log-level', 'error',
  ];
}
