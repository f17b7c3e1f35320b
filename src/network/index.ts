// network: container networking on CNI. Contract: everything on the host is made by the CNI reference plugins
// (bridge, host-local, firewall, portmap, bandwidth), run by this module's own invoker (cni/), and every piece
// of state they need (IPAM leases, cached results) lives under the engine root, so engines with different roots
// never share any. What the plugins leave behind after their last DEL (bridge, shared chains) is removed here
// (host.ts), touching only CNI's chains. The engine (engine/networks) decides when; this module only does.
export * from './types.js';
export { addChain, delChain, type ConfList, type RuntimeConfig } from './cni/chain.js';
export { buildConfList, cniName, runtimeConfig } from './cni/conflist.js';
export { CNI_PLUGIN_DIR } from './cni/invoke.js';
export { resultFromLease } from './cni/lost-result.js';
export { sweepNatLeftovers } from './nat-leftovers.js';
export { createNetns, netnsHasNoSockets, pinNetns, removeNetns, netnsPath } from './netns.js';
export { hostRoutes, linkExists, removeBridge, sweepSharedChains } from './host.js';
export { HostPortHolder } from './ports.js';
export { readNetCounters, parseNetDevCounters, type NetCounters } from './net-dev.js';
export * from './subnets.js';
export type { DnsResponder } from './dns-port.js';
