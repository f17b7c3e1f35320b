// Network records: create (subnet chosen from the pools or checked against every route and network), the
// default network made on first use, inspect/list views, rm (refused while a container uses the network) and
// prune. Creating a network touches nothing on the host: the bridge appears with its first container.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AlreadyExistsError, ConflictError, InvalidArgumentError, NotFoundError, newId, validateName,
  type ContainerRecord } from '../../core/index.js';
import { cniName, contains, firstHost, formatCidr, hostRoutes, overlaps, parseCidr, pickSubnet, removeBridge, sweepSharedChains,
  type NetworkRecord } from '../../network/index.js';
import type { EngineContext } from '../context.js';
import type { NetworkCreateRequest } from '../types.js';
import { checkNetworkCreateRequest } from '../request-shape.js';
import { DEFAULT_NETWORK } from './validate.js';
import { NetworkRuntime } from './runtime.js';

const SUBNET_LOCK = 'network:subnet-allocation';
const RESERVED = new Set(['none', 'host', DEFAULT_NETWORK]);

export async function createNetwork(ctx: EngineContext, body: NetworkCreateRequest): Promise<NetworkRecord> {
  const req = checkNetworkCreateRequest(body);
  const name = validateName(req.name, 'network');
  if (RESERVED.has(name)) throw new ConflictError(`network name "${name}" is reserved by the engine`);
  for (const key of Object.keys(req.options ?? {})) {
    throw new InvalidArgumentError(`unknown network option "${key}": the bridge driver takes none yet`);
  }
  return ctx.locks.run(SUBNET_LOCK, async () => {
    if (ctx.state.listNetworks().some((n) => n.name === name)) throw new AlreadyExistsError(`network with name "${name}" already exists`);
    const id = newId();
    const net = await allocate(ctx, { id, name, subnet: req.subnet, gateway: req.gateway, internal: req.internal ?? false,
      labels: req.labels ?? {}, isDefault: false, bridge: `bh-${id.slice(0, 12)}` });
    ctx.state.addNetwork(net);
    return net;
  });
}

/** The record of a network the container config names; the default network is created on first use. */
export async function resolveNetwork(ctx: EngineContext, name: string): Promise<NetworkRecord> {
  if (name !== DEFAULT_NETWORK) return ctx.state.lookupNetwork(name);
  const existing = ctx.state.listNetworks().find((n) => n.isDefault);
  if (existing) return existing;
  return ctx.locks.run(SUBNET_LOCK, async () => {
    const again = ctx.state.listNetworks().find((n) => n.isDefault);
    if (again) return again;
    const net = await allocate(ctx, { id: newId(), name: DEFAULT_NETWORK, internal: false, labels: {}, isDefault: true,
      bridge: ctx.net.defaultBridge });
    ctx.state.addNetwork(net);
    return net;
  });
}

interface Wanted {
  id: string; name: string; subnet?: string; gateway?: string; internal: boolean; labels: Record<string, string>;
  isDefault: boolean; bridge: string;
}

async function allocate(ctx: EngineContext, w: Wanted): Promise<NetworkRecord> {
  const others = ctx.state.listNetworks();
  // This engine's own bridges have routes too while in use; those are checked as networks, not as host routes.
  const ownBridges = new Set(others.map((n) => n.subnet));
  const routes = (await hostRoutes()).filter((r) => !ownBridges.has(formatCidr(r)));
  let subnet;
  if (w.subnet) {
    subnet = parseCidr(w.subnet);
    if (subnet.prefix > 30) throw new InvalidArgumentError(`subnet ${w.subnet} is too small: use /30 or larger`);
    const clash = others.find((n) => overlaps(parseCidr(n.subnet), subnet!));
    if (clash) throw new ConflictError(`subnet ${w.subnet} overlaps network "${clash.name}" (${clash.subnet})`);
    const route = routes.find((r) => overlaps(r, subnet!));
    if (route) throw new ConflictError(`subnet ${w.subnet} overlaps the host route to ${formatCidr(route)}`);
  } else {
    if (w.gateway) throw new InvalidArgumentError('--gateway needs --subnet');
    subnet = pickSubnet(ctx.net.pools, [...routes, ...others.map((n) => parseCidr(n.subnet))], ctx.net.poolOffset);
    if (!subnet) throw new ConflictError(`no free subnet is left in the address pools (${ctx.net.pools.join(', ')})`);
  }
  const gateway = w.gateway ?? firstHost(subnet);
  if (!contains(subnet, gateway) || gateway === formatCidr(subnet).split('/')[0]) {
    throw new InvalidArgumentError(`gateway ${gateway} is not a usable address of subnet ${formatCidr(subnet)}`);
  }
  return { id: w.id, name: w.name, driver: 'bridge', bridge: w.bridge, subnet: formatCidr(subnet), gateway, internal: w.internal,
    labels: w.labels, options: {}, created: new Date().toISOString(), isDefault: w.isDefault };
}

/** Containers (any state) whose config names the network. */
export function containersOf(ctx: EngineContext, net: NetworkRecord): ContainerRecord[] {
  return ctx.state.listContainers().filter((c) => c.config.networks.some((n) => n.name === net.name));
}

export async function removeNetwork(ctx: EngineContext, ref: string): Promise<void> {
  const net = ctx.state.lookupNetwork(ref);
  if (net.isDefault) throw new ConflictError(`network "${net.name}" is the default network and cannot be removed`);
  await ctx.locks.run(NetworkRuntime.lockKey(net.id), async () => {
    const users = containersOf(ctx, net);
    if (users.length) {
      throw new ConflictError(`network "${net.name}" is in use by container${users.length > 1 ? 's' : ''} ${users.map((c) => c.name).join(', ')}`);
    }
    ctx.net.cancelRelease(net.id);
    await releaseNetworkHost(ctx, net);
    await sweepSharedChains();
    ctx.state.removeNetwork(net.id);
  });
}

/** What the host holds for a network with no container left: DNS responder, bridge, IPAM directory. */
export async function releaseNetworkHost(ctx: EngineContext, net: NetworkRecord): Promise<void> {
  await ctx.net.dns?.unserve(net.id).catch(() => undefined);
  // The bridge goes last: while it exists, the next start releases the network again (reconcile looks for it).
  await rm(join(ctx.net.ipamDir(), cniName(net)), { recursive: true, force: true });
  await removeBridge(net.bridge);
}

/** Removes the user-defined networks no container uses that `select` picks (all without it); returns their names. */
export async function pruneNetworks(ctx: EngineContext, select: (n: NetworkRecord) => boolean = () => true): Promise<string[]> {
  const removed: string[] = [];
  for (const net of ctx.state.listNetworks()) {
    if (net.isDefault || containersOf(ctx, net).length || !select(net)) continue;
    try {
      await removeNetwork(ctx, net.id);
      removed.push(net.name);
    } catch (err) {
      if (!(err instanceof NotFoundError)) ctx.opts.notice?.(`prune network ${net.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return removed;
}

/** The network as inspect and ls show it, with the containers attached now. */
export function networkView(ctx: EngineContext, net: NetworkRecord) {
  const attached = ctx.state.listAttachments().filter((a) => a.networkId === net.id && a.status === 'attached');
  const containers: Record<string, { Name: string; IPv4Address: string; MacAddress: string }> = {};
  for (const a of attached) {
    const c = ctx.state.getContainer(a.containerId);
    if (c) containers[a.containerId] = { Name: c.name, IPv4Address: `${a.ip}/${a.prefixLen}`, MacAddress: a.mac };
  }
  return {
    Id: net.id, Name: net.name, Driver: net.driver, Created: net.created, Internal: net.internal, Labels: net.labels,
    Options: net.options, Bridge: net.bridge, Default: net.isDefault,
    IPAM: { Config: [{ Subnet: net.subnet, Gateway: net.gateway }] },
    Containers: containers,
  };
}
