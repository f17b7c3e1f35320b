// specgen: turns a container's config into the OCI runtime-spec config.json (runtime-spec 1.0.2) that runc/crun
// run, plus the bundle and the engine-written /etc files. Contract: the generated spec carries the security
// defaults of src/security (Docker's), never more privilege than the user asked for; every user mistake (no
// command, unknown user, missing bind source, bad limits) is an InvalidArgument with a one-line message. It reads
// the image's /etc/passwd and /etc/group through the rootfs without following links out of it.
export { generateSpec, execProcessSpec, type SpecInputs, type ExecProcessOptions } from './generate.js';
export { writeBundle } from './bundle.js';
export { ETC_FILES } from './mounts.js';
export { writeEtcFiles, updateLinkAddress, filterResolvConf, type EtcFileSources, type EtcNetworkFacts } from './etc-files.js';
export { resolveUser, uidOfName, type ResolvedUser } from './user.js';
export { buildEnv, defaultCapabilities, DEFAULT_PATH } from './process.js';
export { hostNofileHardLimit } from './host-limits.js';
export { checkAnnotations } from './annotations.js';
export { INIT_IN_CONTAINER } from './init.js';
export * from './oci-types.js';
