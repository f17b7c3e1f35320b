// engine/interference: the engine's side of interference analysis. Contract: gathers the facts of the running
// containers (allocation, limits, devices, networks) for the static analysis in src/analysis, and runs a
// measurement's probes as real, labelled containers of this engine, removing all of them when it ends.
export { staticInterference, measureInterference } from './measure.js';
export { ContainerProbeRunner } from './probe-runner.js';
export { MEASURE_LABEL } from './label.js';
