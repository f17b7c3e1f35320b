// Container log limits (docker's json-file max-size and max-file): the options, the chain of rotated files beside
// the log conmon writes, and the watch that completes conmon's rotations. Reading the logs is
// engine/containers/logs.ts, which follows the same chain.
export { validateLogOptions, logLimits, type LogLimits } from './options.js';
export { prepareLogForStart, openLogChain, currentLogInode, type OpenLogFile } from './chain.js';
export { LogRotator } from './rotator.js';
