// `run`, `create` and `start`: the commands that bring a container to life.
import { Command } from 'commander';
import { InvalidArgumentError, isNotFound, parseDuration } from '../../core/index.js';
import { pullImage } from './registry.js';
import { addResourceFlags, resourcesFromFlags, type ResourceFlags } from '../flags/resources.js';
import { addSecurityFlags, securityFromFlags, type SecurityFlags } from '../flags/security.js';
import { addNetworkFlags, networkFromFlags, type NetworkFlags } from '../flags/network.js';
import type { CreateRequest } from '../../engine/index.js';
import type { CliContext } from '../context.js';
import type { Client } from '../client.js';
import { collect, parseAnnotations, parseEnv, parseEnvFile, parseLabels, parseLogOpts, parseMount, parseTmpfs, parseVolume } from '../parse.js';
import { terminalSize } from '../stdio.js';
import { followRun, startAttached } from './run-io.js';

interface CreateFlags extends ResourceFlags, SecurityFlags, NetworkFlags {
  name?: string; env: string[]; envFile: string[]; workdir?: string; user?: string; entrypoint?: string;
  hostname?: string; volume: string[]; mount: string[]; tmpfs: string[]; volumesFrom?: string[]; readOnly?: boolean; label: string[];
  rm?: boolean; interactive?: boolean; tty?: boolean; detach?: boolean; stopSignal?: string;
  stopTimeout?: string; runtime?: string; cgroupParent?: string; pull?: string; expire?: string;
  restart?: string; healthCmd?: string; healthInterval?: string; healthTimeout?: string; healthRetries?: string;
  healthStartPeriod?: string; healthStartInterval?: string; healthcheck?: boolean; healthOnFailure?: string;
  init?: boolean; annotation: string[];
  logOpt?: string[];
}

function addCreateFlags(cmd: Command): Command {
  return addNetworkFlags(addSecurityFlags(addResourceFlags(cmd)))
    .option('--name <name>', 'name the container')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable', collect, [])
    .option('--env-file <file>', 'read environment variables from a file', collect, [])
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-u, --user <user[:group]>', 'user to run as')
    .option('--entrypoint <cmd>', 'override the image entrypoint ("" clears it)')
    .option('-h, --hostname <name>', 'container host name')
    .option('-v, --volume <spec>', 'bind mount or volume: SRC:DST[:ro], NAME:DST, or DST', collect, [])
    .option('--mount <spec>', 'type=bind|volume|tmpfs,source=…,target=…[,readonly]', collect, [])
    .option('--tmpfs <dst[:opts]>', 'mount a tmpfs', collect, [])
    .option('--volumes-from <container[:ro|rw]>', "mount another container's volumes and binds at the same paths", collect, [])
    .option('--read-only', 'mount the root filesystem read-only')
    .option('-l, --label <KEY=VALUE>', 'set a label', collect, [])
    .option('--annotation <KEY=VALUE>', 'add an annotation to the OCI spec (config.json)', collect, [])
    .option('--init', 'run an init (tini) as PID 1 that forwards signals and reaps zombies')
    .option('--rm', 'remove the container when it exits')
    .option('--expire <duration>', 'stop and remove the container this long after its creation (10m, 24h)')
    .option('-i, --interactive', 'keep stdin open')
    .option('-t, --tty', 'allocate a pseudo-terminal')
    .option('--stop-signal <signal>', 'signal that stops the container')
    .option('--stop-timeout <seconds>', 'seconds to wait before killing on stop')
    .option('--runtime <name>', 'OCI runtime for this container')
    .option('--cgroup-parent <path>', "parent of the container's cgroup (relative to the hierarchies' root; default the daemon's, /bulkhead)")
    .option('--pull <policy>', 'pull the image: missing (default), always or never')
    .option('--restart <policy>', 'restart policy: no, on-failure[:max-retries], always, unless-stopped')
    .option('--health-cmd <command>', 'command run in the container to check its health (through /bin/sh -c)')
    .option('--health-interval <duration>', 'time between health checks (default 30s)')
    .option('--health-timeout <duration>', 'longest a health check may run (default 30s)')
    .option('--health-retries <n>', 'consecutive failures before unhealthy (default 3)')
    .option('--health-start-period <duration>', 'failures in this time after start do not count (default 0s)')
    .option('--health-start-interval <duration>', 'time between health checks during the start period (default 5s)')
    .option('--no-healthcheck', "disable the image's HEALTHCHECK")
    .option('--health-on-failure <action>', 'on becoming unhealthy: none (default), kill, restart or stop')
    .option('--log-opt <KEY=VALUE>', 'log limit: max-size=10m (per file), max-file=3 (files kept, with max-size)', collect, [])
    .passThroughOptions()
    .argument('<image>')
    .argument('[command...]');
}

export function toCreateRequest(image: string, command: string[], f: CreateFlags): CreateRequest {
  const number = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    if (!/^\d+(\.\d+)?$/.test(v)) throw new InvalidArgumentError(`invalid value "${v}" for ${flag}: expected a number`);
    return Number(v);
  };
  return {
    image, name: f.name, cmd: command.length ? command : undefined,
    entrypoint: f.entrypoint === undefined ? undefined : f.entrypoint === '' ? [] : [f.entrypoint],
    env: [...parseEnvFile(f.envFile), ...parseEnv(f.env)], workingDir: f.workdir, user: f.user, hostname: f.hostname,
    tty: f.tty ?? false, openStdin: f.interactive ?? false, labels: parseLabels(f.label),
    mounts: [...f.volume.map(parseVolume), ...f.mount.map(parseMount), ...f.tmpfs.map(parseTmpfs)],
    ...(f.volumesFrom?.length ? { volumesFrom: f.volumesFrom } : {}),
    readOnlyRootfs: f.readOnly ?? false, ...networkFromFlags(f), autoRemove: f.rm ?? false, expire: f.expire, stopSignal: f.stopSignal,
    stopTimeout: number(f.stopTimeout, '--stop-timeout'), runtime: f.runtime, cgroupParent: f.cgroupParent || undefined,
    consoleSize: f.tty ? terminalSize() : undefined,
    resources: resourcesFromFlags(f),
    security: securityFromFlags(f),
    restartPolicy: restartFromFlag(f.restart),
    healthcheck: healthFromFlags(f),
    init: f.init ? true : undefined,
    annotations: f.annotation.length ? parseAnnotations(f.annotation) : undefined,
    logOptions: parseLogOpts(f.logOpt ?? []),
  };
}

/** --restart no|always|unless-stopped|on-failure[:N]; the engine checks the name and the combination. */
export function restartFromFlag(v: string | undefined): CreateRequest['restartPolicy'] {
  if (v === undefined) return undefined;
  const [name = '', max, ...extra] = v.split(':');
  if (extra.length || (max !== undefined && !/^\d+$/.test(max))) {
    throw new InvalidArgumentError(`invalid restart policy "${v}": use no, on-failure[:max-retries], always or unless-stopped`);
  }
  return { name, ...(max !== undefined ? { maximumRetryCount: Number(max) } : {}) };
}

/** The --health-* flags, as overrides of the image's HEALTHCHECK (undefined when none is given). */
function healthFromFlags(f: CreateFlags): CreateRequest['healthcheck'] {
  const durations = { intervalMs: f.healthInterval, timeoutMs: f.healthTimeout, startPeriodMs: f.healthStartPeriod, startIntervalMs: f.healthStartInterval };
  const given = f.healthCmd !== undefined || f.healthRetries !== undefined || Object.values(durations).some((d) => d !== undefined);
  if (f.healthcheck === false) {
    if (given) throw new InvalidArgumentError('--no-healthcheck conflicts with --health-* options');
    return { test: ['NONE'], ...(f.healthOnFailure ? { onFailure: f.healthOnFailure } : {}) };
  }
  if (!given && f.healthOnFailure === undefined) return undefined;
  const hc: NonNullable<CreateRequest['healthcheck']> = {};
  if (f.healthCmd !== undefined) hc.test = ['CMD-SHELL', f.healthCmd];
  for (const [key, text] of Object.entries(durations) as Array<[keyof typeof durations, string | undefined]>) {
    if (text !== undefined) hc[key] = parseDuration(text, `--health-${key.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  }
  if (f.healthRetries !== undefined) {
    if (!/^\d+$/.test(f.healthRetries)) throw new InvalidArgumentError(`invalid value "${f.healthRetries}" for --health-retries: expected a whole number`);
    hc.retries = Number(f.healthRetries);
  }
  if (f.healthOnFailure !== undefined) hc.onFailure = f.healthOnFailure;
  return hc;
}

// --- auto-pull (registry): like docker, a create that fails with "no such image" pulls the image, then retries;
// --pull always pulls first, --pull never does not pull at all.
type PullPolicy = 'missing' | 'always' | 'never';

function pullPolicy(value: string | undefined): PullPolicy {
  const v = value ?? 'missing';
  if (v !== 'missing' && v !== 'always' && v !== 'never') throw new InvalidArgumentError(`invalid --pull "${v}": use missing, always or never`);
  return v;
}

/** Sends a request that creates a container from `image`, pulling the image first or on "no such image" as told. */
async function withImage<T>(client: Client, image: string, policy: PullPolicy, send: () => Promise<T>): Promise<T> {
  if (policy === 'always') await pullImage(client, image, {}, process.stderr);
  if (policy !== 'missing') return send();
  try {
    return await send();
  } catch (err) {
    if (!(isNotFound(err) && err instanceof Error && /no such image/.test(err.message))) throw err;
    process.stderr.write(`Unable to find image '${image}' locally\n`);
    await pullImage(client, image, {}, process.stderr);
    return send();
  }
}

function createPulling(client: Client, image: string, req: CreateRequest, policy: PullPolicy): Promise<{ id: string }> {
  return withImage(client, image, policy, () => client.call<{ id: string }>('POST', '/bulkhead/containers', { json: req }));
}
// --- end auto-pull

export function runCommands(program: Command, cli: CliContext): void {
  addCreateFlags(program.command('run').description('create and start a container')
    .option('-d, --detach', 'run in the background and print the container id'))
    .action(async (image: string, command: string[], f: CreateFlags) => {
      const client = await cli.client();
      const req = toCreateRequest(image, command, f);
      const policy = pullPolicy(f.pull);
      if (f.detach) {
        const { id } = await withImage(client, image, policy,
          () => client.call<{ id: string }>('POST', '/bulkhead/containers/run', { json: req, query: { detach: 1 } }));
        process.stdout.write(`${id}\n`);
      } else if (f.interactive) {
        // stdin needs the hijacked connection of an attach, so this run takes its four steps one by one.
        const { id } = await createPulling(client, image, req, policy);
        process.exitCode = await startAttached(client, id, { tty: f.tty ?? false, stdin: true, autoRemove: f.rm ?? false });
      } else {
        const res = await withImage(client, image, policy, () => client.stream('POST', '/bulkhead/containers/run', { json: req }));
        process.exitCode = await followRun(client, res, req.tty ?? false);
      }
    });

  addCreateFlags(program.command('create').description('create a container without starting it'))
    .action(async (image: string, command: string[], f: CreateFlags) => {
      const client = await cli.client();
      const { id } = await createPulling(client, image, toCreateRequest(image, command, f), pullPolicy(f.pull));
      process.stdout.write(`${id}\n`);
    });

  program.command('start').description('start one or more containers')
    .option('-a, --attach', 'attach to the output and return the exit code')
    .option('-i, --interactive', 'attach stdin')
    .argument('<containers...>')
    .action(async (refs: string[], f: { attach?: boolean; interactive?: boolean }) => {
      const client = await cli.client();
      if (f.attach || f.interactive) {
        if (refs.length > 1) throw new InvalidArgumentError('you cannot start and attach to more than one container at once');
        const c = await client.call<{ Id: string; Config: { tty: boolean } }>('GET', `/bulkhead/containers/${encodeURIComponent(refs[0]!)}`);
        process.exitCode = await startAttached(client, c.Id, { tty: c.Config.tty, stdin: f.interactive ?? false });
        return;
      }
      for (const ref of refs) {
        await client.call('POST', `/bulkhead/containers/${encodeURIComponent(ref)}/start`);
        process.stdout.write(`${ref}\n`);
      }
    });
}
