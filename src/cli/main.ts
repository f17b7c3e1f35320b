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

type Registrar = (program: Command, cli: CliContext) => void;

/** Each module adds its top-level commands; in this order, which is the order `--help` lists them in. */
const REGISTRARS: readonly Registrar[] = [daemonCommands, runCommands, containerCommands, ioCommands, filesystemCommands,
  imageCommands, volumeCommands, systemCommands, resourceCommands, registryCommands, buildCommands, networkCommands,
  allocationCommands, interferenceCommands, policyCommands];

/** Options of the program itself that take a value (the only ones that may come before the command's name). */
const GLOBAL_VALUE_OPTIONS = new Set(['-H', '--host', '--root']);

/**
 * The name of the command a command line calls: its first operand after the program's own options. Undefined when
 * something else comes first (--help, an unknown option), for which commander must know every command.
 */
export function calledCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (GLOBAL_VALUE_OPTIONS.has(a)) { i++; continue; }
    if (/^(--host=|--root=|-H.)/.test(a)) continue;
    return a.startsWith('-') ? undefined : a;
  }
  return undefined;
}

/**
 * The program with the commands this call can reach. Building all ~80 commands and their options is ~4 ms of a
 * CLI call that lasts ~40 ms, and only one is used; so modules are registered in order until one has added the
 * command called. An unknown name, `help`, or no name at all registers everything, so commander's help, errors and
 * suggestions see every command. A module owns its top-level commands whole (subcommands included): nothing may
 * add to another module's command, or the lazily built program would miss it (test/cli/main.test.ts checks).
 */
export function buildProgram(argv: readonly string[]): Command {
  const program = new Command('bulkhead')
    .description('Bulkhead: a container engine that allocates cores and memory and shows interference')
    .option('-H, --host <socket>', 'daemon socket (env BULKHEAD_HOST)')
    .option('--root <dir>', 'engine data root (env BULKHEAD_ROOT)')
    .enablePositionalOptions()
    .exitOverride();
  const cli = new CliContext(program);
  const wanted = calledCommand(argv.slice(2));
  for (const register of REGISTRARS) {
    register(program, cli);
    if (wanted !== undefined && program.commands.some((c) => c.name() === wanted || c.aliases().includes(wanted))) break;
  }
  program.commands.forEach((c) => c.exitOverride());
  return program;
}

/**
 * A reader that went away (`bulkhead logs c | head`) ends the client as a closed pipe ends any Unix tool: quietly,
 * with the status of a death by SIGPIPE (128 + 13), which node, ignoring that signal, cannot die of itself.
 */
const SIGPIPE_STATUS = 141;

function exitOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(SIGPIPE_STATUS);
  });
}

export async function main(argv: string[]): Promise<void> {
  exitOnClosedPipe(process.stdout);
  const program = buildProgram(argv);
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
