// The entry point of the bundled CLI client (dist/bundle/cli/bulkhead.cjs, made by scripts/bundle-cli.mjs after
// tsc). bin/bulkhead runs it for every command except `daemon`; it is the same main() as the unbundled path, only
// loaded from one pre-linked file, so the ~40 modules of the client need no resolution or separate compilation.
import { main } from '../main.js';

/**
 * When bin/bulkhead runs as a shell script it starts node without NODE_EXTRA_CA_CERTS, because Node 20 parses that
 * certificate file eagerly at startup (~28 ms of CPU on our VM) and this client never speaks TLS: it only talks to
 * the daemon over a unix socket. The launcher parks the value in this variable; putting it back before anything
 * runs means every process we start (an auto-started daemon, stty) gets the caller's environment unchanged.
 */
const SAVED_CA_CERTS = 'BULKHEAD_LAUNCHER_NODE_EXTRA_CA_CERTS';

function restoreEnvironment(env: NodeJS.ProcessEnv): void {
  const saved = env[SAVED_CA_CERTS];
  if (saved === undefined) return;
  env.NODE_EXTRA_CA_CERTS = saved;
  delete env[SAVED_CA_CERTS];
}

restoreEnvironment(process.env);
// No top-level await: the bundle is CommonJS (it loads faster than an ES module on Node 20). main() reports its own
// errors and sets process.exitCode; anything that escapes it is a bug and may crash loudly.
void main(process.argv);
