// network/dns: the per-network DNS responder. The networking code calls serve() when a user-defined network comes
// up (on its gateway address), setRecords() whenever a container joins or leaves it, and unserve() when it goes.
// A network's containers are answered from that network's records only (A, PTR; an empty NOERROR for other types
// of a known name); every other name is forwarded to the host's resolvers, SERVFAIL when none answers.
// Depends on core only.
export { NetworkDnsServer, type NetworkDnsServerOptions } from './server.js';
