// A conflist run as libcni runs one: ADD goes through the plugins in order, each receiving the previous one's
// result as prevResult, and the last result is the attachment's; DEL goes through them in reverse, each given
// the cached result, and keeps going past failures (a half-made attachment must still be torn down as far as
// possible) before reporting the first error.
import { CNI_VERSION, invokePlugin, type PluginCall } from './invoke.js';

export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface ConfList {
  name: string;
  plugins: PluginConf[];
}

/** Values for the plugins' declared capabilities (portMappings, bandwidth, ips), as libcni's RuntimeConf. */
export type RuntimeConfig = Record<string, unknown>;

function pluginConfig(list: ConfList, plugin: PluginConf, runtime: RuntimeConfig, prevResult: unknown): object {
  const { capabilities, ...conf } = plugin;
  const rc: RuntimeConfig = {};
  for (const [cap, on] of Object.entries(capabilities ?? {})) if (on && runtime[cap] !== undefined) rc[cap] = runtime[cap];
  return { ...conf, cniVersion: CNI_VERSION, name: list.name, ...(Object.keys(rc).length ? { runtimeConfig: rc } : {}),
    ...(prevResult !== undefined ? { prevResult } : {}) };
}

export async function addChain(list: ConfList, call: Omit<PluginCall, 'command'>, runtime: RuntimeConfig): Promise<unknown> {
  let result: unknown;
  for (const plugin of list.plugins) {
    result = await invokePlugin(plugin.type, pluginConfig(list, plugin, runtime, result), { ...call, command: 'ADD' }) ?? result;
  }
  return result;
}

export async function delChain(list: ConfList, call: Omit<PluginCall, 'command'>, runtime: RuntimeConfig, cached: unknown): Promise<void> {
  let first: unknown;
  for (const plugin of [...list.plugins].reverse()) {
    try {
      await invokePlugin(plugin.type, pluginConfig(list, plugin, runtime, cached), { ...call, command: 'DEL' });
    } catch (err) {
      first ??= err;
    }
  }
  if (first) throw first;
}
