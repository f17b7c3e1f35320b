// /etc/hosts, /etc/hostname and /etc/resolv.conf, written by the engine into the container directory and bind
// mounted over the image's copies (so the image's are never modified and `diff` does not show them).
//
// What each network mode gets:
//   host  copies of the host's /etc/hosts and /etc/resolv.conf (the container shares the host's network);
//   none  localhost entries plus the container's hostname on 127.0.0.1 (so resolving one's own name works),
//         and a resolv.conf carrying the host's nameservers except loopback ones (a 127.x resolver on the host
//         is unreachable from a new netns), with the host's search and options lines. When nothing is left,
//         no nameserver line at all: there is no network to reach one anyway.
import { readFile } from 'node:fs/promises';
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

export async function writeEtcFiles(containerDir: string, config: ContainerConfig, sources: EtcFileSources = {}): Promise<void> {
  const hostResolv = await readHostFile(sources.resolvConfPath ?? '/etc/resolv.conf');
  let hosts: string;
  let resolv: string;
  if (config.network === 'host') {
    hosts = await readHostFile(sources.hostsPath ?? '/etc/hosts');
    resolv = hostResolv;
  } else {
    hosts = [...LOCALHOST_HOSTS, ...(config.hostname ? [`127.0.0.1\t${config.hostname}`] : [])].join('\n') + '\n';
    resolv = filterResolvConf(hostResolv);
  }
  await writeFileAtomic(join(containerDir, 'hosts'), hosts);
  await writeFileAtomic(join(containerDir, 'hostname'), `${config.hostname}\n`);
  await writeFileAtomic(join(containerDir, 'resolv.conf'), resolv);
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

async function readHostFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return '';
    throw wrap(err, `read host ${path}`);
  }
}
