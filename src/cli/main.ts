// The bulkhead CLI: parses the command line and talks to the daemon. Errors end here as one line on stderr and
// an exit code from exit-codes.ts, never as a stack trace.
import { Command, CommanderError } from 'commander';
import { CliContext } from './context.js';
import { errorLine, exitCodeForError } from './exit-codes.js';
import { daemonCommands } from './commands/daemon.js';
import { runCommands } from './commands/run.js';
import { containerCommands } from './commands/containers.js';
import { ioCommands } from './commands/io.js';
import { filesystemCommands } from './commands/filesystem.js';
import { imageCommands } from './commands/images.js';
import { volumeCommands } from './commands/volumes.js';
import { systemCommands } from './commands/system.js';
import { resourceCommands } from './commands/resources.js';
import { registryCommands } from './commands/registry.js';
import { buildCommands } from './commands/build.js';
import { networkCommands } from './commands/network.js';
import { allocationCommands } from './commands/allocation.js';
import { interferenceCommands } from './commands/interference.js';
import { policyCommands } from './commands/policy.js';

const RUN_LIKE = new Set(['run', 'create', 'start']);

export async function main(argv: string[]): Promise<void> {
  const program = new Command('bulkhead')
    .description('Bulkhead: a container engine that allocates cores and memory and shows interference')
    .option('-H, --host <socket>', 'daemon socket (env BULKHEAD_HOST)')
    .option('--root <dir>', 'engine data root (env BULKHEAD_ROOT)')
    .enablePositionalOptions()
    .exitOverride();
  const cli = new CliContext(program);
  daemonCommands(program, cli);
  runCommands(program, cli);
  containerCommands(program, cli);
  ioCommands(program, cli);
  filesystemCommands(program, cli);
  imageCommands(program, cli);
  volumeCommands(program, cli);
  systemCommands(program, cli);
  resourceCommands(program, cli);
  registryCommands(program, cli);
  buildCommands(program, cli);
  networkCommands(program, cli);
  allocationCommands(program, cli);
  interferenceCommands(program, cli);
  policyCommands(program, cli);
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed its own message; help and version are not failures.
      process.exitCode = err.exitCode === 0 ? 0 : RUN_LIKE.has(argv[2] ?? '') ? 125 : 1;
      return;
    }
    process.stderr.write(`${errorLine(err)}\n`);
    process.exitCode = exitCodeForError(err, RUN_LIKE.has(argv[2] ?? ''));
  }
}
