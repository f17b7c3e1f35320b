// Keeps each user-defined network's DNS responder in step with its attached containers: served on the bridge
// gateway while the network has an attached container, with the container name, its aliases and its 12-char
// short id for each; stopped with the last one. The default network has none (docker's default bridge has no
// name resolution either).
import { shortId } from '../../core/index.js';
import { contains, parseCidr, type NetworkRecord } from '../../network/index.js';
import { isIPv4 } from 'node:net';
import type { EngineContext } from '../context.js';

export async function syncDns(ctx: EngineContext, net: NetworkRecord): Promise<void> {
  const dns = ctx.net.dns;
  if (!dns || net.isDefault) return;
  const records = new Map<string, string[]>();
  const add = (name: string, ip: string) => {
    const key = name.toLowerCase();
    records.set(key, [...new Set([...(records.get(key) ?? []), ip])]);
  };
  for (const a of ctx.state.listAttachments()) {
    if (a.networkId !== net.id || a.status !== 'attached' || !a.ip) continue;
    const c = ctx.state.getContainer(a.containerId);
    if (!c) continue;
    add(c.name, a.ip);
    for (const alias of a.aliases) add(alias, a.ip);
    add(shortId(c.config.id), a.ip);
  }
  try {
    if (records.size === 0) {
      await dns.unserve(net.id);
      return;
    }
    // Only the network's own containers are answered: another network's container can reach this address too.
    const subnet = parseCidr(net.subnet);
    await dns.serve(net.id, net.gateway, 53, (ip) => isIPv4(ip) && contains(subnet, ip));
    dns.setRecords(net.id, records);
  } catch (err) {
    ctx.opts.notice?.(`network ${net.name}: DNS responder: ${err instanceof Error ? err.message : String(err)}`);
  }
}
