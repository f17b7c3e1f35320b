// The network part of a create request turned into config fields, with one-line errors for every mistake:
// unknown modes, conflicting flags, bad ports, bad addresses and bad rates. Whether named networks exist is
// checked by the caller against the state store (create.ts), since this file is pure.
import { isIPv4 } from 'node:net';
import { InvalidArgumentError, type ContainerConfig, type NetworkAttachmentConfig, type NetworkRate,
  type PortMapping } from '../../core/index.js';
import type { CreateRequest } from '../types.js';

export const DEFAULT_NETWORK = 'bridge';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export type NetworkFields = Pick<ContainerConfig, 'network' | 'networks' | 'ports' | 'publishAll' | 'dns' | 'dnsSearch'
  | 'dnsOptions' | 'extraHosts' | 'networkRate'>;

export function validateNetworkRequest(req: CreateRequest): NetworkFields {
  const asked: Array<{ name: string; aliases?: string[]; ip?: string }> = req.networks?.length
    ? req.networks : [{ name: req.network ?? DEFAULT_NETWORK }];
  const names = asked.map((n) => n.name);
  if (names.some((n) => n.startsWith('container:'))) throw new InvalidArgumentError('--network container:<name> is not supported');
  const special = names.filter((n) => n === 'none' || n === 'host');
  if (special.length && names.length > 1) {
    throw new InvalidArgumentError(`--network ${special[0]} cannot be combined with other networks`);
  }
  if (new Set(names).size !== names.length) throw new InvalidArgumentError(`network "${names.find((n, i) => names.indexOf(n) !== i)}" is given twice`);
  const mode = names[0]!;
  let networks: NetworkAttachmentConfig[] = [];
  if (!special.length) {
    networks = asked.map((n) => {
      if (!NAME_RE.test(n.name)) throw new InvalidArgumentError(`invalid network name "${n.name}"`);
      const aliases = n.aliases ?? [];
      for (const a of aliases) if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(a)) throw new InvalidArgumentError(`invalid network alias "${a}"`);
      if (n.name === DEFAULT_NETWORK && aliases.length) {
        throw new InvalidArgumentError('network aliases work only on user-defined networks, not on the default bridge');
      }
      if (n.ip !== undefined) {
        if (!isIPv4(n.ip)) throw new InvalidArgumentError(`invalid IPv4 address "${n.ip}" for --ip`);
        if (n.name === DEFAULT_NETWORK) throw new InvalidArgumentError('--ip works only on user-defined networks, not on the default bridge');
      }
      return { name: n.name, aliases, ...(n.ip !== undefined ? { ip: n.ip } : {}) };
    });
  }
  const ports = (req.ports ?? []).map(validatePort);
  const seen = new Set<string>();
  for (const p of ports) {
    const key = `${p.hostIp}:${p.hostPort}/${p.protocol}`;
    if (p.hostPort !== 0 && seen.has(key)) throw new InvalidArgumentError(`host port ${p.hostPort}/${p.protocol} is published twice`);
    seen.add(key);
  }
  if ((ports.length || req.publishAll) && special.length) {
    throw new InvalidArgumentError(`publishing ports needs a network: --network ${mode} has none to publish from`);
  }
  for (const d of req.dns ?? []) if (!isIPv4(d)) throw new InvalidArgumentError(`invalid --dns "${d}": expected an IPv4 address`);
  for (const s of req.dnsSearch ?? []) if (!/^[a-zA-Z0-9.-]+$/.test(s)) throw new InvalidArgumentError(`invalid --dns-search "${s}"`);
  for (const o of req.dnsOptions ?? []) if (!/^[a-zA-Z0-9_:.-]+$/.test(o)) throw new InvalidArgumentError(`invalid --dns-option "${o}"`);
  const extraHosts = (req.extraHosts ?? []).map((h) => {
    const i = h.lastIndexOf(':');
    const name = h.slice(0, i);
    const ip = h.slice(i + 1);
    if (i <= 0 || !/^[a-zA-Z0-9][a-zA-Z0-9.-]*$/.test(name) || !isIPv4(ip)) {
      throw new InvalidArgumentError(`invalid --add-host "${h}": expected NAME:IPv4 such as db:10.0.0.5`);
    }
    return h;
  });
  const networkRate = parseNetworkOpts(req.networkOpts ?? {});
  if (networkRate && special.length) throw new InvalidArgumentError(`--network-opt rate needs a network: --network ${mode} has none`);
  return { network: mode, networks, ports, publishAll: req.publishAll ?? false, dns: req.dns ?? [], dnsSearch: req.dnsSearch ?? [],
    dnsOptions: req.dnsOptions ?? [], extraHosts, ...(networkRate ? { networkRate } : {}) };
}

function validatePort(p: { hostIp?: string; hostPort?: number; containerPort: number; protocol?: string }): PortMapping {
  const proto = p.protocol ?? 'tcp';
  if (proto !== 'tcp' && proto !== 'udp') throw new InvalidArgumentError(`invalid port protocol "${proto}": use tcp or udp`);
  const ok = (n: unknown, min: number) => Number.isInteger(n) && (n as number) >= min && (n as number) <= 65535;
  if (!ok(p.containerPort, 1)) throw new InvalidArgumentError(`invalid container port ${String(p.containerPort)}: must be 1-65535`);
  if (p.hostPort !== undefined && !ok(p.hostPort, 0)) throw new InvalidArgumentError(`invalid host port ${String(p.hostPort)}: must be 1-65535`);
  const hostIp = p.hostIp ?? '';
  if (hostIp && !isIPv4(hostIp)) throw new InvalidArgumentError(`invalid host address "${hostIp}" in a port mapping: expected IPv4`);
  return { hostIp: hostIp === '0.0.0.0' ? '' : hostIp, hostPort: p.hostPort ?? 0, containerPort: p.containerPort, protocol: proto };
}

const RATE_UNITS: Record<string, number> = { '': 1, bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9 };

/** A tc-style rate: "10mbit" (bits), "1mbps" (bytes) per second; a bare number is bits per second. */
export function parseRate(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(text.trim().toLowerCase());
  const unit = m ? RATE_UNITS[m[2]!] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new InvalidArgumentError(`invalid ${what} "${text}": expected a rate such as 10mbit, 500kbit or 1mbps`);
  }
  return Math.round(Number(m[1]) * unit);
}

function parseNetworkOpts(opts: Record<string, string>): NetworkRate | undefined {
  for (const key of Object.keys(opts)) {
    if (key !== 'rate' && key !== 'burst') throw new InvalidArgumentError(`unknown --network-opt "${key}": supported are rate and burst`);
  }
  if (opts.rate === undefined) {
    if (opts.burst !== undefined) throw new InvalidArgumentError('--network-opt burst needs rate as well');
    return undefined;
  }
  const rateBits = parseRate(opts.rate, '--network-opt rate');
  // A burst of at least one default MTU-sized queue; the bandwidth plugin wants it in bits.
  const burstBits = opts.burst !== undefined ? parseRate(opts.burst, '--network-opt burst') : Math.max(rateBits / 10, 8 * 64 * 1024);
  return { rateBits, burstBits: Math.round(burstBits) };
}
