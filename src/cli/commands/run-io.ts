// The CLI's side of a container run in the foreground: the container's output to ours, our signals or terminal size
// to it, and its exit code back. Either one request does it all (followRun), or, when stdin must reach the container,
// the attach, wait and start requests a docker client makes (startAttached).
import { EngineError } from '../../core/index.js';
import { CONTAINER_ID_HEADER, FrameDecoder, STDERR, SYSTEM } from '../../api/wire.js';
import { readAll, type ApiResponse, type Client } from '../client.js';
import { followTerminalSize, joinStreams, proxySignals } from '../stdio.js';

/** Attaches, arms the wait, starts, streams until the container ends; returns its exit code. */
export async function startAttached(client: Client, id: string, opts: { tty: boolean; stdin: boolean; autoRemove?: boolean }): Promise<number> {
  const base = `/bulkhead/containers/${id}`;
  // Attach and wait are independent, and both must be in place before start: ask for them at once.
  const attaching = client.upgrade(`${base}/attach`, { stdin: opts.stdin ? 1 : 0 });
  // With --rm, as docker does, the exit code is reported once the container is gone (network torn down too),
  // so a script's next command never sees it half-removed.
  const waiting = client.stream('POST', `${base}/wait`, { query: { condition: opts.autoRemove ? 'removed' : 'next-exit' } });
  const [attached, armed] = await Promise.allSettled([attaching, waiting]);
  if (attached.status === 'rejected' || armed.status === 'rejected') {
    if (attached.status === 'fulfilled') attached.value.socket.destroy();
    if (armed.status === 'fulfilled') armed.value.destroy();
    throw attached.status === 'rejected' ? attached.reason : (armed as PromiseRejectedResult).reason;
  }
  const conn = attached.value;
  const waitRes = armed.value;
  const io = joinStreams(conn, opts);
  const result = readAll(waitRes).then((text) => JSON.parse(text) as ExitReport);
  result.catch(() => undefined); // abandoned when start fails; that error is the one to report
  try {
    await client.call('POST', `${base}/start`);
  } catch (err) {
    conn.socket.destroy();
    waitRes.destroy();
    throw err;
  }
  const stopFollowing = followContainer(client, id, opts.tty);
  await io.done;
  stopFollowing();
  return exitCodeOf(await result);
}

/**
 * Follows the answer of a one-request run (POST /bulkhead/containers/run, what `run` without -d or -i sends): the
 * container's output as frames, then a SYSTEM frame with its exit. Returns the exit code.
 */
export async function followRun(client: Client, res: ApiResponse, tty: boolean): Promise<number> {
  const stopFollowing = followContainer(client, String(res.headers[CONTAINER_ID_HEADER] ?? ''), tty);
  let exit: ExitReport | undefined;
  try {
    const decoder = new FrameDecoder();
    for await (const chunk of res) {
      for (const f of decoder.push(chunk as Buffer)) {
        if (f.stream === SYSTEM) exit = JSON.parse(f.data.toString()) as ExitReport;
        else (f.stream === STDERR ? process.stderr : process.stdout).write(f.data);
      }
    }
  } finally {
    stopFollowing();
  }
  if (!exit) throw new EngineError('Internal', 'the daemon ended the run without reporting how the container exited');
  return exitCodeOf(exit);
}

/** What the daemon reports of an exit: the wait's result, or why waiting failed. */
interface ExitReport { exitCode: number; error?: string }

function exitCodeOf(r: ExitReport): number {
  if (r.error !== undefined) throw new EngineError('Internal', `waiting for the container: ${r.error}`);
  return r.exitCode;
}

/**
 * While the container runs: keep its terminal our size (-t), or (without one) pass Ctrl-C and SIGTERM on to it, as
 * docker's --sig-proxy does, so the container decides how to end. Returns the function that stops both.
 */
function followContainer(client: Client, id: string, tty: boolean): () => void {
  const base = `/bulkhead/containers/${id}`;
  return tty ? followTerminalSize(client, `${base}/resize`) : proxySignals(client, `${base}/kill`);
}
