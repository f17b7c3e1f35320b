// Turning what runc/crun print into typed errors. The engine maps a process that could not be invoked to the exit
// codes Docker users know (127: command not found, 126: found but not executable), so those two failures get their
// own class carrying the code; everything else keeps the runtime's own words, cleaned of its log framing.
import { EngineError, InvalidArgumentError, NotFoundError, StateInvalidError } from '../core/index.js';

export type InvokeFailure = 'not-found' | 'not-executable';

/** The container's (or exec's) process could not be started; `exitCode` is what a shell would report. */
export class ProcessInvokeError extends InvalidArgumentError {
  readonly failure: InvokeFailure;
  readonly exitCode: 126 | 127;
  constructor(failure: InvokeFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.failure = failure;
    this.exitCode = failure === 'not-found' ? 127 : 126;
  }
}

/** Finds a ProcessInvokeError anywhere in a wrap() chain. */
export function processInvokeFailure(err: unknown): ProcessInvokeError | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ProcessInvokeError) return e;
  }
  return undefined;
}

/**
 * runc logs as logrus text (`time="…" level=error msg="…"`) and crun as plain text; both may span lines.
 * Keep only the messages, unescaped, so a user reads "exec: "nosuch": executable file not found in $PATH".
 */
export function cleanRuntimeMessage(raw: string): string {
  const msgs: string[] = [];
  for (const line of raw.split('\n')) {
    const m = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (m) msgs.push(m[1]!.replace(/\\(.)/g, '$1'));
    else if (line.trim()) msgs.push(line.trim().replace(/^(ERRO|WARN)\[\d+\]\s*/, ''));
  }
  return msgs.join('; ') || 'no message from the runtime';
}

const NOT_FOUND = [/executable file not found/i, /exec:? .*no such file or directory/i, /exec format error.*not found/i];
const NOT_EXECUTABLE = [/exec:? .*permission denied/i, /exec:? .*is a directory/i, /exec format error/i];

/** Builds the typed error for a runtime failure (create, exec, or a plain runtime command) from its message. */
export function runtimeFailure(context: string, raw: string): EngineError {
  const message = cleanRuntimeMessage(raw);
  const text = `${context}: ${message}`;
  if (NOT_FOUND.some((re) => re.test(message))) return new ProcessInvokeError('not-found', text);
  if (NOT_EXECUTABLE.some((re) => re.test(message))) return new ProcessInvokeError('not-executable', text);
  if (/does not exist|not found/i.test(message)) return new NotFoundError(text);
  if (/not running|is paused|not paused|is stopped|already|cannot (pause|resume|kill)/i.test(message)) {
    return new StateInvalidError(text);
  }
  return new EngineError('Internal', text);
}
