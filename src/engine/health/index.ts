// Health checks (docker's HEALTHCHECK and --health-*, podman's --health-on-failure). Contract: the config is
// resolved at create (config.ts: the image's check merged with the flags) and recorded in ContainerConfig; the
// HealthMonitor probes a container from each start (begin, lock held) or engine open (resumeRunning) until its exit
// or removal (stop); each probe runs through the runtime's exec path (probe.ts) and its result is applied by the
// pure rules of evaluate.ts, saved in ContainerState.health, with a `health_status: <status>` event on each change.
export { HealthMonitor } from './monitor.js';
export { resolveHealthcheck, probeCommand, DEFAULTS as HEALTH_DEFAULTS } from './config.js';
export { applyProbe, startingHealth, LOG_ENTRIES, OUTPUT_LIMIT } from './evaluate.js';
