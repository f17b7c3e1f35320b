// Podman and Docker as points of comparison, used only when they are installed and actually working here: the
// binary on PATH, its engine answering, and a busybox image already present (the benchmark never pulls).
import { spawnSync } from 'node:child_process';
import { EngineError } from '../src/core/index.js';
import { timeCommand } from './stats.js';

export interface OtherEngine {
  name: 'podman' | 'docker';
  /** How the result is labelled: the engine's name, plus the variant ("podman --network none"). */
  label: string;
  /** Extra `run` arguments of this variant. */
  args: string[];
  /** Set when the engine cannot be used, saying why; the comparison is then skipped. */
  skipReason?: string;
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split('\n').find(Boolean) ?? '';
}

/**
 * The ways an engine is compared: as it runs by default, and like for like with Bulkhead, whose containers have
 * no network until networking lands (podman's default bridge costs it a network namespace and CNI setup).
 */
export function variants(name: OtherEngine['name']): OtherEngine[] {
  // podman's default rlimits (nofile 1048576, nproc 4194304) exceed this kind of host's hard limits and runc then
  // refuses to start the container, so both variants pass limits the host allows.
  const limits = name === 'podman' ? ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'] : [];
  const probed = probe(name);
  return [
    { ...probed, label: name, args: limits },
    { ...probed, label: `${name} --network none`, args: [...limits, '--network', 'none'] },
  ];
}

function probe(name: OtherEngine['name']): { name: OtherEngine['name']; skipReason?: string } {
  const which = spawnSync('sh', ['-c', `command -v ${name}`]);
  if (which.status !== 0) return { name, skipReason: `${name} is not installed` };
  const info = spawnSync(name, ['info'], { timeout: 30_000 });
  if (info.status !== 0) {
    return { name, skipReason: `${name} is installed but not working: ${firstLine(info.stderr?.toString()) || `"${name} info" failed`}` };
  }
  const image = spawnSync(name, ['image', 'inspect', 'busybox'], { timeout: 30_000 });
  if (image.status !== 0) return { name, skipReason: `${name} has no local busybox image (load one: bulkhead save busybox | ${name} load)` };
  return { name };
}

export function commandOf(engine: OtherEngine): string {
  return [engine.name, 'run', '--rm', ...engine.args, 'busybox', 'true'].join(' ');
}

export async function runOnce(engine: OtherEngine): Promise<number> {
  const r = await timeCommand(engine.name, ['run', '--rm', ...engine.args, 'busybox', 'true']);
  if (r.code !== 0) throw new EngineError('Internal', `${commandOf(engine)} exited ${r.code}: ${firstLine(r.stderr)}`);
  return r.ms;
}
