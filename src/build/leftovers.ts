// RUN steps run in ordinary containers labelled io.bulkhead.build=step, removed when the step ends. A daemon
// that dies mid-build never gets to that, so the engine calls sweepBuildContainers at start-up (before any new
// build can have started) and every container still carrying the label is a leftover.
export const BUILD_LABEL = 'io.bulkhead.build';
export const BUILD_STEP = 'step';

export interface LeftoverPort {
  list(): Array<{ id: string; name: string; labels: Record<string, string> }>;
  remove(id: string): Promise<void>;   // forced: a leftover may still be running under its monitor
}

/** Removes every build-step container; returns the names removed. One that fails to go is left for the next start. */
export async function sweepBuildContainers(port: LeftoverPort, notice?: (m: string) => void): Promise<string[]> {
  const removed: string[] = [];
  for (const c of port.list()) {
    if (c.labels[BUILD_LABEL] !== BUILD_STEP) continue;
    try {
      await port.remove(c.id);
      removed.push(c.name);
    } catch (err) {
      notice?.(`removing build container ${c.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return removed;
}
