// The engine's event stream (docker events): lifecycle events fan out to live subscribers, and a short history
// lets a subscriber ask for events since a moment in the past.
import { EventEmitter } from 'node:events';

export interface EngineEvent {
  type: 'container' | 'image' | 'volume';
  action: string;              // create, start, die, oom, destroy, pull, tag, untag, delete, …
  id: string;
  attributes: Record<string, string>;
  time: number;                // unix seconds
  timeNano: number;
}

const HISTORY = 1000;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly history: EngineEvent[] = [];

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit(type: EngineEvent['type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const event: EngineEvent = { type, action, id, attributes, time: Number(nowNs / 1_000_000_000n), timeNano: Number(nowNs) };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    this.emitter.emit('event', event);
  }

  /** Events recorded at or after `sinceSeconds`, then live ones through `listener`; returns the unsubscribe function. */
  subscribe(listener: (e: EngineEvent) => void, sinceSeconds?: number): () => void {
    if (sinceSeconds !== undefined) {
      for (const e of this.history) if (e.time >= sinceSeconds) listener(e);
    }
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
