// User namespaces (--userns=auto): which host uid/gid ranges the engine may hand out (the `bulkhead` entries
// of /etc/subuid and /etc/subgid) and which one a new container gets. Pure data and file parsing: the engine
// decides when to allocate (under its lock, against the state store), the storage and spec layers apply it.
export { USERNS_USER, readSubIds, type SubIdRange } from './subid-file.js';
export { CONTAINER_RANGE_SIZE, allocateIdMap, type IdMapping, type UsedRange } from './allocate.js';
