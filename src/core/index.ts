// core: types, errors and small parsers shared by every layer. It imports nothing else of the engine, so any
// module may depend on it without creating a cycle (the role podman's libpod/define plays).
export * from './errors.js';
export * from './units.js';
export * from './ids.js';
export * from './image-types.js';
export * from './container-types.js';
