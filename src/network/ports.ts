// Published host ports. Besides portmap's DNAT rules, the daemon binds each published host port itself and holds
// it while the container runs: a port some other program already has is then a clear error before anything is
// configured ("port 8080 is already in use"), and no other program can take the port from under the container.
// The holders live in the daemon process, so a restarted daemon takes them again for running containers.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { ConflictError, InvalidArgumentError, errnoCode, type PortMapping } from '../core/index.js';

type Holder = Server | UdpSocket;

function bindTcp(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    // Connections never reach it (DNAT runs first); any that do are closed at once.
    s.on('connection', (c) => c.destroy());
    s.listen({ host: host || '0.0.0.0', port, exclusive: true }, () => { s.off('error', reject); resolve(s); });
  });
}

function bindUdp(host: string, port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind({ address: host || '0.0.0.0', port, exclusive: true }, () => { s.off('error', reject); resolve(s); });
  });
}

function boundPort(h: Holder): number {
  const a = 'address' in h && typeof h.address === 'function' ? h.address() : null;
  return a && typeof a === 'object' ? a.port : 0;
}

function close(h: Holder): void {
  try { h.close(); } catch { /* already closed */ }
}

export class HostPortHolder {
  private readonly held = new Map<string, Holder[]>();   // container id → sockets

  /**
   * Binds every mapping (hostPort 0 takes a free port) and returns the mappings with their actual host ports.
   * All or nothing: on a failure the ports taken so far are released.
   */
  async take(containerId: string, mappings: PortMapping[]): Promise<PortMapping[]> {
    const taken: Holder[] = [];
    const out: PortMapping[] = [];
    try {
      for (const m of mappings) {
        const h = m.protocol === 'udp' ? await bindUdp(m.hostIp, m.hostPort) : await bindTcp(m.hostIp, m.hostPort);
        taken.push(h);
        out.push({ ...m, hostPort: boundPort(h) });
      }
    } catch (err) {
      taken.forEach(close);
      const m = mappings[taken.length]!;
      const code = errnoCode(err);
      if (code === 'EADDRINUSE') throw new ConflictError(`port ${m.hostPort}${m.protocol === 'udp' ? '/udp' : ''} is already in use${m.hostIp ? ` on ${m.hostIp}` : ''}`);
      if (code === 'EADDRNOTAVAIL') throw new InvalidArgumentError(`cannot publish on ${m.hostIp}: it is not an address of this host`);
      if (code === 'EACCES') throw new ConflictError(`port ${m.hostPort} cannot be bound: permission denied`);
      throw err;
    }
    this.release(containerId);
    this.held.set(containerId, taken);
    return out;
  }

  release(containerId: string): void {
    this.held.get(containerId)?.forEach(close);
    this.held.delete(containerId);
  }

  releaseAll(): void {
    for (const id of [...this.held.keys()]) this.release(id);
  }
}
