// Composes the complete config.json for one container from its ContainerConfig and the paths the engine has
// prepared (mounted rootfs, container directory with the /etc files, volume directories).
import { EngineError, type ContainerConfig } from '../core/index.js';
import { MASKED_PATHS, MASKED_PER_CPU_SUFFIX, NETNS_SYSCTLS, READONLY_PATHS } from '../security/index.js';
import { perCpuPaths } from './host-limits.js';
import { defaultMounts, etcFileMounts, mergeMounts, userMounts } from './mounts.js';
import { OCI_VERSION, type OciProcess, type OciSpec } from './oci-types.js';
import { buildProcess } from './process.js';
import { applyProcessResources, applyResources, buildResources } from './resources.js';
import { applySecurity } from './security.js';
import { applyAnnotations } from './annotations.js';
import { applyInit } from './init.js';
import { joinEngineNetns } from './userns.js';

export interface SpecInputs {
  config: ContainerConfig;
  rootfs: string;                         // the mounted merged dir
  etcFilesDir: string;                    // holds hosts, hostname, resolv.conf (writeEtcFiles): the run dir
  volumePaths: Record<string, string>;    // volume name → host dir
  cgroupsPath?: string;                   // default: the runtime's (/<id> on cgroup v1)
  netnsPath?: string;                     // a network namespace the engine made and connected (bridge, networks)
  initPath?: string;                      // the init binary on the host; required when config.init
}

export async function generateSpec(inputs: SpecInputs): Promise<OciSpec> {
  const { config, rootfs } = inputs;
  const hostNetwork = config.network === 'host';
  // User mounts first: their errors (missing bind source) are the likeliest user mistake.
  const user = userMounts(config.mounts, inputs.volumePaths);
  const process = await buildProcess({
    args: [...config.entrypoint, ...config.cmd],
    env: config.env,
    user: config.user,
    cwd: config.workingDir,
    tty: config.tty,
    hostname: config.hostname,
    rootfs,
    consoleSize: config.consoleSize,
    security: config.security,
  });
  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process,
    root: { path: rootfs, readonly: config.readOnlyRootfs },
    hostname: config.hostname,
    mounts: mergeMounts([...defaultMounts(), ...etcFileMounts(inputs.etcFilesDir, false)], user),
    linux: {
      namespaces: [],
      resources: buildResources(config.resources),
      maskedPaths: [...MASKED_PATHS, ...perCpuPaths(MASKED_PER_CPU_SUFFIX)],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
  if (!hostNetwork) spec.linux.sysctl = { ...NETNS_SYSCTLS };
  if (inputs.cgroupsPath) spec.linux.cgroupsPath = inputs.cgroupsPath;
  applySecurity(spec, config);
  if (inputs.netnsPath) joinEngineNetns(spec, inputs.netnsPath);
  applyResources(spec, config);
  if (config.init) {
    if (!inputs.initPath) throw new EngineError('Internal', 'the container runs with --init but no init binary was given');
    applyInit(spec, inputs.initPath, config.security.pid === 'host');
  }
  applyAnnotations(spec, config.annotations);
  return spec;
}

export interface ExecProcessOptions {
  cmd: string[];
  env: string[];
  user?: string;
  workingDir?: string;
  tty: boolean;
  consoleSize?: { height: number; width: number };
}

/** The process object for `exec` in a running container: the container's env and user unless overridden. */
export function execProcessSpec(config: ContainerConfig, opts: ExecProcessOptions, rootfs: string): Promise<OciProcess> {
  return buildProcess({
    args: opts.cmd,
    env: [...config.env, ...opts.env],
    user: opts.user || config.user,
    cwd: opts.workingDir || config.workingDir,
    tty: opts.tty,
    hostname: config.hostname,
    rootfs,
    consoleSize: opts.consoleSize,
    security: config.security,
  }).then((process) => {
    // An exec'd process lives under the same limits as the container's own (--ulimit, --oom-score-adj).
    applyProcessResources(process, config);
    return process;
  });
}
