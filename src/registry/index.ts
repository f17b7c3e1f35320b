// registry: the OCI distribution client (pull, push, login/logout). Contract: a pull records an image only when
// its manifest, config and every layer were verified (digest and size, while streaming) and committed to the
// image store; layers verified before a failure stay and are skipped next time; the image id is the registry's
// config digest. Credentials live in <root>/auth.json (0600, replaced atomically). Loopback registries and the
// configured insecure list are spoken to without TLS verification (plain HTTP when they do not speak TLS);
// a registry's CA can be put in <root>/certs.d/<host:port>/ca.crt. A short name ("busybox") is tried in each
// search registry in order (default docker.io only) and the first that has it wins.
export { RegistryService, registryHost, type RegistryServiceOptions, type TransferOptions } from './service.js';
export { AuthStore, type Credentials } from './auth-store.js';
export type { Progress, ProgressSink } from './progress.js';
export { parsePlatform } from './manifest.js';
export { isShortName, candidateReferences, DEFAULT_SEARCH_REGISTRIES } from './short-names.js';
