// Shared checks for the CLI integration tests: what a user-facing failure must look like, polling for
// asynchronous state, and reading inspect output. Kept here so each *.test.ts states only its scenario.
import assert from 'node:assert/strict';
import type { CliResult, TestEngine } from '../helpers/engine-harness.js';

/**
 * A user mistake must end with a non-zero exit and exactly one line on stderr (no stack trace, no usage dump),
 * which names the problem (`mentions`).
 */
export function assertOneLineError(r: CliResult, mentions: RegExp, expectCode?: number): void {
  assert.notEqual(r.code, 0, `expected failure, got exit 0 (stdout: ${r.stdout})`);
  if (expectCode !== undefined) assert.equal(r.code, expectCode, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `expected one line on stderr, got ${lines.length}:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at .+[:(]/m, 'stderr must not carry a stack trace');
  assert.match(lines[0]!, mentions);
}

/** Polls until check() returns a truthy value, or fails with what it was waiting for. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The container record as `inspect` prints it. */
export interface InspectedContainer {
  Id: string;
  Name: string;
  Status: string;
  State: { status: string; pid: number; exitCode: number };
  Config: { labels: Record<string, string>; mounts: Array<{ type: string; source: string; target: string; readOnly: boolean; anonymous?: boolean }> };
}

export function inspectContainer(e: TestEngine, ref: string): InspectedContainer {
  const list = JSON.parse(e.ok(['inspect', '--type', 'container', ref])) as InspectedContainer[];
  assert.equal(list.length, 1);
  return list[0]!;
}

/** True when the engine knows no container by this name or id. */
export function containerGone(e: TestEngine, ref: string): boolean {
  const r = e.run(['inspect', '--type', 'container', ref]);
  return r.code !== 0 && /no such container/i.test(r.stderr);
}

/** Names of all containers, running or not. */
export function allNames(e: TestEngine): string[] {
  const list = JSON.parse(e.ok(['ps', '-a', '--format', 'json'])) as Array<{ Name: string }>;
  return list.map((c) => c.Name).sort();
}

/** The daemon must still answer after a failed command. */
export function assertDaemonAnswers(e: TestEngine): void {
  assert.equal(e.run(['daemon', 'status']).code, 0, 'daemon status');
  assert.match(e.ok(['run', '--rm', 'busybox', 'echo', 'still-alive']), /^still-alive$/);
}
