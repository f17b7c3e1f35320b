// state: persistence of engine records behind the StateStore seam (types.ts). The engine is the only writer;
// the daemon owns the database, so in-process locks plus SQLite transactions are enough (no cross-process locks).
export type { StateStore, ContainerStore, ImageMetadataStore, VolumeStore } from './types.js';
export { SqliteStateStore } from './sqlite/store.js';
export { MemoryStateStore } from './memory/store.js';
