// Runs one CNI plugin binary the way the CNI spec says: the command and the container's coordinates in CNI_*
// environment variables, the plugin's network config on stdin, a result (ADD) or nothing (DEL) on stdout, and
// on failure a JSON error {code, msg, details} on stdout, which becomes the engine error's message.
import { EngineError, InvalidArgumentError, NotFoundError } from '../../core/index.js';
import { runCommand } from '../../sys/run-command.js';

export const CNI_PLUGIN_DIR = '/usr/lib/cni';
export const CNI_VERSION = '1.0.0';

/**
 * Host-wide lock over the plugins' shared iptables chains: plugins that create or fill them (firewall, portmap)
 * run holding it shared, and the sweep that deletes the chains once empty (host.ts) holds it exclusively, so an
 * engine never deletes a chain another engine's plugin is about to use.
 */
export const SHARED_CHAINS_LOCK = '/run/lock/bulkhead-cni-chains.lock';
const USES_SHARED_CHAINS = new Set(['firewall', 'portmap']);

export interface PluginCall {
  command: 'ADD' | 'DEL';
  containerId: string;
  netns: string;
  ifname: string;
  pluginDir?: string;
}

/** A CNI error code that means the user asked for something impossible (CNI spec: 7 invalid config, 11 try later). */
const USER_ERROR_CODES = new Set([4, 7]);

export async function invokePlugin(type: string, config: object, call: PluginCall): Promise<unknown> {
  const dir = call.pluginDir ?? CNI_PLUGIN_DIR;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: call.command, CNI_CONTAINERID: call.containerId, CNI_NETNS: call.netns, CNI_IFNAME: call.ifname, CNI_PATH: dir,
  };
  let r;
  try {
    const [file, args] = USES_SHARED_CHAINS.has(type) ? ['flock', ['-s', SHARED_CHAINS_LOCK, `${dir}/${type}`]] : [`${dir}/${type}`, []];
    r = await runCommand(file, args as string[], { env, input: JSON.stringify(config), allowFailure: true, timeoutMs: 60_000 });
  } catch (err) {
    throw new NotFoundError(`CNI plugin "${type}" is not installed in ${dir} (Debian package containernetworking-plugins)`, { cause: err });
  }
  if (r.code !== 0) {
    let msg = r.stderr.trim() || `exit status ${r.code}`;
    let code = 0;
    try {
      const e = JSON.parse(r.stdout) as { code?: number; msg?: string; details?: string };
      code = e.code ?? 0;
      msg = [e.msg, e.details].filter(Boolean).join(': ') || msg;
    } catch { /* not JSON: stderr is the best we have */ }
    const text = `CNI ${type} ${call.command}: ${msg}`;
    throw USER_ERROR_CODES.has(code) ? new InvalidArgumentError(text) : new EngineError('Internal', text);
  }
  if (call.command === 'DEL' || !r.stdout.trim()) return undefined;
  try {
    return JSON.parse(r.stdout) as unknown;
  } catch {
    throw new EngineError('Internal', `CNI ${type} ${call.command}: the plugin printed a result that is not JSON`);
  }
}
