// runtime: the seam between the engine and the OCI runtime (runc, crun) running under conmon.
// Contract: an OciRuntime keeps no state of its own. The engine lays out each container's directories
// (ContainerPaths) and owns its records; the runtime acts on request and answers from the runtime binary's
// `state` and from conmon's files (exit file, oom marker). Containers outlive the daemon: conmon is their parent.
// Failures are typed (core/errors); a process that cannot be invoked is a ProcessInvokeError carrying 127/126.
// Everything an implementation must do is pinned by test/runtime/runtime-suite.ts.
export type * from './types.js';
export { ConmonRuntime, type ConmonRuntimeOptions } from './conmon/conmon-runtime.js';
export { ProcessInvokeError, processInvokeFailure, cleanRuntimeMessage, runtimeFailure, type InvokeFailure } from './errors.js';
export { selectRuntime, findExecutable, KNOWN_RUNTIMES, DEFAULT_RUNTIME, type SelectRuntimeOptions } from './select.js';
