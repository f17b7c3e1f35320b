// `bulkhead daemon` (run the engine in the foreground) and `bulkhead daemon stop`.
import type { Command } from 'commander';
import { writeFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { socketAnswers } from '../../sys/unix-socket.js';
import { parseSize } from '../../core/index.js';
import { Client } from '../client.js';
import { resolveSettings } from '../settings.js';
import type { CliContext } from '../context.js';

export function daemonCommands(program: Command, cli: CliContext): void {
  const daemon = program.command('daemon').description('run the Bulkhead engine in the foreground')
    .option('--runtime <name>', 'OCI runtime (runc, crun); also "runtime" in the config file')
    .option('--config <file>', 'daemon config file (default /etc/bulkhead/daemon.json when it exists)')
    .option('--init-path <path>', 'the init binary --init runs (default /usr/bin/tini-static); also "initPath" in the config file')
    .action(async (opts: { runtime?: string; config?: string; initPath?: string }) => {
      // Loaded here, not at the top: every other command is a thin client and must start fast.
      const { Engine, loadDaemonConfig } = await import('../../engine/index.js');
      const { createApiServer, listenUnix } = await import('../../api/index.js');
      const file = await loadDaemonConfig(opts.config);
      const globals = program.opts<{ host?: string; root?: string }>();
      // Flags, then environment (inside resolveSettings), then the file, then defaults.
      const settings = resolveSettings({
        host: globals.host ?? (process.env.BULKHEAD_HOST ? undefined : file.host),
        root: globals.root ?? (process.env.BULKHEAD_ROOT ? undefined : file.root),
        runtime: opts.runtime ?? (process.env.BULKHEAD_RUNTIME ? undefined : file.runtime),
      });
      const log = (m: string) => process.stderr.write(`${new Date().toISOString()} ${m}\n`);
      // A policy that does not load stops the daemon here: it never serves without the policy it was given.
      const { loadEnginePolicy } = await import('../../engine/index.js');
      const policy = file.policy === undefined ? undefined : await loadEnginePolicy(file.policy);
      const engine = await Engine.open({ policy, root: settings.root, runRoot: settings.runRoot, runtime: settings.runtime,
        cgroupParent: file.cgroupParent, notice: log, logOpts: file.logOpts, userns: file.userns, subuidFile: file.subuidFile, subgidFile: file.subgidFile,
        initPath: opts.initPath ? resolve(opts.initPath) : file.initPath,
        registries: file.registries, addressPools: file.defaultAddressPools?.split(','), defaultBridge: file.defaultBridge,
        allocation: { reservedCpus: file.reservedCpus, memoryReserve: file.memoryReserve === undefined ? undefined : parseSize(file.memoryReserve, 'memoryReserve'),
          fullPhysicalCores: file.fullPhysicalCores, memoryLimitsAreGuarantees: file.memoryLimitsAreGuarantees },
        quotas: file.quotas && { ...file.quotas, maxGuaranteedMemory: file.quotas.maxGuaranteedMemory === undefined ? undefined
          : parseSize(file.quotas.maxGuaranteedMemory, 'quotas.maxGuaranteedMemory') } });
      const r = engine.reconciled;
      log(`state reconciled: ${r.adopted.length} running adopted, ${r.exited.length} exited while down, ` +
        `${r.rolledBack.length} half-started rolled back, ${r.orphansRemoved.length} orphans removed`);
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        log('stopping (containers keep running under conmon)');
        server.close();
        server.closeAllConnections();
        void engine.close().finally(() => rm(pidFile, { force: true })).finally(() => process.exit(0));
      };
      const server = createApiServer(engine, shutdown);
      await listenUnix(server, settings.socketPath);
      const pidFile = join(settings.runRoot, 'daemon.pid');
      await writeFile(pidFile, `${process.pid}\n`);
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
      if (policy) log(`security policy ${policy.source}${policy.profile ? ` (profile ${policy.profile})` : ''} applies to every new container`);
      log(`bulkhead daemon ${process.pid} serving on ${settings.socketPath} (root ${settings.root}, runtime ${engine.runtime.name})`);
      await new Promise(() => undefined);
    });

  daemon.command('status').description('say whether a daemon answers (exit 1 if not); never starts one')
    .action(async () => {
      const settings = cli.settings();
      const up = await socketAnswers(settings.socketPath);
      process.stdout.write(`${up ? 'running' : 'not running'} on ${settings.socketPath}\n`);
      if (!up) process.exitCode = 1;
    });

  daemon.command('stop').description('stop the running daemon (containers keep running)').action(async () => {
    const settings = cli.settings();
    if (!(await socketAnswers(settings.socketPath))) {
      process.stderr.write(`bulkhead: no daemon is running on ${settings.socketPath}\n`);
      return;
    }
    const { pid } = await new Client({ socketPath: settings.socketPath }).call<{ pid: number }>('POST', '/bulkhead/daemon/stop');
    const running = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    for (let i = 0; i < 400 && running(); i++) await new Promise((r) => setTimeout(r, 25));
    if (running()) throw new Error(`the daemon (pid ${pid}) did not stop within 10 s`);
    process.stdout.write('daemon stopped\n');
  });
}
