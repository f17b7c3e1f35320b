// Engine events in Docker's shape (docker events, dockerode getEvents) and Docker's event filters.
import { InvalidArgumentError } from '../../core/index.js';
import type { EngineEvent } from '../../engine/index.js';
import { checkFilterKeys, labelMatches, type Filters } from './filters.js';

export function dockerEvent(e: EngineEvent) {
  const from = e.attributes.image;
  return {
    // status/id/from are the pre-1.22 fields that some clients still read.
    status: e.action, id: e.id, ...(from ? { from } : {}),
    Type: e.type, Action: e.action, Actor: { ID: e.id, Attributes: e.attributes },
    scope: 'local', time: e.time, timeNano: e.timeNano,
  };
}

const EVENT_FILTERS = ['type', 'event', 'container', 'image', 'label', 'volume'] as const;

/** A predicate for docker's event filters: values of one key are alternatives, different keys must all match. */
export function eventFilter(filters: Filters): (e: EngineEvent) => boolean {
  checkFilterKeys(filters, EVENT_FILTERS, 'events');
  const test: Record<string, (e: EngineEvent, v: string) => boolean> = {
    type: (e, v) => e.type === v,
    event: (e, v) => e.action === v || e.action.startsWith(`${v}:`),
    container: (e, v) => e.type === 'container' && (e.id.startsWith(v) || e.attributes.name === v),
    image: (e, v) => e.attributes.image === v || (e.type === 'image' && (e.id === v || e.id.startsWith(`sha256:${v}`))),
    label: (e, v) => labelMatches(e.attributes, v),
    volume: (e, v) => e.type === 'volume' && e.id === v,
  };
  return (e) => Object.entries(filters).every(([key, values]) => values.length === 0 || values.some((v) => test[key]!(e, v)));
}

/** since/until as docker clients send them: unix seconds with optional fraction ("1700000000.000000000"), or RFC 3339. */
export function parseDockerTime(text: string | null, what: string): number | undefined {
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`invalid value for ${what}: "${text}" is neither unix seconds nor an RFC 3339 time`);
  return ms / 1000;
}
