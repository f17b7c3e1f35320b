// Sends queries no container owns to the upstream resolvers, in order: each gets one try with a timeout, and a
// refused, unreachable, silent or SERVFAIL/REFUSED-answering upstream passes the query to the next. The caller
// answers SERVFAIL when none succeeds. Each UDP query gets a fresh socket, so its random source port is what an
// off-path spoofer would have to guess, as in any stub resolver.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { RCODE, replyRcode } from './answers.js';
import { FrameReader, frame } from './tcp-framing.js';
import { formatUpstream, type Upstream } from './upstreams.js';

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 2000;

/** Bounds sockets held open for slow upstreams; past it queries fail fast instead of exhausting descriptors. */
const MAX_IN_FLIGHT = 256;

export type Transport = 'udp' | 'tcp';

export class Forwarder {
  private inFlight = 0;

  constructor(
    private readonly upstreams: readonly Upstream[],
    private readonly timeoutMs: number,
    private readonly report: (problem: string) => void,
  ) {}

  /** The first usable upstream reply, verbatim, or undefined when every upstream failed. */
  async forward(query: Buffer, transport: Transport): Promise<Buffer | undefined> {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.report(`more than ${MAX_IN_FLIGHT} queries waiting on upstreams; failing new ones`);
      return undefined;
    }
    this.inFlight++;
    const id = query.readUInt16BE(0);
    const failures: string[] = [];
    try {
      for (const upstream of this.upstreams) {
        try {
          const reply = transport === 'udp' ? await this.askUdp(upstream, query, id) : await this.askTcp(upstream, query, id);
          const rcode = replyRcode(reply, id);
          if (rcode !== RCODE.SERVFAIL && rcode !== RCODE.REFUSED) return reply;
          failures.push(`${formatUpstream(upstream)}: rcode ${rcode}`);
        } catch (err) {
          failures.push(`${formatUpstream(upstream)}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      this.report(this.upstreams.length === 0 ? 'no upstream resolvers configured' : `all upstream resolvers failed (${failures.join('; ')})`);
      return undefined;
    } finally {
      this.inFlight--;
    }
  }

  private askUdp(upstream: Upstream, query: Buffer, id: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = createSocket(upstream.family);
      let settled = false;
      const finish = (err: Error | undefined, reply?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.removeAllListeners('message');
        // An error after close (or a second error) is irrelevant once the query is settled.
        socket.on('error', () => {});
        try { socket.close(); } catch { /* already closed */ }
        if (err) reject(err); else resolve(reply!);
      };
      const timer = setTimeout(() => finish(new Error(`no reply within ${this.timeoutMs} ms`)), this.timeoutMs);
      socket.once('error', (err) => finish(err));
      // A connected socket only receives datagrams from the upstream, and ICMP "port unreachable" surfaces as
      // ECONNREFUSED right away instead of as a timeout.
      socket.connect(upstream.port, upstream.address, () => {
        socket.on('message', (message: Buffer) => {
          if (replyRcode(message, id) !== undefined) finish(undefined, message);
        });
        socket.send(query);
      });
    });
  }

  private askTcp(upstream: Upstream, query: Buffer, id: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: upstream.address, port: upstream.port });
      const reader = new FrameReader();
      let settled = false;
      const finish = (err: Error | undefined, reply?: Buffer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (err) reject(err); else resolve(reply!);
      };
      const timer = setTimeout(() => finish(new Error(`no reply within ${this.timeoutMs} ms`)), this.timeoutMs);
      socket.on('error', (err) => finish(err));
      socket.on('close', () => finish(new Error('connection closed before a reply')));
      socket.on('connect', () => socket.write(frame(query)));
      socket.on('data', (chunk: Buffer) => {
        for (const message of reader.push(chunk)) {
          if (replyRcode(message, id) !== undefined) return finish(undefined, message);
        }
      });
    });
  }
}
