// Where names that no container owns are sent: the host's resolvers, read from /etc/resolv.conf like the host's own
// stub resolver would, or addresses the engine was configured with ("1.1.1.1", "10.0.0.2:5353", "[fd00::1]:53").
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { InvalidArgumentError, errnoCode, wrap } from '../../core/index.js';
import { normalizeName } from './records.js';

export interface Upstream {
  address: string;
  port: number;
  family: 'udp4' | 'udp6';
}

export interface HostResolverConfig {
  nameservers: string[];
  searchDomains: string[];
}

/** Nameservers and search domains of a resolv.conf; a missing file means neither (the caller says so). */
export function readResolvConf(path = '/etc/resolv.conf'): HostResolverConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { nameservers: [], searchDomains: [] };
    throw wrap(err, `read host resolvers from ${path}`);
  }
  const nameservers: string[] = [];
  let searchDomains: string[] = [];
  for (const line of text.split('\n')) {
    const [keyword, ...values] = line.replace(/[#;].*/, '').trim().split(/\s+/);
    // A scoped IPv6 nameserver (fe80::1%eth0) is kept as written; dgram understands the zone.
    if (keyword === 'nameserver' && values[0] && isIP(values[0].split('%')[0])) nameservers.push(values[0]);
    // As in glibc, the last "search" or "domain" line wins.
    if ((keyword === 'search' || keyword === 'domain') && values.length > 0) {
      searchDomains = values.map(normalizeName).filter((d) => d.length > 0);
    }
  }
  return { nameservers, searchDomains };
}

export function parseUpstream(spec: string): Upstream {
  const invalid = () => new InvalidArgumentError(`DNS upstream ${JSON.stringify(spec)}: expected an IP address, optionally with :port`);
  let address = spec;
  let port = 53;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  const withPort = /^([^:]+):(\d+)$/.exec(spec);
  if (bracketed) {
    address = bracketed[1];
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else if (withPort) {
    address = withPort[1];
    port = Number(withPort[2]);
  }
  const family = isIP(address.split('%')[0]);
  if (family === 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw invalid();
  return { address, port, family: family === 4 ? 'udp4' : 'udp6' };
}

export function formatUpstream(u: Upstream): string {
  return u.family === 'udp6' ? `[${u.address}]:${u.port}` : `${u.address}:${u.port}`;
}
