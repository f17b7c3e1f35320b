// Where the daemon listens and keeps its data: flags first, then BULKHEAD_HOST / BULKHEAD_ROOT, then defaults.
import { join, resolve } from 'node:path';

export const DEFAULT_SOCKET = '/run/bulkhead/bulkhead.sock';
export const DEFAULT_ROOT = '/var/lib/bulkhead';

export interface Settings {
  socketPath: string;
  root: string;
  runRoot: string;
  runtime?: string;
}

export function resolveSettings(flags: { host?: string; root?: string; runtime?: string }): Settings {
  const host = flags.host ?? process.env.BULKHEAD_HOST ?? DEFAULT_SOCKET;
  const root = resolve(flags.root ?? process.env.BULKHEAD_ROOT ?? DEFAULT_ROOT);
  return {
    socketPath: host.replace(/^unix:\/\//, ''),
    root,
    // The default engine keeps volatile state on /run (cleared at boot); an engine with its own root keeps it there.
    runRoot: root === DEFAULT_ROOT ? '/run/bulkhead' : join(root, 'run'),
    runtime: flags.runtime ?? process.env.BULKHEAD_RUNTIME,
  };
}
