// The label on every probe container of `interference measure`: a measurement the daemon's death cut short left
// them behind, and reconcile removes every container carrying it at the next start.
export const MEASURE_LABEL = 'io.bulkhead.interference';
