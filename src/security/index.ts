// security: the engine's default hardening as data (capabilities, masked and read-only paths, device cgroup
// rules, sysctls). Pure: no I/O, no imports beyond core. The spec generator applies it; checks and `inspect`
// may read it. Anything that weakens a default must be an explicit, per-container user choice.
export * from './defaults.js';
