// Where engine errors become HTTP answers. Clients read `message` (docker's error shape) and `kind`; `exitCode`
// carries docker's 125/126/127 distinction for a container that could not start.
import { errorKind, exitCodeHint } from '../core/index.js';
import { STATUS_BY_KIND, type ErrorBody } from './wire.js';

export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  const kind = errorKind(err);
  const message = err instanceof Error ? err.message : String(err);
  return { status: STATUS_BY_KIND[kind], body: { message, kind, exitCode: exitCodeHint(err) ?? 125 } };
}
