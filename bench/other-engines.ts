// Podman and Docker as points of comparison, used only when they are installed and actually working here: the
// binary on PATH, its engine answering, and a busybox image already present (the benchmark never pulls).
import { spawnSync } from 'node:child_process';
import { EngineError } from '../src/core/index.js';
import { timeCommand } from './stats.js';

export interface OtherEngine {
  name: 'podman' | 'docker';
  /** Set when the engine cannot be used, saying why; the comparison is then skipped. */
  skipReason?: string;
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split('\n').find(Boolean) ?? '';
}

export function probe(name: OtherEngine['name']): OtherEngine {
  const which = spawnSync('sh', ['-c', `command -v ${name}`]);
  if (which.status !== 0) return { name, skipReason: `${name} is not installed` };
  const info = spawnSync(name, ['info'], { timeout: 30_000 });
  if (info.status !== 0) {
    return { name, skipReason: `${name} is installed but not working: ${firstLine(info.stderr?.toString()) || `"${name} info" failed`}` };
  }
  const image = spawnSync(name, ['image', 'inspect', 'busybox'], { timeout: 30_000 });
  if (image.status !== 0) return { name, skipReason: `${name} has no local busybox image (the benchmark does not pull)` };
  return { name };
}

export async function runOnce(engine: OtherEngine): Promise<number> {
  const r = await timeCommand(engine.name, ['run', '--rm', 'busybox', 'true']);
  if (r.code !== 0) throw new EngineError('Internal', `${engine.name} run --rm busybox true exited ${r.code}: ${firstLine(r.stderr)}`);
  return r.ms;
}
