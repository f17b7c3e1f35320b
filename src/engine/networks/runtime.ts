// The engine's live networking state, held in EngineContext: the published-port holders, the DNS responder and
// the settings that choose subnets and bridge names. Everything durable is in
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

  private readonly pendingRelease = new Map<string, { timer: NodeJS.Timeout; release: () => Promise<void> }>();

  /**
   * Runs `release` for a network after RELEASE_GRACE_MS unless a container joins it meanwhile (cancelRelease):
   * a burst of short-lived containers (`run --rm` in a loop) keeps its bridge instead of deleting and re-making
   * it every time, and the exit path does not wait for the clean-up. A daemon that stops runs the pending ones
   * first (close); one that is killed leaves them to reconcile at its next start.
   */
  scheduleRelease(networkId: string, release: () => Promise<void>): void {
    this.cancelRelease(networkId);
    const timer = setTimeout(() => { this.pendingRelease.delete(networkId); void release(); }, RELEASE_GRACE_MS);
    timer.unref();
    this.pendingRelease.set(networkId, { timer, release });
  }

  cancelRelease(networkId: string): void {
    clearTimeout(this.pendingRelease.get(networkId)?.timer);
    this.pendingRelease.delete(networkId);
  }

  ipamDir(): string {
    return join(this.opts.root, 'networks', 'ipam');
  }

  /** What every network lock's key starts with. */
  static readonly LOCK_PREFIX = 'network:';

  /** The key of a network's lock: held around every ADD, DEL and host clean-up of that network. */
  static lockKey(networkId: string): string {
    return `${NetworkRuntime.LOCK_PREFIX}${networkId}`;
  }

  /** Runs the releases still pending (a stopped daemon leaves no idle bridge behind), then lets go of the ports. */
  async close(): Promise<void> {
    const pending = [...this.pendingRelease.values()];
    this.pendingRelease.clear();
    for (const p of pending) clearTimeout(p.timer);
    for (const p of pending) await p.release();
    this.ports.releaseAll();
    await this.dns?.close().catch(() => undefined);
  }
}
