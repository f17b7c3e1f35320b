// build: images from a Containerfile. Contract: the engine drives it through the BuildHost port (build never
// imports engine/); every step yields a new image and is cached under <root>/build-cache/index.json keyed on
// (parent image id, instruction after substitution, digest of the files a COPY/ADD reads); tags are applied only
// when every step succeeded, and no step leaves a container behind (a daemon crash mid-step does: the engine calls
// sweepBuildContainers at start-up). Errors carry the Containerfile line.
export { runBuild, BuildStepError } from './executor.js';
export { parseContainerfile, ContainerfileError, type Instruction, type Containerfile } from './parse.js';
export { IgnoreMatcher } from './ignore.js';
export { sweepBuildContainers, BUILD_LABEL, type LeftoverPort } from './leftovers.js';
export { applyMetadata } from './metadata.js';
export type { BuildRequest, BuildEvent, BuildHost, BuildContainerRequest } from './types.js';
