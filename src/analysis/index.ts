// analysis: how containers on one host interfere with each other. The static part (./static) is pure: it takes
// plain facts — the host topology and virtualization, and per container its cpuset, quota, memory limits, block
// devices, networks and volumes — and returns an InterferenceReport (resources, per-container exposure edges,
// every aggressor → resource → victim path with a score, rating and reason, and a representative subset chosen
// by a stated rule). It reads nothing from the machine and is deterministic: the same facts give the same JSON,
// whatever their order. The engine gathers the facts; the CLI picks the format (table, JSON = the report, DOT).
// It imports only types from resources and errors from core. The dynamic half (./measure, measured slowdowns
// per path) lives beside it and consumes the same resource ids.
export * from './static/index.js';
