// The engine's DNS responder for user-defined networks. Each served network has its own sockets (on its gateway
// address) and its own record table; a query is answered from the table of the network whose socket received
// it and from nowhere else. Names the network does not own go to the host's resolvers.
import { encode } from 'dns-packet';
import { isIP } from 'node:net';
import { ConflictError, InvalidArgumentError, StateInvalidError } from '../../core/index.js';
import { RCODE, decide, encodeResponse, errorResponse, parseQuery } from './answers.js';
import { Endpoint, type Admission } from './endpoint.js';
import { DEFAULT_UPSTREAM_TIMEOUT_MS, Forwarder, type Transport } from './forwarder.js';
import { NetworkRecords } from './records.js';
import { parseUpstream, readResolvConf } from './upstreams.js';

export interface NetworkDnsServerOptions {
  /** "ip", "ip:port" or "[ipv6]:port"; default: the nameservers of /etc/resolv.conf. */
  upstreams?: string[];
  /** Where non-fatal trouble is reported (upstreams failing, socket errors); rate-limited per message kind. */
  notice?: (message: string) => void;
  /** Domains a container's resolver may append to a short name; default: the search line of /etc/resolv.conf. */
  searchDomains?: string[];
  /** How long each upstream gets before the next one is asked. */
  upstreamTimeoutMs?: number;
}

/** The same complaint at most once per interval, so a dead upstream cannot flood the daemon's log. */
const NOTICE_INTERVAL_MS = 60_000;

export class NetworkDnsServer {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly records = new Map<string, NetworkRecords>();
  private readonly searchDomains: string[];
  private readonly forwarder: Forwarder;
  private readonly lastNotice = new Map<string, number>();
  private closed = false;

  constructor(private readonly opts: NetworkDnsServerOptions = {}) {
    const host = opts.upstreams && opts.searchDomains ? undefined : readResolvConf();
    const upstreams = (opts.upstreams ?? host!.nameservers).map(parseUpstream);
    this.searchDomains = (opts.searchDomains ?? host!.searchDomains).map((d) => d.toLowerCase().replace(/\.$/, ''));
    this.forwarder = new Forwarder(upstreams, opts.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS, (m) => this.notice('upstream', m));
    if (upstreams.length === 0) this.notice('upstream', 'no upstream resolvers: names outside container networks will fail (SERVFAIL)');
  }

  /**
   * Starts answering for `network` on address:port (UDP and TCP). Serving the same place twice is a no-op.
   * `clients` says which source addresses are answered: a container on another network can reach this address
   * through the host, and must learn nothing of this network's names.
   */
  async serve(network: string, address: string, port = 53, clients?: Admission): Promise<void> {
    if (this.closed) throw new StateInvalidError(`network ${network}: the DNS server is closed`);
    if (isIP(address) === 0) throw new InvalidArgumentError(`network ${network}: DNS address ${JSON.stringify(address)} is not an IP address`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`network ${network}: DNS port ${port} is not between 1 and 65535`);
    const current = this.endpoints.get(network);
    if (current) {
      if (current.address === address && current.port === port) return;
      throw new ConflictError(`network ${network}: DNS is already served on ${current.address}:${current.port}`);
    }
    const endpoint = await Endpoint.open(`network ${network}`, address, port,
      (message, transport) => this.respond(network, message, transport), (m) => this.notice(`socket ${network}`, m), clients);
    // A concurrent serve() for the same network may have won while this one was binding.
    if (this.endpoints.has(network) || this.closed) {
      await endpoint.close();
      throw new ConflictError(`network ${network}: DNS was started concurrently`);
    }
    this.endpoints.set(network, endpoint);
  }

  /** Stops answering for `network` and forgets its records. Unknown networks are ignored. */
  async unserve(network: string): Promise<void> {
    const endpoint = this.endpoints.get(network);
    this.endpoints.delete(network);
    this.records.delete(network);
    await endpoint?.close();
  }

  /** Replaces the whole record set of `network`: lowercase name -> IPv4 addresses (own name before aliases). */
  setRecords(network: string, records: Map<string, string[]>): void {
    this.records.set(network, new NetworkRecords(network, records));
  }

  async close(): Promise<void> {
    this.closed = true;
    const endpoints = [...this.endpoints.values()];
    this.endpoints.clear();
    this.records.clear();
    await Promise.all(endpoints.map((e) => e.close()));
  }

  /** The reply bytes for one message, or undefined to drop it. Never throws: a bad packet must not stop the server. */
  private async respond(network: string, message: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const query = parseQuery(message);
    if (!query) return undefined;
    try {
      const decision = decide(query, this.records.get(network), this.searchDomains);
      if (decision.kind === 'reply') return encodeResponse(decision.response, transport === 'udp');
      const reply = await this.forwarder.forward(message, transport);
      return reply ?? encode(errorResponse(query, RCODE.SERVFAIL));
    } catch (err) {
      this.notice(`query ${network}`, `network ${network}: dropped a query: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  private notice(kind: string, message: string): void {
    const now = Date.now();
    if (now - (this.lastNotice.get(kind) ?? -Infinity) < NOTICE_INTERVAL_MS) return;
    this.lastNotice.set(kind, now);
    this.opts.notice?.(`dns: ${message}`);
  }
}
