// Typed engine errors. Every layer throws or wraps one of these kinds; the API maps a kind to an HTTP status
// (api/http-errors.ts) and the CLI maps it to an exit code (cli/exit-codes.ts). Nothing else inspects messages.

export type ErrorKind =
  | 'NotFound'
  | 'AlreadyExists'
  | 'InvalidArgument'
  | 'PermissionDenied'
  | 'Conflict'
  | 'StateInvalid'
  | 'NotSupported'
  | 'Internal';

export const ERROR_KINDS: readonly ErrorKind[] = [
  'NotFound', 'AlreadyExists', 'InvalidArgument', 'PermissionDenied', 'Conflict', 'StateInvalid', 'NotSupported', 'Internal',
];

export class EngineError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = `${kind}Error`;
  }
}

export class NotFoundError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) { super('NotFound', message, options); }
}
export class AlreadyExistsError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) { super('AlreadyExists', message, options); }
}
export class InvalidArgumentError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) { super('InvalidArgument', message, options); }
}
/** A well-formed request that the administrator's rules forbid (the engine-wide security policy). */
export class PermissionDeniedError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) { super('PermissionDenied', message, options); }
}
export class ConflictError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) { super('Conflict', message, options); }
}
export class StateInvalidError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) { super('StateInvalid', message, options); }
}
export class NotSupportedError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) { super('NotSupported', message, options); }
}

/** The kind of an error, looking through wrappers; anything that is not an EngineError is Internal. */
export function errorKind(err: unknown): ErrorKind {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof EngineError) return e.kind;
  }
  return 'Internal';
}

export function isNotFound(err: unknown): boolean {
  return errorKind(err) === 'NotFound';
}

/**
 * Adds context to an error as it rises ("create container web: image busybox: not found"), keeping its kind,
 * so that callers far up the stack still know what went wrong without parsing text.
 */
export function wrap(err: unknown, context: string): EngineError {
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(errorKind(err), `${context}: ${message}`, { cause: err });
}

/** Runs fn and wraps whatever it throws with context. */
export async function withContext<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrap(err, context);
  }
}

/**
 * The exit code an error asks `run` to report (126: cannot invoke, 127: not found), from the first error in the
 * cause chain that carries one.
 */
export function exitCodeHint(err: unknown): number | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ('exitCode' in e && typeof e.exitCode === 'number') return e.exitCode;
  }
  return undefined;
}

/** Node's errno errors carry a code; this reads it without an unsafe cast at every call site. */
export function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
