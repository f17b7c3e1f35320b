// The engine's live networking state, held in EngineContext: the published-port holders, the DNS responder (when
// src/network/dns is present) and the settings that choose subnets and bridge names. Everything durable is in
// the state store; this object is rebuilt at every daemon start (reconcile takes the ports again).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HostPortHolder, type DnsResponder } from '../../network/index.js';
import type { EngineOptions } from '../types.js';

export const DEFAULT_ADDRESS_POOLS = ['10.88.0.0/13'];
/** How long a network with no container keeps its bridge before the engine removes it. */
export const RELEASE_GRACE_MS = 1500;
const DEFAULT_ROOT = '/var/lib/bulkhead';

export class NetworkRuntime {
  readonly ports = new HostPortHolder();
  dns?: DnsResponder;
  readonly pools: string[];
  readonly defaultBridge: string;
  /** Where a subnet search starts, in slices: 0 for the default engine, spread by root for the others. */
  readonly poolOffset: number;
  readonly pluginDir?: string;

  constructor(readonly opts: EngineOptions) {
    this.pools = opts.addressPools?.length ? opts.addressPools : DEFAULT_ADDRESS_POOLS;
    const hash = createHash('sha256').update(opts.root).digest();
    const isDefault = opts.root === DEFAULT_ROOT;
    // An engine with its own root (tests, a second engine) gets its own default bridge and its own part of the
    // pool, so it never shares a bridge or an address range with another engine.
    this.defaultBridge = opts.defaultBridge ?? (isDefault ? 'bh0' : `bh-d${hash.toString('hex').slice(0, 8)}`);
    this.poolOffset = isDefault ? 0 : hash.readUInt32BE(0);
    this.pluginDir = opts.cniPluginDir;
  }

  private readonly pendingRelease = new Map<string, NodeJS.Timeout>();

  /**
   * Runs `release` for a network after RELEASE_GRACE_MS unless a container joins it meanwhile (cancelRelease):
   * a burst of short-lived containers (`run --rm` in a loop) keeps its bridge instead of deleting and re-making
   * it every time, and the exit path does not wait for the clean-up. A daemon stopped before it fires leaves the
   * bridge to reconcile at the next start.
   */
  scheduleRelease(networkId: string, release: () => Promise<void>): void {
    this.cancelRelease(networkId);
    const t = setTimeout(() => { this.pendingRelease.delete(networkId); void release(); }, RELEASE_GRACE_MS);
    t.unref();
    this.pendingRelease.set(networkId, t);
  }

  cancelRelease(networkId: string): void {
    clearTimeout(this.pendingRelease.get(networkId));
    this.pendingRelease.delete(networkId);
  }

  ipamDir(): string {
    return join(this.opts.root, 'networks', 'ipam');
  }

  /** The key of a network's lock: held around every ADD, DEL and host clean-up of that network. */
  static lockKey(networkId: string): string {
    return `network:${networkId}`;
  }

  async close(): Promise<void> {
    for (const t of this.pendingRelease.values()) clearTimeout(t);
    this.ports.releaseAll();
    await this.dns?.close().catch(() => undefined);
  }
}

/**
 * Loads the DNS responder module when it exists. It is looked up at run time so that an engine built before it
 * landed still starts; containers then reach each other by address only, and a notice says so.
 */
export async function loadDnsResponder(notice: (m: string) => void): Promise<DnsResponder | undefined> {
  const specifier = new URL('../../network/dns/index.js', import.meta.url).href;
  try {
    const mod = await import(specifier) as { NetworkDnsServer?: new (o: { notice?: (m: string) => void }) => DnsResponder };
    if (mod.NetworkDnsServer) return new mod.NetworkDnsServer({ notice });
  } catch { /* not built */ }
  notice('network DNS responder not available: containers on user-defined networks resolve each other by address only');
  return undefined;
}
