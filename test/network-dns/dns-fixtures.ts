// Test side of the DNS responder tests: a client speaking UDP and TCP with dns-packet, a fake upstream resolver on
// 127.0.0.1, and a helper that serves a network on a random high port.
import { createSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { decode, encode, type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import { errorKind } from '../../src/core/index.js';
import type { NetworkDnsServer } from '../../src/network/dns/index.js';

let nextId = 1;

export function question(name: string, type: RecordType = 'A'): Packet {
  return { type: 'query', id: nextId++ & 0xffff, flags: 1 << 8, questions: [{ type, name }] };
}

export const rcodeOf = (p: DecodedPacket): number => (p.flags ?? 0) & 0xf;
export const addressesOf = (p: DecodedPacket): string[] => (p.answers ?? []).map((a) => String((a as { data: unknown }).data));

/** Sends raw bytes over UDP; resolves with the decoded reply, or undefined after timeoutMs of silence. */
export async function udpExchange(address: string, port: number, message: Buffer, timeoutMs = 3000): Promise<DecodedPacket | undefined> {
  const socket = createSocket('udp4');
  try {
    const reply = new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      socket.once('message', (m: Buffer) => { clearTimeout(timer); resolve(m); });
    });
    socket.send(message, port, address);
    const bytes = await reply;
    return bytes && decode(bytes);
  } finally {
    socket.close();
  }
}

export async function udpQuery(address: string, port: number, packet: Packet): Promise<DecodedPacket> {
  const reply = await udpExchange(address, port, encode(packet));
  if (!reply) throw new Error(`no UDP reply from ${address}:${port}`);
  return reply;
}

export async function tcpQuery(address: string, port: number, packet: Packet): Promise<DecodedPacket> {
  const socket = connect({ host: address, port });
  try {
    await once(socket, 'connect');
    const body = encode(packet);
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(body.length);
    socket.write(Buffer.concat([prefix, body]));
    let data = Buffer.alloc(0);
    for await (const chunk of socket) {
      data = Buffer.concat([data, chunk as Buffer]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) return decode(data.subarray(2, 2 + data.readUInt16BE(0)));
    }
    throw new Error(`TCP connection to ${address}:${port} closed without a reply`);
  } finally {
    socket.destroy();
  }
}

/** Serves `network` on a random high port of `address`, retrying when that port happens to be taken. */
export async function serveOnRandomPort(server: NetworkDnsServer, network: string, address: string,
  clients?: (address: string) => boolean): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    try {
      await server.serve(network, address, port, clients);
      return port;
    } catch (err) {
      if (errorKind(err) !== 'Conflict' || attempt >= 20) throw err;
    }
  }
}

/**
 * A resolver on 127.0.0.1 (UDP and TCP on one port) that answers any A query with 203.0.113.7, never answers names
 * starting with "silent.", answers SERVFAIL for names starting with "broken." and NXDOMAIN for "nx.". It counts what it
 * is asked.
 */
export class FakeUpstream {
  readonly asked: string[] = [];
  private udp = createSocket('udp4');
  private tcp?: Server;
  port = 0;

  async start(): Promise<this> {
    for (let attempt = 0; !this.tcp; attempt++) {
      await new Promise<void>((resolve) => this.udp.bind(0, '127.0.0.1', resolve));
      this.port = this.udp.address().port;
      const tcp = createServer((socket) => this.serveTcp(socket));
      try {
        await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(this.port, '127.0.0.1', resolve); });
        this.tcp = tcp;
      } catch (err) {
        if (attempt > 10) throw err;
        await new Promise<void>((resolve) => this.udp.close(resolve));
        this.udp = createSocket('udp4');
      }
    }
    this.udp.on('message', (m, peer) => {
      const reply = this.answer(m, 'udp');
      if (reply) this.udp.send(reply, peer.port, peer.address);
    });
    return this;
  }

  get address(): string { return `127.0.0.1:${this.port}`; }

  private serveTcp(socket: import('node:net').Socket): void {
    socket.on('error', () => {});
    socket.once('data', (data: Buffer) => {
      const reply = this.answer(data.subarray(2, 2 + data.readUInt16BE(0)), 'tcp');
      if (!reply) return;
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(reply.length);
      socket.end(Buffer.concat([prefix, reply]));
    });
  }

  private answer(message: Buffer, transport: string): Buffer | undefined {
    const q = decode(message);
    const name = q.questions?.[0]?.name ?? '';
    this.asked.push(`${transport} ${name}`);
    if (name.startsWith('silent.')) return undefined;
    const rcode = name.startsWith('broken.') ? 2 : name.startsWith('nx.') ? 3 : 0;
    const answers = rcode === 0 && q.questions?.[0]?.type === 'A' ? [{ type: 'A' as const, name, ttl: 30, data: '203.0.113.7' }] : [];
    return encode({ type: 'response', id: q.id, flags: (1 << 7) | rcode, questions: q.questions, answers });
  }

  async stop(): Promise<void> {
    await Promise.all([
      new Promise<void>((resolve) => this.udp.close(() => resolve())),
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
    ]);
  }
}

/** A UDP port on 127.0.0.1 with nobody listening: bound and released, so it is very likely still free. */
export async function deadPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}
