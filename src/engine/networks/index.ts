// engine/networks: the engine's side of networking. Contract: decides *when* the network layer (src/network)
// acts: a container's namespace is connected at start and torn down at exit, removal, failed start and in
// reconcile; networks are records until their first container; the last container leaving a network removes
// what the host holds for it (bridge, IPAM leases, shared CNI chains when unused). Every CNI ADD is preceded by
// a durable attachment record, so after a crash reconcile knows what to DEL.
export { NetworkRuntime, DEFAULT_ADDRESS_POOLS } from './runtime.js';
export { createNetwork, removeNetwork, pruneNetworks, resolveNetwork, networkView, containersOf } from './records.js';
export { setupContainerNetwork, teardownContainerNetwork, usesEngineNetns, type NetworkSetup } from './attach.js';
export { connectContainer, disconnectContainer, reconcileNetworks, containerNetworkSettings, closeNetworks } from './operations.js';
export { validateNetworkRequest, DEFAULT_NETWORK } from './validate.js';
