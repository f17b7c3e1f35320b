// The `changes` of `docker import --change` (and commit): Dockerfile instructions that set the image's run
// config. They are parsed and applied by the builder's own code, so `--change 'CMD …'` means exactly what the
// same line means in a Dockerfile.
import { InvalidArgumentError, type ImageRunConfig } from '../../core/index.js';
import { parseContainerfile } from '../../build/index.js';
import { applyMetadata } from '../../build/index.js';

/** Docker's list: the instructions that only touch the config. */
const ALLOWED = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

export function applyChanges(changes: string[], base: ImageRunConfig = {}): ImageRunConfig {
  let run = base;
  let shell = ['/bin/sh', '-c'];
  let cmdSet = false;
  for (const change of changes) {
    // The parser wants a whole Containerfile; a FROM line in front makes the change one, and is skipped.
    const { instructions } = parseContainerfile(`FROM scratch\n${change}`);
    for (const inst of instructions.slice(1)) {
      if (!ALLOWED.has(inst.name)) throw new InvalidArgumentError(`invalid change "${change}": ${inst.name} cannot be used with --change (use one of ${[...ALLOWED].join(', ')})`);
      run = applyMetadata(inst, run, { vars: new Map(), escape: '\\', shell, cmdSetInStage: cmdSet });
      if (inst.name === 'CMD') cmdSet = true;
      if (inst.name === 'SHELL') shell = inst.json!;
    }
  }
  return run;
}
