// Shared by the recovery tests: a container's record through `inspect`, and its events from the engine's history.
import assert from 'node:assert/strict';
import type { TestEngine } from '../helpers/engine-harness.js';

export interface Recorded {
  Id: string;
  Status: string;
  State: { status: string; exitCode: number; restartCount: number; restarting?: boolean; manuallyStopped?: boolean; startedAt: string;
    health?: { status: string; failingStreak: number; log: Array<{ exitCode: number; output: string }> } };
  Config: { healthcheck?: { test: string[]; intervalMs: number; retries: number }; restartPolicy?: { name: string; maximumRetryCount: number } };
}

export function record(e: TestEngine, ref: string): Recorded {
  const list = JSON.parse(e.ok(['inspect', '--type', 'container', ref])) as Recorded[];
  assert.equal(list.length, 1);
  return list[0]!;
}

export interface Event { action: string; id: string; timeNano: number; attributes: Record<string, string> }

/** The container's events since `sinceSeconds`, from the engine's history (nothing streams: --until is now). */
export function eventsOf(e: TestEngine, name: string, sinceSeconds: number): Event[] {
  const out = e.ok(['events', '--since', String(sinceSeconds), '--until', String(Math.floor(Date.now() / 1000)), '--format', 'json',
    '--filter', `container=${name}`]);
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const nowSeconds = () => Math.floor(Date.now() / 1000);
