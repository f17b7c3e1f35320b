// engine: the one owner of state. Validates intent, orders the domain modules for every operation, holds the
// per-container locks, records lifecycle transitions in the state store and publishes events. Callers (api/)
// use Engine's methods only; nothing below engine/ imports it.
export { Engine } from './engine.js';
export type { CreateRequest, ExecRequest, ListFilters, LogOptions, EngineOptions, SecurityRequest, NetworkCreateRequest } from './types.js';
export type { EngineEvent } from './events.js';
export type { WaitCondition, WaitResult } from './containers/wait.js';
export type { CommitRequest } from './containers/filesystem.js';
export { statusText } from './containers/list.js';
export { engineInfo, diskUsageReport, systemPrune, pruneContainers, ENGINE_VERSION, API_VERSION } from './system.js';
export { loadDaemonConfig, DEFAULT_CONFIG_FILE, type DaemonConfig } from './daemon-config.js';
export type { ContainerStats } from './containers/stats.js';
export type { AllocationMap, CpuRow, MemoryRow } from './allocation/index.js';
export { loadEnginePolicy, type PolicyInput, type PolicyShow, type PolicyCheckReport } from './policy.js';
