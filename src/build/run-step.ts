// RUN: a container from the current image with the engine's isolation defaults and no network, its output
// streamed as it comes, its changes committed as a layer. The container is removed whatever happens.
import { InvalidArgumentError, type ImageRecord, type ImageRunConfig } from '../core/index.js';
import { BUILD_LABEL, BUILD_STEP } from './leftovers.js';
import type { BuildHost } from './types.js';

const OUTPUT_TAIL = 20;

export class RunFailedError extends InvalidArgumentError {
  constructor(readonly exitCode: number, readonly output: string, command: string) {
    // one line: the output itself has already been streamed to the user
    super(`RUN ${command} returned a non-zero code: ${exitCode}${output ? ` (last output: ${output.split('\n').at(-1)})` : ''}`);
  }
}

export async function runStep(host: BuildHost, parent: ImageRecord, run: ImageRunConfig, cmd: string[], argEnv: string[],
  comment: string, onOutput: (text: string) => void): Promise<ImageRecord> {
  if (parent.id === '') throw new InvalidArgumentError('RUN needs a base image with a shell: FROM scratch has no files yet');
  const envKeys = new Set((run.Env ?? []).map((e) => e.split('=')[0]));
  const { id } = await host.create({
    image: parent.id, cmd, entrypoint: [], network: 'none',
    env: [...(run.Env ?? []), ...argEnv.filter((e) => !envKeys.has(e.split('=')[0]))],
    workingDir: run.WorkingDir || undefined, user: run.User || undefined,
    labels: { [BUILD_LABEL]: BUILD_STEP }, // a crash mid-step leaves it for sweepBuildContainers
  });
  try {
    const exited = host.wait(id, 'next-exit');
    await host.start(id);
    const tail: string[] = [];
    for await (const e of host.logs(id, { follow: true })) {
      onOutput(e.text);
      tail.push(e.text);
      if (tail.length > OUTPUT_TAIL) tail.shift();
    }
    const { exitCode } = await exited;
    if (exitCode !== 0) throw new RunFailedError(exitCode, tail.join('').trimEnd(), comment.replace(/^RUN /, ''));
    return await host.commit(id, {
      comment, pause: false,
      // the image's config exactly: the build-arg env of the container must not leak into the image
      changes: {
        Env: run.Env, Entrypoint: run.Entrypoint ?? null, Cmd: run.Cmd ?? null, WorkingDir: run.WorkingDir, User: run.User,
        Labels: run.Labels, StopSignal: run.StopSignal,
      },
    });
  } finally {
    await host.remove(id, { force: true, volumes: true }).catch(() => undefined);
  }
}
