// Docker's JSON message stream (pull, push, load, import, build answers): one JSON object after another, each
// a status line ({status, id, progressDetail}), build output ({stream}), a result ({aux}) or the failure
// ({error, errorDetail}). The CLI renders these itself, so the text of each field is what the user sees.
import type { ServerResponse } from 'node:http';
import { exitCodeHint } from '../../core/index.js';
import type { Progress } from '../../registry/index.js';

export interface JsonMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { message: string; code?: number };
}

export interface JsonMessageStream {
  send(m: JsonMessage): void;
  /** Whether the 200 and the first line went out (after that, a failure can only be a line). */
  started(): boolean;
}

/**
 * Opens the stream on the first line, not before: a failure found before any work (a bad reference, an image
 * that is not there) still reaches the client as an ordinary HTTP error with its status code.
 */
export function jsonMessageStream(res: ServerResponse): JsonMessageStream {
  let open = false;
  return {
    send(m) {
      if (!open) { res.writeHead(200, { 'Content-Type': 'application/json' }); open = true; }
      if (!res.destroyed) res.write(JSON.stringify(m) + '\n');
    },
    started: () => open,
  };
}

/** The failure line; `code` (a build step's exit code) becomes the exit status of `docker build`. */
export function errorMessage(err: unknown): JsonMessage {
  const message = err instanceof Error ? err.message : String(err);
  const code = exitCodeHint(err);
  return { errorDetail: code === undefined ? { message } : { message, code }, error: message };
}

/**
 * Runs `work` with a stream and ends the response. A failure before the first line is thrown (an HTTP error);
 * after it, it becomes the error line the Docker CLI prints and exits 1 on.
 */
export async function streamed(res: ServerResponse, work: (out: JsonMessageStream) => Promise<void>): Promise<void> {
  const out = jsonMessageStream(res);
  try {
    await work(out);
  } catch (err) {
    if (!out.started()) throw err;
    out.send(errorMessage(err));
  }
  res.end();
}

const LAYER_ID = /^[a-f0-9]{12}$/;
/** Statuses that are under way; only these carry byte counts (the CLI draws a bar, and leaves them out of non-tty output). */
const IN_PROGRESS = new Set(['Downloading', 'Pushing', 'Extracting']);

/**
 * A registry progress event as Docker prints it: per-layer lines keep the short layer id (the CLI draws one
 * line per id), whole-image lines ("Digest: …", "The push refers to …") carry none, except "Pulling from",
 * which Docker tags with the tag being pulled.
 */
export function progressMessage(p: Progress): JsonMessage {
  const m: JsonMessage = { status: p.status };
  if (LAYER_ID.test(p.id) || p.status.startsWith('Pulling from')) m.id = p.id;
  if (LAYER_ID.test(p.id)) {
    m.progressDetail = IN_PROGRESS.has(p.status) && p.total !== undefined ? { current: p.current ?? 0, total: p.total } : {};
  }
  return m;
}
