// /etc/hosts, /etc/hostname and /etc/resolv.conf, written by the engine into the container directory and bind
// mounted over the image's copies (so the image's are never modified and `diff` does not show them).
//
// What each network mode gets:
//   host  copies of the host's /etc/hosts and /etc/resolv.conf (the container shares the host's network);
//   none  localhost entries plus the container's hostname on 127.0.0.1 (so resolving one's own name works),
//         and a resolv.conf carrying the host's nameservers except loopback ones (a 127.x resolver on the host
//         is unreachable from a new netns), with the host's search and options lines. When nothing is left,
//         no nameserver line at all: there is no network to reach one anyway.
//   bridge (the default network) like none, but the hostname maps to the container's own address, as docker's
//         default bridge does: the host's resolvers, no name resolution between containers.
//   a user-defined network: the container's name/hostname and aliases on its address, and resolv.conf pointing
//         at the network's DNS responder (the bridge gateway), which answers for the network's containers and
//         forwards everything else to the host's resolvers.
// In every mode but host, --link lines (alias, hostname and name of the linked container) come next; then
// --add-host lines are appended to hosts, and --dns replaces the nameservers, --dns-search the
// search list, --dns-option the options.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, wrap, type ContainerConfig } from '../core/index.js';
import { writeFileAtomic } from '../storage/atomic-file.js';

const LOCALHOST_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface EtcFileSources {
  hostsPath?: string;        // default /etc/hosts (tests point these elsewhere)
  resolvConfPath?: string;   // default /etc/resolv.conf
}

/** What the network set-up learned before the files are written: the container's address and its resolver. */
export interface EtcNetworkFacts {
  ip?: string;               // the container's address on its first network
  names?: string[];          // names that resolve to it besides the hostname (container name, aliases)
  nameserver?: string;       // a user-defined network's DNS responder
  links?: Array<{ ip: string; names: string[] }>;  // --link: the linked containers' addresses (engine/containers/links.ts)
}

export async function writeEtcFiles(etcFilesDir: string, config: ContainerConfig, sources: EtcFileSources = {},
  net: EtcNetworkFacts = {}, opts: { inPlace?: boolean } = {}): Promise<void> {
  // Replaced by rename normally (not synced: every start writes them anew); rewritten in place (same inode) once
  // bind-mounted into a created container.
  const write = (path: string, text: string) => (opts.inPlace ? writeFile(path, text) : writeFileAtomic(path, text, 0o644, { durable: false }));
  const hostResolv = await readHostFile(sources.resolvConfPath ?? '/etc/resolv.conf');
  let hosts: string;
  let resolv: string;
  if (config.network === 'host') {
    hosts = await readHostFile(sources.hostsPath ?? '/etc/hosts');
    resolv = hostResolv;
  } else {
    const own = [...new Set([config.hostname, ...(net.names ?? [])].filter(Boolean))];
    const ownLine = own.length ? [`${net.ip ?? '127.0.0.1'}\t${own.join(' ')}`] : [];
    hosts = [...LOCALHOST_HOSTS, ...ownLine].join('\n') + '\n';
    resolv = net.nameserver ? `nameserver ${net.nameserver}\n${searchAndOptions(hostResolv)}` : filterResolvConf(hostResolv);
  }
  hosts += (net.links ?? []).map((l) => `${l.ip}\t${l.names.join(' ')}\n`).join('');
  hosts += (config.extraHosts ?? []).map((h) => {
    const i = h.lastIndexOf(':');
    return `${h.slice(i + 1)}\t${h.slice(0, i)}\n`;
  }).join('');
  resolv = overrideResolv(resolv, config);
  await Promise.all([
    write(join(etcFilesDir, 'hosts'), hosts),
    write(join(etcFilesDir, 'hostname'), `${config.hostname}\n`),
    write(join(etcFilesDir, 'resolv.conf'), resolv),
  ]);
}

/**
 * A linked container started again with another address (docker's updateParentsHosts): the address of its
 * --link line, the first line after the localhost block and the container's own line whose first name is the
 * alias, is rewritten. In place, as the file is bind-mounted into the running container; unchanged if the line
 * is not there (the user edited the file) or already right.
 */
export async function updateLinkAddress(etcFilesDir: string, alias: string, ip: string): Promise<void> {
  const path = join(etcFilesDir, 'hosts');
  const lines = (await readFile(path, 'utf8')).split('\n');
  const i = lines.findIndex((l, n) => n > LOCALHOST_HOSTS.length && l.split(/\s+/)[1] === alias);
  if (i < 0) return;
  const updated = lines[i]!.replace(/^\S+/, ip);
  if (updated === lines[i]) return;
  lines[i] = updated;
  await writeFile(path, lines.join('\n'));
}

/** The host's resolv.conf without loopback nameservers (127.0.0.0/8, ::1) and without comments. */
export function filterResolvConf(text: string): string {
  const kept = text.split('\n').filter((line) => {
    const l = line.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) return false;
    const m = /^nameserver\s+(\S+)/.exec(l);
    if (!m) return /^(search|domain|options)\s/.test(l);
    return !(m[1]!.startsWith('127.') || m[1] === '::1');
  });
  return kept.length ? kept.join('\n') + '\n' : '';
}

function searchAndOptions(text: string): string {
  const kept = filterResolvConf(text).split('\n').filter((l) => /^(search|domain|options)\s/.test(l));
  return kept.length ? kept.join('\n') + '\n' : '';
}

/** --dns, --dns-search and --dns-option each replace the corresponding lines when given. */
function overrideResolv(text: string, config: ContainerConfig): string {
  const dns = config.dns ?? [];
  const search = config.dnsSearch ?? [];
  const options = config.dnsOptions ?? [];
  if (!dns.length && !search.length && !options.length) return text;
  const lines = text.split('\n').filter(Boolean);
  const keep = (re: RegExp, replace: boolean) => (replace ? [] : lines.filter((l) => re.test(l)));
  const out = [
    ...(dns.length ? dns.map((d) => `nameserver ${d}`) : keep(/^nameserver\s/, false)),
    ...(search.length ? [`search ${search.join(' ')}`] : keep(/^(search|domain)\s/, false)),
    ...(options.length ? [`options ${options.join(' ')}`] : keep(/^options\s/, false)),
  ];
  return out.length ? out.join('\n') + '\n' : '';
}

async function readHostFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return '';
    throw wrap(err, `read host ${path}`);
  }
}
