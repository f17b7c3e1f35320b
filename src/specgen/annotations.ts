// The spec's annotations are the user's (--annotation, docker's HostConfig.Annotations): the engine sets none of
// its own. Annotations are free-form metadata for tools that read config.json, but the OCI runtimes also read
// some of their own as settings (crun's run.oci.* keeps the engine's groups, picks another handler, writes hook
// output to host files; runc's and CRIU's change exec and checkpoint behaviour). Those would change how a
// container is confined behind the security policy's back, so their prefixes are refused.
import { InvalidArgumentError } from '../core/index.js';
import type { OciSpec } from './oci-types.js';

export const RUNTIME_ANNOTATION_PREFIXES = ['run.oci.', 'org.opencontainers.runc.', 'org.criu.'] as const;

/** Refuses an empty key or a key in a runtime's namespace (values are strings: the request's shape check). */
export function checkAnnotations(annotations: Record<string, string>): Record<string, string> {
  for (const key of Object.keys(annotations)) {
    if (key.trim() === '') throw new InvalidArgumentError('invalid annotation: the key must not be empty');
    const reserved = RUNTIME_ANNOTATION_PREFIXES.find((p) => key.startsWith(p));
    if (reserved) {
      throw new InvalidArgumentError(`invalid annotation "${key}": keys starting with "${reserved}" are settings of the OCI runtime, not annotations a container may set`);
    }
  }
  return annotations;
}

export function applyAnnotations(spec: OciSpec, annotations: Record<string, string> | undefined): void {
  if (annotations && Object.keys(annotations).length) spec.annotations = { ...annotations };
}
