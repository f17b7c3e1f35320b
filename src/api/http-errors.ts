// The one place where engine error kinds become HTTP statuses. Clients read `message` (docker's error shape)
// and `kind`; `exitCode` carries docker's 125/126/127 distinction for a container that could not start.
import { errorKind, type ErrorKind } from '../core/index.js';
import { exitCodeFor } from '../engine/index.js';

const STATUS: Record<ErrorKind, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  InvalidArgument: 400,
  StateInvalid: 500,
  NotSupported: 501,
  Internal: 500,
};

export interface ErrorBody {
  message: string;
  kind: ErrorKind;
  exitCode: number;
}

export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  const kind = errorKind(err);
  const message = err instanceof Error ? err.message : String(err);
  return { status: STATUS[kind], body: { message, kind, exitCode: exitCodeFor(err) } };
}

/** The reverse mapping, for the CLI's client, so a status with no JSON body still has a kind. */
export function kindForStatus(status: number): ErrorKind {
  const found = (Object.entries(STATUS) as Array<[ErrorKind, number]>).find(([, s]) => s === status);
  return found ? found[0] : 'Internal';
}
