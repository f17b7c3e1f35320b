// The wire protocol shared by the daemon and its clients: docker's stdio framing (an 8-byte header per frame:
// stream id, 3 zero bytes, big-endian length), the error body, and the status each error kind travels as.
// It imports only core, so the CLI can speak the protocol without loading the server or the engine.
import type { ErrorKind } from '../core/index.js';

export const STDOUT = 1;
export const STDERR = 2;
/** The last frame of a one-request run (POST /bulkhead/containers/run): the container's exit, as JSON. */
export const SYSTEM = 3;

/** The header that names the container a one-request run created (the client needs it for signals and resize). */
export const CONTAINER_ID_HEADER = 'bulkhead-container-id';

export function frame(stream: number, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

/** Splits a multiplexed byte stream back into (stream, payload) frames. */
export class FrameDecoder {
  private buf = Buffer.alloc(0);

  push(chunk: Buffer): Array<{ stream: number; data: Buffer }> {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Array<{ stream: number; data: Buffer }> = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + len) break;
      out.push({ stream: this.buf[0]!, data: this.buf.subarray(8, 8 + len) });
      this.buf = this.buf.subarray(8 + len);
    }
    return out;
  }
}

/** A HEAD answer has no body, so an error's ErrorBody travels base64-encoded JSON in this header as well. */
export const ERROR_HEADER = 'bulkhead-error';

/** What every failed request answers: docker's `message`, plus the engine's kind and a run exit code. */
export interface ErrorBody {
  message: string;
  kind: ErrorKind;
  exitCode: number;
}

/** The one mapping of error kinds to HTTP statuses (used both ways). */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  InvalidArgument: 400,
  PermissionDenied: 403,   // as Docker answers a request its authorization plugins refuse
  StateInvalid: 500,
  NotSupported: 501,
  Internal: 500,
};

/** The kind for a status that arrived without a JSON body (a HEAD request, a proxy's error). */
export function kindForStatus(status: number): ErrorKind {
  const found = (Object.entries(STATUS_BY_KIND) as Array<[ErrorKind, number]>).find(([, s]) => s === status);
  return found ? found[0] : 'Internal';
}
