// The one place where errors become CLI exit codes. Like docker: `run`/`create`/`start` report 125 when the engine
// failed, 126 when the command could not be invoked and 127 when it was not found; every other command exits 1.
import { errorKind } from '../core/index.js';
import { ApiError } from './client.js';

export function exitCodeForError(err: unknown, runLike: boolean): number {
  if (!runLike) return 1;
  if (err instanceof ApiError && (err.exitCode === 126 || err.exitCode === 127)) return err.exitCode;
  return errorKind(err) === 'Internal' || runLike ? 125 : 1;
}

/** One line for the user: the message, never a stack trace. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `bulkhead: ${message.split('\n')[0]}`;
}
