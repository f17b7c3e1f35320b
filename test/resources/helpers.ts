// Shared helpers for the resource tests: reading a container's cgroup files straight from the kernel, and
// polling the output of a detached container.
import { readFileSync } from 'node:fs';
import type { TestEngine } from '../helpers/engine-harness.js';
import { waitFor } from '../integration/cli-checks.js';

/** A file of the container's cgroup under a v1 controller: /sys/fs/cgroup/<ctrl>/bulkhead/<id>/<file>. */
export function cgroupFile(controller: string, id: string, file: string): string {
  return readFileSync(`/sys/fs/cgroup/${controller}/bulkhead/${id}/${file}`, 'utf8').trim();
}

/** Starts a detached container and returns its full id. */
export function runDetached(e: TestEngine, flags: string[], script: string): string {
  return e.ok(['run', '-d', ...flags, 'busybox', 'sh', '-c', script]);
}

/** The container's output once it contains `marker`. */
export function logsWhen(e: TestEngine, ref: string, marker: string, timeoutMs = 15_000): Promise<string> {
  return waitFor(() => {
    const out = e.run(['logs', ref]).stdout;
    return out.includes(marker) ? out : undefined;
  }, `"${marker}" in the logs of ${ref}`, timeoutMs);
}

/** The value of a "Key:  value" line of /proc/<pid>/status-like text. */
export function field(text: string, key: string): string | undefined {
  return new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
