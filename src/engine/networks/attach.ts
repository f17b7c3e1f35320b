// Connecting a container's network namespace to its networks, and disconnecting it. Order, for crash safety:
// the attachment record is written ("adding") before the CNI ADD runs and completed with the result after it,
// so whatever a crash interrupts, the record says what to DEL; the record goes only after the DEL. All ADDs,
// DELs and host clean-up of one network run under that network's lock, so the last container leaving (which
// deletes the bridge) never races a container arriving.
import { existsSync } from 'node:fs';
import { ConflictError, InvalidArgumentError, wrap, type ContainerRecord, type NetworkAttachmentConfig,
  type PortMapping } from '../../core/index.js';
import { addChain, buildConfList, cniName, contains, createNetns, delChain, netnsHasNoSockets, netnsPath, parseCidr, pinNetns, removeNetns, resultFromLease, runtimeConfig,
  sweepNatLeftovers, sweepSharedChains, type AttachmentRecord, type NetworkRecord } from '../../network/index.js';
import type { EtcNetworkFacts } from '../../specgen/index.js';
import type { EngineContext } from '../context.js';
import { syncDns } from './dns.js';
import { releaseNetworkHost, resolveNetwork } from './records.js';
import { NetworkRuntime } from './runtime.js';
import { cniIdFor, freeName, keepNetnsFile, ownNetnsFiles, runningNetnsFile } from './sandbox-file.js';
import { canRecycle, canTakePooled, isPoolEntry, recycle, takePooled } from './sandbox-pool.js';

/** Whether the container gets an engine-made namespace (bridge or named networks) rather than none/host. */
export function usesEngineNetns(rec: ContainerRecord): boolean {
  return rec.config.networks.length > 0;
}

export interface NetworkSetup {
  netnsPath?: string;
  facts: EtcNetworkFacts;
}

/**
 * Start: namespace, published ports, one CNI ADD per network. Undone completely on failure. The namespace is
 * made here, or taken from the pool; with `joinPid` it is that created container's own (user-namespaced
 * containers, whose runtime makes it).
 */
export async function setupContainerNetwork(ctx: EngineContext, rec: ContainerRecord, joinPid?: number): Promise<NetworkSetup> {
  if (!usesEngineNetns(rec)) return { facts: {} };
  const id = rec.config.id;
  let path: string | undefined;
  try {
    const pooled = joinPid === undefined ? await fromPool(ctx, rec) : undefined;
    if (pooled) return pooled;
    const name = freeName(ctx, id);
    path = netnsPath(ctx.opts.runRoot, name);
    if (joinPid === undefined) await createNetns(path);
    else await pinNetns(path, joinPid);
    const ports = await ctx.net.ports.take(id, publishedPorts(rec));
    const facts: EtcNetworkFacts = { names: [rec.name] };
    for (const [i, want] of rec.config.networks.entries()) {
      const net = await resolveNetwork(ctx, want.name);
      const a = await addAttachment(ctx, rec, net, want, { ifname: `eth${i}`, netns: path, ports: i === 0 ? ports : [],
        ...(name !== id ? { cniId: name } : {}) });
      if (i === 0) facts.ip = a.ip;
      if (!net.isDefault && !facts.nameserver) facts.nameserver = net.gateway;
      if (!net.isDefault) facts.names!.push(...want.aliases);
    }
    return { netnsPath: path, facts };
  } catch (err) {
    await teardownContainerNetwork(ctx, id);
    // A namespace made under another name before its first attachment was recorded: teardown cannot know it.
    if (path && path !== netnsPath(ctx.opts.runRoot, id)) await removeNetns(path).catch(() => undefined);
    throw wrap(err, 'set up network');
  }
}

/** A recycled namespace of the default network, already attached, when the container can use one. */
async function fromPool(ctx: EngineContext, rec: ContainerRecord): Promise<NetworkSetup | undefined> {
  const net = await resolveNetwork(ctx, rec.config.networks[0]!.name);
  if (!canTakePooled(rec, net)) return undefined;
  const a = await ctx.locks.run(NetworkRuntime.lockKey(net.id), async () => {
    ctx.net.cancelRelease(net.id);
    return takePooled(ctx, rec.config.id, net.id);
  });
  return a && { netnsPath: a.netns, facts: { names: [rec.name], ip: a.ip } };
}

/** The mappings to publish: the user's, and with -P each EXPOSEd port on a free host port. */
function publishedPorts(rec: ContainerRecord): PortMapping[] {
  const out = [...rec.config.ports];
  if (rec.config.publishAll) {
    for (const spec of rec.config.exposedPorts ?? []) {
      const [port, proto = 'tcp'] = spec.split('/');
      const containerPort = Number(port);
      if (!Number.isInteger(containerPort) || (proto !== 'tcp' && proto !== 'udp')) continue;
      if (out.some((p) => p.containerPort === containerPort && p.protocol === proto)) continue;
      out.push({ hostIp: '', hostPort: 0, containerPort, protocol: proto });
    }
  }
  return out;
}

async function addAttachment(ctx: EngineContext, rec: ContainerRecord, net: NetworkRecord, want: NetworkAttachmentConfig,
  where: { ifname: string; netns: string; ports: PortMapping[]; cniId?: string }): Promise<AttachmentRecord> {
  const prefixLen = parseCidr(net.subnet).prefix;
  if (want.ip && !contains(parseCidr(net.subnet), want.ip)) {
    throw new InvalidArgumentError(`address ${want.ip} is not in network "${net.name}" (${net.subnet})`);
  }
  const a: AttachmentRecord = {
    containerId: rec.config.id, networkId: net.id, ifname: where.ifname, netns: where.netns, status: 'adding', ip: '', prefixLen,
    ...(where.cniId ? { cniId: where.cniId } : {}),
    mac: '', hostVeth: '', aliases: want.aliases, ports: where.ports, ...(want.ip ? { requestedIp: want.ip } : {}),
    ...(rec.config.networkRate ? { rateBits: rec.config.networkRate.rateBits, burstBits: rec.config.networkRate.burstBits } : {}),
  };
  await ctx.locks.run(NetworkRuntime.lockKey(net.id), async () => {
    ctx.net.cancelRelease(net.id);
    ctx.state.saveAttachment(a);
    const result = await addChain(chainOf(ctx, net, a), callOf(ctx, a), runtimeOf(a));
    Object.assign(a, readResult(result, where.ifname), { status: 'attached', result });
    ctx.state.saveAttachment(a);
  });
  await syncDns(ctx, net);
  return a;
}

function chainOf(ctx: EngineContext, net: NetworkRecord, a: AttachmentRecord) {
  return buildConfList(net, { ipamDir: ctx.net.ipamDir(), ports: a.ports.length > 0, rate: !!a.rateBits });
}

function callOf(ctx: EngineContext, a: AttachmentRecord) {
  return { containerId: a.cniId ?? a.containerId, netns: a.netns, ifname: a.ifname, pluginDir: ctx.net.pluginDir };
}

function runtimeOf(a: AttachmentRecord) {
  return runtimeConfig({ ports: a.ports, rateBits: a.rateBits, burstBits: a.burstBits, ip: a.requestedIp, prefixLen: a.prefixLen });
}

interface CniResult {
  interfaces?: Array<{ name: string; mac?: string; sandbox?: string }>;
  ips?: Array<{ address: string; interface?: number }>;
}

function readResult(result: unknown, ifname: string): Pick<AttachmentRecord, 'ip' | 'mac' | 'hostVeth'> {
  const r = (result ?? {}) as CniResult;
  const ifaces = r.interfaces ?? [];
  const inside = ifaces.findIndex((i) => i.sandbox && i.name === ifname);
  const ip = (r.ips ?? []).find((x) => x.interface === inside) ?? r.ips?.[0];
  // The host end of the veth is the interface without a sandbox that is not the bridge (listed first).
  const hostVeth = ifaces.find((i, n) => n > 0 && !i.sandbox)?.name ?? '';
  return { ip: ip?.address.split('/')[0] ?? '', mac: ifaces[inside]?.mac ?? '', hostVeth };
}

/** CNI DEL of one attachment; the network's host leftovers go when it was the network's last attachment. */
async function delAttachment(ctx: EngineContext, a: AttachmentRecord): Promise<void> {
  const net = ctx.state.getNetwork(a.networkId);
  await ctx.locks.run(NetworkRuntime.lockKey(a.networkId), async () => {
    await delAttachmentLocked(ctx, net, a);
    if (net && !inUse(ctx, net.id)) ctx.net.scheduleRelease(net.id, () => releaseIdleNetwork(ctx, net.id));
  });
  if (net) await syncDns(ctx, net);
}

/** The DEL itself and the record's removal; the caller holds the network's lock. */
async function delAttachmentLocked(ctx: EngineContext, net: NetworkRecord | undefined, a: AttachmentRecord): Promise<void> {
  if (net) {
    // An ADD cut short by a crash cached no result: the lease tells the address the DEL must clean up after.
    const cached = a.result ?? await resultFromLease(ctx.net.ipamDir(), cniName(net), a.cniId ?? a.containerId, a.ifname, a.prefixLen);
    // The bridge plugin un-masquerades the addresses it reads off the container's interface: with the namespace
    // gone, or a DEL that failed midway, the container's nat chain would stay on the host for good.
    const namespaceGone = !existsSync(a.netns);
    const deleted = await delChain(chainOf(ctx, net, a), callOf(ctx, a), runtimeOf(a), cached).then(() => true, (err) => {
      ctx.opts.notice?.(`network ${net.name}: CNI DEL for ${a.containerId.slice(0, 12)} failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    });
    if (namespaceGone || !deleted) await sweepNatLeftovers([a.cniId ?? a.containerId]);
  }
  ctx.state.removeAttachment(a.containerId, a.networkId);
}

/** Whether a container (not only the pool) is on the network. */
function inUse(ctx: EngineContext, networkId: string): boolean {
  return ctx.state.listAttachments().some((x) => x.networkId === networkId && !isPoolEntry(x));
}

/** The host leftovers of a network that still has no container (bridge, IPAM directory, unused shared chains). */
export async function releaseIdleNetwork(ctx: EngineContext, networkId: string): Promise<void> {
  await ctx.locks.run(NetworkRuntime.lockKey(networkId), async () => {
    const net = ctx.state.getNetwork(networkId);
    if (!net || inUse(ctx, networkId)) return;
    for (const a of ctx.state.listAttachments().filter((x) => x.networkId === networkId && isPoolEntry(x))) {
      await delAttachmentLocked(ctx, net, a);
      await removeNetns(a.netns);
    }
    await releaseNetworkHost(ctx, net);
    await sweepSharedChains();
  }).catch((err) => ctx.opts.notice?.(`release network ${networkId.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)}`));
}

/**
 * Exit, remove, failed start, reconcile: every attachment DELeted (last one first), ports released, namespace
 * removed. Safe to repeat, and cheap when there is nothing to do (a container that never had a network).
 */
export async function teardownContainerNetwork(ctx: EngineContext, containerId: string): Promise<void> {
  const all = ctx.state.listAttachments();
  const attachments = all.filter((a) => a.containerId === containerId);
  // A namespace taken from the pool keeps the file name it was made under; and the file named after this
  // container may by now belong to the pool or to another container (sandbox-file.ts).
  const others = new Set(all.filter((a) => a.containerId !== containerId).map((a) => a.netns));
  // Its own files take a scan of the namespace directory: not for a container that can never have one (--network
  // none or host; it cannot join a network either), whose exit and removal would otherwise each pay it. One
  // disconnected from all its networks has none in its config but may still hold its namespace.
  const rec = ctx.state.getContainer(containerId);
  const own = rec && (rec.config.network === 'none' || rec.config.network === 'host') ? [] : ownNetnsFiles(ctx, containerId);
  const paths = [...new Set([...own, ...attachments.map((a) => a.netns)])].filter((p) => !others.has(p));
  ctx.net.ports.release(containerId);
  if (attachments.length === 0 && !paths.some((p) => existsSync(p))) return;
  if (attachments.length === 1 && await recycled(ctx, containerId, attachments[0]!)) return;
  for (const a of attachments.reverse()) await delAttachment(ctx, a);
  for (const p of paths) await removeNetns(p);
}

/** Hands the namespace to the pool (see sandbox-pool.ts) instead of a DEL, when the container allows it. */
async function recycled(ctx: EngineContext, containerId: string, a: AttachmentRecord): Promise<boolean> {
  const rec = ctx.state.getContainer(containerId);
  const net = ctx.state.getNetwork(a.networkId);
  if (!rec || !net || !canRecycle(rec, net) || !existsSync(a.netns) || processAlive(rec.state.pid)) return false;
  if (!(await netnsHasNoSockets(a.netns))) return false;
  return ctx.locks.run(NetworkRuntime.lockKey(net.id), async () => {
    if (!recycle(ctx, a)) return false;
    if (!inUse(ctx, net.id)) ctx.net.scheduleRelease(net.id, () => releaseIdleNetwork(ctx, net.id));
    return true;
  });
}

/** A namespace is handed on only once nothing of its container runs in it any more. */
function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** `network connect` of a running container: one more ADD into its namespace (interface ethN). */
export async function connectRunning(ctx: EngineContext, rec: ContainerRecord, net: NetworkRecord, want: NetworkAttachmentConfig): Promise<void> {
  const existing = ctx.state.listAttachments(rec.config.id);
  if (existing.some((a) => a.networkId === net.id)) throw new ConflictError(`container "${rec.name}" is already connected to network "${net.name}"`);
  const used = new Set(existing.map((a) => a.ifname));
  let n = 0;
  while (used.has(`eth${n}`)) n++;
  // The namespace it runs in, which is not `netns/<id>` when it came from the pool or `<id>` was taken.
  const netns = await runningNetnsFile(ctx, rec);
  const cniId = cniIdFor(ctx, rec.config.id, netns, net.id);
  await addAttachment(ctx, rec, net, want, { ifname: `eth${n}`, netns, ports: [], ...(cniId !== rec.config.id ? { cniId } : {}) })
    .catch(async (err) => {
      const left = ctx.state.listAttachments(rec.config.id).find((x) => x.networkId === net.id);
      if (left) await delAttachment(ctx, left);
      throw err;
    });
}

/** `network disconnect` of a running container: the DEL of that one attachment. */
export async function disconnectRunning(ctx: EngineContext, rec: ContainerRecord, net: NetworkRecord): Promise<void> {
  const a = ctx.state.listAttachments(rec.config.id).find((x) => x.networkId === net.id);
  if (!a) return;
  await delAttachment(ctx, a);
  // The disconnect itself is done: a namespace that could not be pinned anew keeps its old file (reconcile's).
  await keepNetnsFile(ctx, rec, a.netns)
    .catch((err) => ctx.opts.notice?.(`container ${rec.name}: keep its network namespace: ${err instanceof Error ? err.message : String(err)}`));
}
