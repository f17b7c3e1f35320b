// Recycled network namespaces of the default network. A CNI ADD and DEL (bridge, host-local, firewall: a dozen
// plugin and iptables processes each way) cost more than the rest of a `run --rm` together. A container that
// could not change its namespace (no CAP_NET_ADMIN, no net.* sysctls) leaves it exactly as the ADD made it, so
// at exit the engine keeps it, still attached, for the next plain container on the default network instead of
// DELeting it (podman and docker pay both every time), unless a TCP socket of it lingers (TIME_WAIT would show
// its connections to the next owner). Bounded (POOL_SIZE per network), and drained with the
// bridge when the network has no container left, at daemon stop, and by reconcile after a crash.
import { randomBytes } from 'node:crypto';
import type { ContainerRecord } from '../../core/index.js';
import type { AttachmentRecord, NetworkRecord } from '../../network/index.js';
import type { EngineContext } from '../context.js';

export const POOL_SIZE = 4;
const POOL_PREFIX = 'pool-';

/** Pool entries are attachments owned by a pseudo-container id. */
export function isPoolEntry(a: AttachmentRecord): boolean {
  return a.containerId.startsWith(POOL_PREFIX);
}

/** A container that joins only the default network as it is: no ports, rate, fixed address or user namespace. */
export function canTakePooled(rec: ContainerRecord, net: NetworkRecord): boolean {
  const c = rec.config;
  return net.isDefault && c.networks.length === 1 && !c.networks[0]!.ip && c.ports.length === 0 && !c.publishAll
    && !c.networkRate && c.security.userns !== 'auto';
}

/** Whether the container could not have changed its namespace, so that handing it on is safe. */
export function canRecycle(rec: ContainerRecord, net: NetworkRecord): boolean {
  const s = rec.config.security;
  const caps = s.capAdd.map((c) => c.toUpperCase());
  return canTakePooled(rec, net) && !s.privileged && !caps.includes('ALL') && !caps.includes('CAP_NET_ADMIN')
    && !Object.keys(s.sysctls).some((k) => k.startsWith('net.'));
}

/** Moves one pool entry of the network to the container; the caller holds the network's lock. */
export function takePooled(ctx: EngineContext, containerId: string, networkId: string): AttachmentRecord | undefined {
  const entry = ctx.state.listAttachments().find((a) => isPoolEntry(a) && a.networkId === networkId && a.status === 'attached');
  if (!entry) return undefined;
  const taken: AttachmentRecord = { ...entry, containerId, cniId: entry.cniId ?? entry.containerId, aliases: [] };
  // One transaction: a crash never leaves the namespace owned twice (two DELs) or by nobody (a leaked lease).
  ctx.state.transaction(() => {
    ctx.state.removeAttachment(entry.containerId, networkId);
    ctx.state.saveAttachment(taken);
  });
  return taken;
}

/** Hands an exited container's attachment to the pool when there is room; the caller holds the network's lock. */
export function recycle(ctx: EngineContext, a: AttachmentRecord): boolean {
  const pooled = ctx.state.listAttachments().filter((x) => isPoolEntry(x) && x.networkId === a.networkId).length;
  if (pooled >= POOL_SIZE || a.status !== 'attached' || a.ports.length > 0) return false;
  const entry: AttachmentRecord = { ...a, containerId: `${POOL_PREFIX}${randomBytes(8).toString('hex')}`,
    cniId: a.cniId ?? a.containerId, aliases: [] };
  ctx.state.transaction(() => {
    ctx.state.removeAttachment(a.containerId, a.networkId);
    ctx.state.saveAttachment(entry);
  });
  return true;
}
