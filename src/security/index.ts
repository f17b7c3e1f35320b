// security: the engine's default hardening as data and pure functions over it: capabilities (names, the
// --cap-add/--cap-drop/--privileged arithmetic), the default seccomp profile and its compilation per container,
// masked and read-only paths, device cgroup rules, and which sysctls a container may set. Pure: no I/O, no
// imports beyond core. The spec generator applies it; validation, `inspect` and the tests read it. Anything
// that weakens a default must be an explicit, per-container user choice.
export * from './defaults.js';
export * from './capabilities.js';
export * from './seccomp-types.js';
export { DEFAULT_SECCOMP_PROFILE, ALWAYS_REFUSED_BY_DEFAULT, CLONE_NAMESPACE_FLAGS, UNSHARE_NAMESPACE_FLAGS } from './seccomp-default.js';
export { compileSeccomp, nativeSeccompArch, parseSeccompProfile } from './seccomp.js';
export { sysctlNamespace, sysctlRefusal, type SysctlNamespace } from './sysctls.js';
export { hardeningView, type HardeningRule } from './hardening.js';
export { formatDeviceCgroupRule, parseDeviceCgroupRule } from './device-cgroup-rules.js';
