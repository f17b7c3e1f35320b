// Network flags of run/create in docker's syntax: --network (repeatable), --ip, --network-alias, --dns,
// --dns-search, --dns-option, --add-host, --link, -p/--publish, -P/--publish-all, --network-opt. Parsing checks the
// syntax and names the flag; whether networks exist and ports are free is the engine's to say.
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/index.js';
import type { CreateRequest } from '../../engine/index.js';
import { collect } from '../parse.js';

export interface NetworkFlags {
  network?: string[]; ip?: string; networkAlias?: string[]; dns?: string[]; dnsSearch?: string[]; dnsOption?: string[];
  addHost?: string[]; publish?: string[]; publishAll?: boolean; networkOpt?: string[]; link?: string[];
}

export function addNetworkFlags(cmd: Command): Command {
  return cmd
    .option('--network <name>', 'network: bridge (default), none, host or a network name; repeat for several', collect, [])
    .option('--ip <address>', 'IPv4 address on the (first) user-defined network')
    .option('--network-alias <name>', 'another name of the container on its (first) network', collect, [])
    .option('--dns <address>', 'nameserver for /etc/resolv.conf', collect, [])
    .option('--dns-search <domain>', 'search domain for /etc/resolv.conf', collect, [])
    .option('--dns-option <option>', 'resolver option for /etc/resolv.conf', collect, [])
    .option('--add-host <name:ip>', 'add a line to /etc/hosts', collect, [])
    .option('--link <name[:alias]>', 'legacy link to a running container on a shared network: /etc/hosts entry and ALIAS_* variables', collect, [])
    .option('-p, --publish <spec>', 'publish a port: [hostIP:][hostPort:]containerPort[/tcp|udp]', collect, [])
    .option('-P, --publish-all', "publish the image's exposed ports on free host ports")
    .option('--network-opt <key=value>', 'network option: rate=10mbit (bandwidth limit), burst=…', collect, []);
}

type PortRequest = NonNullable<CreateRequest['ports']>[number];

/** docker's -p forms: 80, 8080:80, 127.0.0.1:8080:80, 127.0.0.1::80, each with an optional /tcp or /udp. */
export function parsePublish(spec: string): PortRequest {
  const bad = (why: string) => new InvalidArgumentError(`invalid port specification "${spec}": ${why}`);
  const [body = '', protocol = 'tcp', extra] = spec.split('/');
  if (extra !== undefined || (protocol !== 'tcp' && protocol !== 'udp')) throw bad('the protocol must be tcp or udp');
  const parts = body.split(':');
  if (parts.length > 3) throw bad('expected [hostIP:][hostPort:]containerPort');
  const containerText = parts.pop()!;
  const hostPortText = parts.pop() ?? '';
  const hostIp = parts.pop() ?? '';
  const port = (t: string, what: string) => {
    if (t.includes('-')) throw bad('port ranges are not supported');
    if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 65535) throw bad(`${what} must be a number from 1 to 65535`);
    return Number(t);
  };
  const containerPort = port(containerText, 'the container port');
  const hostPort = hostPortText === '' ? undefined : port(hostPortText, 'the host port');
  if (hostIp && !/^\d+\.\d+\.\d+\.\d+$/.test(hostIp)) throw bad(`"${hostIp}" is not an IPv4 address`);
  return { containerPort, protocol, ...(hostPort !== undefined ? { hostPort } : {}), ...(hostIp ? { hostIp } : {}) };
}

function keyValues(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid ${flag} "${v}": expected KEY=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** The network fields of a CreateRequest; --ip and --network-alias apply to the first network, as in docker. */
export function networkFromFlags(flags: NetworkFlags): Partial<CreateRequest> {
  const list = (v: string[] | undefined) => v ?? [];
  const f = { ...flags, network: list(flags.network), networkAlias: list(flags.networkAlias), dns: list(flags.dns),
    dnsSearch: list(flags.dnsSearch), dnsOption: list(flags.dnsOption), addHost: list(flags.addHost), publish: list(flags.publish),
    networkOpt: list(flags.networkOpt) };
  const req: Partial<CreateRequest> = {};
  if (f.network.length > 1 || f.ip || f.networkAlias.length) {
    const names = f.network.length ? f.network : ['bridge'];
    req.networks = names.map((name, i) => ({ name, ...(i === 0 && f.networkAlias.length ? { aliases: f.networkAlias } : {}),
      ...(i === 0 && f.ip ? { ip: f.ip } : {}) }));
  } else if (f.network.length === 1) {
    req.network = f.network[0];
  }
  if (f.publish.length) req.ports = f.publish.map(parsePublish);
  if (f.publishAll) req.publishAll = true;
  if (f.dns.length) req.dns = f.dns;
  if (f.dnsSearch.length) req.dnsSearch = f.dnsSearch;
  if (f.dnsOption.length) req.dnsOptions = f.dnsOption;
  if (f.addHost.length) req.extraHosts = f.addHost;
  if (f.networkOpt.length) req.networkOpts = keyValues(f.networkOpt, '--network-opt');
  if (flags.link?.length) req.links = flags.link;   // the engine parses NAME[:ALIAS]: API clients get the same checks
  return req;
}
