// The sockets one network's responder listens on: a UDP socket and a TCP listener on the same address and port.
// An endpoint knows nothing about DNS beyond TCP framing; it hands each message to the responder and sends back
// whatever comes out (nothing, for a packet that is dropped).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { ConflictError, InvalidArgumentError, errnoCode, wrap } from '../../core/index.js';
import type { Transport } from './forwarder.js';
import { FrameReader, frame } from './tcp-framing.js';

export type Responder = (message: Buffer, transport: Transport) => Promise<Buffer | undefined>;
/** Whether a client address may be answered at all (a network answers only its own containers). */
export type Admission = (clientAddress: string) => boolean;

/** A client that opens a connection and sends nothing must not hold it (and a descriptor) forever. */
const TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 64;

export class Endpoint {
  private readonly connections = new Set<Socket>();

  private constructor(
    readonly address: string,
    readonly port: number,
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
  ) {}

  /** Binds both sockets, or neither: a failure after the UDP bind closes it again before throwing. */
  static async open(context: string, address: string, port: number, respond: Responder, report: (m: string) => void,
    admit: Admission = () => true): Promise<Endpoint> {
    const udp = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
    const tcp = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address, port, exclusive: true }, () => { udp.off('error', reject); resolve(); });
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port, exclusive: true }, () => { tcp.off('error', reject); resolve(); });
      });
    } catch (err) {
      udp.on('error', () => {});
      try { udp.close(); } catch { /* never bound */ }
      tcp.close();
      throw bindError(context, address, port, err);
    }
    const endpoint = new Endpoint(address, port, udp, tcp);
    endpoint.start(respond, (m) => report(`${context}: ${m}`), admit);
    return endpoint;
  }

  private start(respond: Responder, report: (m: string) => void, admit: Admission): void {
    this.udp.on('error', (err) => report(`UDP socket: ${err.message}`));
    this.udp.on('message', (message, peer) => {
      if (!admit(peer.address)) return;
      void respond(message, 'udp').then((reply) => {
        if (!reply) return;
        try {
          this.udp.send(reply, peer.port, peer.address);
        } catch { /* the endpoint was closed while the query was forwarded */ }
      });
    });
    this.tcp.on('error', (err) => report(`TCP listener: ${err.message}`));
    this.tcp.on('connection', (socket) => {
      if (!admit((socket.remoteAddress ?? '').replace(/^::ffff:/, ''))) { socket.destroy(); return; }
      this.accept(socket, respond);
    });
  }

  private accept(socket: Socket, respond: Responder): void {
    if (this.connections.size >= MAX_TCP_CONNECTIONS) {
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const message of reader.push(chunk)) {
        void respond(message, 'tcp').then((reply) => {
          if (reply && !socket.destroyed) socket.write(frame(reply));
        });
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
      new Promise<void>((resolve) => {
        try { this.udp.close(() => resolve()); } catch { resolve(); }
      }),
    ]);
  }
}

function bindError(context: string, address: string, port: number, err: unknown) {
  const where = `${context}: cannot serve DNS on ${isIPv6(address) ? `[${address}]` : address}:${port}`;
  switch (errnoCode(err)) {
    case 'EADDRNOTAVAIL':
      return new InvalidArgumentError(`${where}: the address is not assigned to any interface of this host`, { cause: err });
    case 'EADDRINUSE':
      return new ConflictError(`${where}: the port is already in use`, { cause: err });
    case 'EACCES':
      return wrap(err, `${where}: permission denied`);
    default:
      return wrap(err, where);
  }
}
