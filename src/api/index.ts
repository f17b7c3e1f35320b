// api: Bulkhead's HTTP API on a unix socket. Handlers translate HTTP to Engine calls and back; error kinds map to
// statuses only in http-errors.ts. Streams use docker's framing so the same code serves the compat API later.
export { createApiServer, listenUnix } from './server.js';
export { errorResponse } from './http-errors.js';
export { FrameDecoder, frame, kindForStatus, STDOUT, STDERR, type ErrorBody } from './wire.js';
