// Static interference analysis: which containers can slow which others down, through which shared resource.
export { analyzeInterference, DEFAULT_TOP_PER_RESOURCE } from './analyze.js';
export { renderTable } from './render-table.js';
export { renderDot } from './render-dot.js';
export { EXPOSURE, SEVERITY, RATING_THRESHOLDS } from './weights.js';
export type * from './types.js';
