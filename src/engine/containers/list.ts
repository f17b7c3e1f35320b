// `ps` and `inspect`: the view of containers users see, with docker's filters.
import { InvalidArgumentError, type ContainerRecord } from '../../core/index.js';
import type { EngineContext } from '../context.js';
import type { ListFilters } from '../types.js';
import { isStale, parseStale } from '../sprawl/activity.js';

const FILTER_KEYS = new Set(['name', 'id', 'status', 'label', 'ancestor', 'exited', 'stale', 'health']);

export function listContainers(ctx: EngineContext, opts: ListFilters): ContainerRecord[] {
  const filters = opts.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!FILTER_KEYS.has(key)) throw new InvalidArgumentError(`invalid filter "${key}": supported are ${[...FILTER_KEYS].join(', ')}`);
  }
  for (const v of filters.stale ?? []) parseStale(v); // a bad duration fails even when nothing runs
  const all = opts.all || filters.status !== undefined || filters.exited !== undefined;
  return ctx.state.listContainers().filter((c) => {
    // A container waiting for its restart policy is listed as docker lists it: among the running ones.
    if (!all && c.state.status !== 'running' && c.state.status !== 'paused' && !c.state.restarting) return false;
    return Object.entries(filters).every(([key, values]) => values.some((v) => matches(ctx, c, key, v)));
  });
}

function matches(ctx: EngineContext, c: ContainerRecord, key: string, value: string): boolean {
  switch (key) {
    case 'name': return c.name.includes(value.replace(/^\//, ''));
    case 'id': return c.config.id.startsWith(value);
    case 'status': return (c.state.restarting && c.state.status === 'exited' ? 'restarting' : c.state.status) === value;
    case 'health': return (c.state.health && c.config.healthcheck ? c.state.health.status : 'none') === value;
    case 'exited': return c.state.status === 'exited' && String(c.state.exitCode) === value;
    case 'label': {
      const eq = value.indexOf('=');
      return eq === -1 ? value in c.config.labels : c.config.labels[value.slice(0, eq)] === value.slice(eq + 1);
    }
    case 'stale': return isStale(ctx, c, parseStale(value)); // engine/sprawl/activity.ts: no CPU run, no log output
    case 'ancestor': {
      try { return ctx.images.resolve(value).id === c.config.imageId; } catch { return false; }
    }
    default: return false;
  }
}

/** A human status such as "Up 3 minutes" or "Exited (0) 2 seconds ago". */
export function statusText(c: ContainerRecord, now = Date.now()): string {
  const s = c.state;
  switch (s.status) {
    case 'running': return `Up ${ago(now - Date.parse(s.startedAt))}${healthText(c)}`;
    case 'paused': return `Up ${ago(now - Date.parse(s.startedAt))} (Paused)`;
    case 'exited': return `${s.restarting ? 'Restarting' : 'Exited'} (${s.exitCode}) ${ago(now - Date.parse(s.finishedAt))} ago`;
    case 'removing': return 'Removal In Progress';
    default: return 'Created';
  }
}

/** docker ps's health suffix: " (healthy)", " (unhealthy)", " (health: starting)". */
function healthText(c: ContainerRecord): string {
  const h = c.config.healthcheck && c.state.health;
  if (!h) return '';
  return h.status === 'starting' ? ' (health: starting)' : ` (${h.status})`;
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return s <= 1 ? 'Less than a second' : `${s} seconds`;
  const m = Math.round(s / 60);
  if (m < 60) return m === 1 ? 'About a minute' : `${m} minutes`;
  const h = Math.round(m / 60);
  if (h < 48) return h === 1 ? 'About an hour' : `${h} hours`;
  return `${Math.round(h / 24)} days`;
}
