// network connect/disconnect, the NetworkSettings view of a container (inspect, port), the start-up
// reconciliation that finishes what a crash interrupted, and what a stopping daemon lets finish.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, NotFoundError, type ContainerRecord } from '../../core/index.js';
import { linkExists, removeNetns, sweepNatLeftovers, sweepSharedChains } from '../../network/index.js';
import type { EngineContext } from '../context.js';
import { connectRunning, disconnectRunning, teardownContainerNetwork } from './attach.js';
import { syncDns } from './dns.js';
import { releaseNetworkHost, resolveNetwork } from './records.js';
import { NetworkRuntime } from './runtime.js';
import { netnsFileOwner, ownNetnsFiles } from './sandbox-file.js';
import { validateNetworkRequest } from './validate.js';

const running = (rec: ContainerRecord) => rec.state.status === 'running' || rec.state.status === 'paused';

export async function connectContainer(ctx: EngineContext, netRef: string, containerRef: string,
  opts: { aliases?: string[]; ip?: string } = {}): Promise<void> {
  const id = ctx.state.lookupContainer(containerRef).config.id;
  await ctx.locks.run(id, async () => {
    const rec = ctx.state.lookupContainer(id);
    const net = await resolveNetwork(ctx, netRef);
    if (rec.config.network === 'none' || rec.config.network === 'host') {
      throw new ConflictError(`container "${rec.name}" runs with --network ${rec.config.network} and cannot join a network`);
    }
    if (rec.config.networks.some((n) => n.name === net.name)) {
      throw new ConflictError(`container "${rec.name}" is already connected to network "${net.name}"`);
    }
    const [want] = validateNetworkRequest({ image: '', networks: [{ name: net.name, aliases: opts.aliases, ip: opts.ip }] }).networks;
    if (running(rec)) await connectRunning(ctx, rec, net, want!);
    ctx.state.saveConfig(id, { ...rec.config, networks: [...rec.config.networks, want!] });
  });
}

export async function disconnectContainer(ctx: EngineContext, netRef: string, containerRef: string): Promise<void> {
  const id = ctx.state.lookupContainer(containerRef).config.id;
  await ctx.locks.run(id, async () => {
    const rec = ctx.state.lookupContainer(id);
    const net = await resolveNetwork(ctx, netRef);
    if (!rec.config.networks.some((n) => n.name === net.name)) {
      throw new NotFoundError(`container "${rec.name}" is not connected to network "${net.name}"`);
    }
    if (running(rec)) await disconnectRunning(ctx, rec, net);
    ctx.state.saveConfig(id, { ...rec.config, networks: rec.config.networks.filter((n) => n.name !== net.name) });
  });
}

/** Docker's NetworkSettings: the first network's address at the top, every network under Networks. */
export function containerNetworkSettings(ctx: EngineContext, rec: ContainerRecord) {
  const attachments = ctx.state.listAttachments(rec.config.id).filter((a) => a.status === 'attached');
  const networks: Record<string, object> = {};
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const spec of rec.config.exposedPorts ?? []) ports[spec.includes('/') ? spec : `${spec}/tcp`] = null;
  for (const p of rec.config.ports) ports[`${p.containerPort}/${p.protocol}`] ??= null;
  let first: { ip: string; gateway: string; mac: string; prefixLen: number } | undefined;
  for (const a of attachments) {
    const net = ctx.state.getNetwork(a.networkId);
    if (!net) continue;
    networks[net.name] = { NetworkID: net.id, IPAddress: a.ip, IPPrefixLen: a.prefixLen, Gateway: net.internal ? '' : net.gateway,
      MacAddress: a.mac, Aliases: a.aliases, Interface: a.ifname };
    first ??= { ip: a.ip, gateway: net.internal ? '' : net.gateway, mac: a.mac, prefixLen: a.prefixLen };
    for (const p of a.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      (ports[key] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
    }
  }
  return {
    IPAddress: first?.ip ?? '', IPPrefixLen: first?.prefixLen ?? 0, Gateway: first?.gateway ?? '', MacAddress: first?.mac ?? '',
    Ports: ports, Networks: networks,
    // A running container keeps its namespace when disconnected from every network, as with docker.
    SandboxKey: attachments[0]?.netns ?? (running(rec) ? ownNetnsFiles(ctx, rec.config.id)[0] ?? '' : ''),
  };
}

/**
 * After a daemon start: attachments of containers that are not running are torn down (their exit was missed),
 * running ones get their published ports taken again and their DNS records served; namespaces nobody owns are
 * unmounted; networks with no attachment left lose what the host still holds for them.
 */
export async function reconcileNetworks(ctx: EngineContext): Promise<void> {
  const notice = (m: string) => ctx.opts.notice?.(m);
  const byContainer = new Map<string, ReturnType<typeof ctx.state.listAttachments>>();
  for (const a of ctx.state.listAttachments()) byContainer.set(a.containerId, [...(byContainer.get(a.containerId) ?? []), a]);
  const tornDown: string[] = [];
  for (const [id, list] of byContainer) {
    const rec = ctx.state.getContainer(id);
    if (!rec || !running(rec) || list.some((a) => a.status !== 'attached')) {
      await teardownContainerNetwork(ctx, id).catch((err) => notice(`network teardown of ${id.slice(0, 12)}: ${String(err)}`));
      tornDown.push(...list.map((a) => a.cniId ?? a.containerId));
      continue;
    }
    const ports = list.flatMap((a) => a.ports);
    if (ports.length) await ctx.net.ports.take(id, ports).catch((err) => notice(`container ${rec.name}: ${err instanceof Error ? err.message : String(err)}`));
  }
  const nsDir = join(ctx.opts.runRoot, 'netns');
  // A running container's namespace may carry another name (taken from the pool): its attachment says which;
  // one of `<id>-<random>` is the container's own.
  const owned = new Set(ctx.state.listAttachments().map((a) => a.netns));
  for (const name of await readdir(nsDir).catch(() => [] as string[])) {
    const id = netnsFileOwner(name);
    const rec = ctx.state.getContainer(id);
    if ((rec && running(rec)) || owned.has(join(nsDir, name))) continue;
    await teardownContainerNetwork(ctx, id).catch(() => undefined);
    await removeNetns(join(nsDir, name)).catch(() => undefined);
  }
  // A DEL cut short by the crash and repeated now may have left the bridge plugin's masquerade chain behind.
  const stillAttached = new Set(ctx.state.listAttachments().map((a) => a.cniId ?? a.containerId));
  await sweepNatLeftovers(tornDown.filter((id) => !stillAttached.has(id)));
  const live = new Set(ctx.state.listAttachments().map((a) => a.networkId));
  let released = false;
  for (const net of ctx.state.listNetworks()) {
    if (live.has(net.id)) { await syncDns(ctx, net); continue; }
    if (await linkExists(net.bridge)) { await releaseNetworkHost(ctx, net); released = true; }
  }
  if (released) await sweepSharedChains();
}

/**
 * Daemon stop: the ADDs and DELs under way (an exit's teardown, the drain of an idle network's recycled
 * namespaces) finish, then the releases still due run. The process exits right after; a DEL cut between the
 * firewall and the bridge plugin would leave the bridge plugin's nat chain on the host until this root's next
 * start, and for good if it never starts again.
 */
export async function closeNetworks(ctx: EngineContext): Promise<void> {
  await ctx.locks.settle(NetworkRuntime.LOCK_PREFIX);
  await ctx.net.close();
}
