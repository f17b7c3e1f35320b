// Turns a CreateRequest into an immutable ContainerConfig: merges the image's defaults with the user's flags
// and refuses what cannot work, with an error that names the offending input.
import { hostname as hostName } from 'node:os';
import { isAbsolute } from 'node:path';
import { InvalidArgumentError, generateName, newId, validateName, type ContainerConfig, type ImageRecord,
  type MountSpec } from '../core/index.js';
import { validateNetworkRequest } from './networks/validate.js';
import type { CreateRequest } from './types.js';
import { validateResources } from './validate-resources.js';
import { validateSecurity } from './validate-security.js';
import { checkRestartConflicts, validateRestartPolicy } from './restart/index.js';
import { resolveHealthcheck } from './health/index.js';
import { expiryDeadline } from './sprawl/expiry.js';
import { INIT_IN_CONTAINER, checkAnnotations } from '../specgen/index.js';
import { DEFAULT_CGROUP_PARENT, normalizeCgroupParent } from '../sys/cgroup-paths.js';
import { validateLogOptions } from './logs/index.js';

const SIGNAL_RE = /^(SIG)?[A-Z0-9]+$|^\d+$/;

/** What the daemon was started with that a request is checked against. */
export interface DaemonDefaults {
  runtime: string;
  cgroupParent?: string;   // the daemon's parent of container cgroups (default /bulkhead)
}

export function buildContainerConfig(req: CreateRequest, image: ImageRecord, daemon: DaemonDefaults): { name: string; config: ContainerConfig } {
  const defaultRuntime = daemon.runtime;
  const name = req.name ? validateName(req.name) : generateName();
  const id = newId();
  const ic = image.config.config ?? {};
  const entrypoint = req.entrypoint ?? ic.Entrypoint ?? [];
  // As in docker: a new entrypoint discards the image's cmd unless the user gives one.
  const cmd = req.cmd && req.cmd.length > 0 ? req.cmd : req.entrypoint ? [] : ic.Cmd ?? [];
  if (entrypoint.length + cmd.length === 0) {
    throw new InvalidArgumentError('no command specified: the image has no CMD or ENTRYPOINT and none was given');
  }
  const net = validateNetworkRequest(req);
  const network = net.network;
  const stopSignal = req.stopSignal ?? ic.StopSignal ?? 'SIGTERM';
  if (!SIGNAL_RE.test(stopSignal)) throw new InvalidArgumentError(`invalid stop signal "${stopSignal}"`);
  const stopTimeout = req.stopTimeout ?? 10;
  if (!Number.isInteger(stopTimeout) || stopTimeout < 0) throw new InvalidArgumentError(`invalid stop timeout ${stopTimeout}: must be a whole number of seconds`);
  if (req.tty && req.autoRemove === undefined) { /* nothing: tty and --rm combine freely */ }
  if (req.runtime && req.runtime !== defaultRuntime) {
    throw new InvalidArgumentError(`runtime "${req.runtime}" is not this engine's runtime (${defaultRuntime}): start the daemon with --runtime ${req.runtime}`);
  }
  if (network === 'host' && req.hostname) {
    throw new InvalidArgumentError('conflicting options: --hostname cannot be used with --network host (the container uses the host\'s name)');
  }
  const hostname = req.hostname ?? (network === 'host' ? hostName() : id.slice(0, 12));
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(hostname)) throw new InvalidArgumentError(`invalid hostname "${hostname}"`);
  const config: ContainerConfig = {
    id,
    created: new Date().toISOString(),
    image: req.image,
    imageId: image.id,
    entrypoint,
    cmd,
    env: mergeEnv(ic.Env ?? [], req.env ?? []),
    workingDir: req.workingDir || ic.WorkingDir || '/',
    user: req.user ?? ic.User ?? '',
    hostname,
    tty: req.tty ?? false,
    openStdin: req.openStdin ?? false,
    labels: { ...(ic.Labels ?? {}), ...(req.labels ?? {}) },
    mounts: validateMounts(req.mounts ?? [], req.init ?? false),
    readOnlyRootfs: req.readOnlyRootfs ?? false,
    ...net,
    exposedPorts: Object.keys(ic.ExposedPorts ?? {}),
    autoRemove: req.autoRemove ?? false,
    stopSignal,
    stopTimeout,
    runtime: req.runtime ?? defaultRuntime,
    ...cgroupParent(req, daemon.cgroupParent),
    resources: validateResources(req.resources),
    security: validateSecurity(req.security, { network }),
    ...(req.consoleSize ? { consoleSize: req.consoleSize } : {}),
    ...recovery(req, ic.Healthcheck),
    ...(req.init ? { init: true } : {}),
    ...(req.annotations && Object.keys(req.annotations).length ? { annotations: checkAnnotations(req.annotations) } : {}),
  };
  const logOptions = validateLogOptions(req.logOptions);
  if (logOptions) config.logOptions = logOptions;
  if (!isAbsolute(config.workingDir)) throw new InvalidArgumentError(`working directory "${config.workingDir}" must be an absolute path`);
  if (req.expire !== undefined) config.expiresAt = expiryDeadline(req.expire, config.created);
  return { name, config };
}

/**
 * The container's own cgroup parent, when one was asked. Real-time CPU time is refused under a parent other than
 * the daemon's: the engine hands real-time time to its own parent only (engine/allocation/realtime.ts), and the
 * kernel gives a child none its ancestors do not have.
 */
function cgroupParent(req: CreateRequest, daemonParent = DEFAULT_CGROUP_PARENT): Pick<ContainerConfig, 'cgroupParent'> {
  if (req.cgroupParent === undefined || req.cgroupParent === '') return {};
  const parent = normalizeCgroupParent(req.cgroupParent);
  if (parent !== daemonParent && (req.resources?.cpuRtRuntime || req.resources?.cpuRtPeriod)) {
    throw new InvalidArgumentError(`conflicting options: --cpu-rt-runtime and --cpu-rt-period need the engine's cgroup parent (${daemonParent}), not --cgroup-parent ${parent}`);
  }
  return { cgroupParent: parent };
}

/** The restart policy and the health check (each absent when there is none). */
function recovery(req: CreateRequest, imageHealthcheck: Record<string, unknown> | undefined): Pick<ContainerConfig, 'restartPolicy' | 'healthcheck'> {
  const restartPolicy = validateRestartPolicy(req.restartPolicy);
  const healthcheck = resolveHealthcheck(req.healthcheck, imageHealthcheck);
  checkRestartConflicts(restartPolicy, { autoRemove: req.autoRemove ?? false, healthOnFailure: healthcheck?.onFailure });
  return { ...(restartPolicy ? { restartPolicy } : {}), ...(healthcheck ? { healthcheck } : {}) };
}

/** Image env first, then the user's; a later KEY replaces an earlier one. A bare KEY is dropped (it was unset). */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const map = new Map<string, string>();
  for (const entry of [...base, ...overrides]) {
    const eq = entry.indexOf('=');
    const key = eq === -1 ? entry : entry.slice(0, eq);
    if (!key || /\s/.test(key)) throw new InvalidArgumentError(`invalid environment variable "${entry}"`);
    if (eq === -1) map.delete(key);
    else map.set(key, entry);
  }
  return [...map.values()];
}

function validateMounts(mounts: MountSpec[], init: boolean): MountSpec[] {
  const targets = new Set<string>();
  for (const m of mounts) {
    if (!isAbsolute(m.target)) throw new InvalidArgumentError(`invalid mount target "${m.target}": must be an absolute path`);
    if (m.target === '/') throw new InvalidArgumentError('invalid mount target "/": the root filesystem cannot be replaced');
    if (init && m.target === INIT_IN_CONTAINER) throw new InvalidArgumentError(`invalid mount target "${m.target}": --init puts the init there`);
    if (targets.has(m.target)) throw new InvalidArgumentError(`duplicate mount point: ${m.target}`);
    targets.add(m.target);
    if (m.type === 'bind' && !isAbsolute(m.source)) {
      throw new InvalidArgumentError(`invalid bind mount source "${m.source}": must be an absolute host path`);
    }
    if (m.type === 'volume' && m.source) validateName(m.source, 'volume');
  }
  return mounts;
}
