// What the CNI plugins leave on the host after the last DEL, and the engine removes when a network has no
// container left: the bridge device, the firewall plugin's isolation rules for that bridge, and the plugins'
// shared chains (CNI-FORWARD, CNI-ADMIN, CNI-ISOLATION-STAGE-*, CNI-HOSTPORT-*) once no rule for any container
// of any CNI user is in them. Other tools' chains (podman's NETAVARK_*) are never read or touched.
import { spawn } from 'node:child_process';
import { runCommand } from '../sys/run-command.js';
import { SHARED_CHAINS_LOCK } from './cni/invoke.js';
import { parseCidr, type Cidr } from './subnets.js';

const ISOLATION = 'CNI firewall plugin rules (ingressPolicy: same-bridge)';

/** IPv4 destinations of the host's routes (default routes excluded): subnets a new network must not overlap. */
export async function hostRoutes(): Promise<Cidr[]> {
  const r = await runCommand('ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { allowFailure: true });
  if (r.code !== 0) return [];
  const routes = JSON.parse(r.stdout || '[]') as Array<{ dst?: string; type?: string }>;
  const out: Cidr[] = [];
  for (const route of routes) {
    if (!route.dst || route.dst === 'default' || route.type === 'local' || route.type === 'broadcast') continue;
    const dst = route.dst.includes('/') ? route.dst : `${route.dst}/32`;
    try { out.push(parseCidr(dst)); } catch { /* a host route with host bits (local table): not a subnet */ }
  }
  return out;
}

export async function linkExists(name: string): Promise<boolean> {
  return (await runCommand('ip', ['link', 'show', 'dev', name], { allowFailure: true })).code === 0;
}

/** Deletes the bridge and the isolation rules that name it. */
export async function removeBridge(bridge: string): Promise<void> {
  // Rules first, the link last: a daemon killed in between leaves the bridge, which the next start sees and
  // releases again (reconcile looks for the link), rather than rules that nothing points to any more.
  await iptables(['-D', 'CNI-ISOLATION-STAGE-1', '-i', bridge, '!', '-o', bridge, '-m', 'comment', '--comment', ISOLATION, '-j', 'CNI-ISOLATION-STAGE-2']);
  await iptables(['-D', 'CNI-ISOLATION-STAGE-2', '-o', bridge, '-m', 'comment', '--comment', ISOLATION, '-j', 'DROP']);
  await runCommand('ip', ['link', 'del', 'dev', bridge], { allowFailure: true });
}

/** Rules of a chain as iptables -S prints them, without the chain's own "-N" line; undefined when it does not exist. */
async function chainRules(table: string, chain: string): Promise<string[] | undefined> {
  const r = await runCommand('iptables', ['-w', '-t', table, '-S', chain], { allowFailure: true });
  if (r.code !== 0) return undefined;
  return r.stdout.split('\n').filter((l) => l.startsWith('-A '));
}

async function iptables(args: string[], table = 'filter'): Promise<boolean> {
  return (await runCommand('iptables', ['-w', '-t', table, ...args], { allowFailure: true })).code === 0;
}

/** Deletes every rule of `parent` that jumps to `chain` (found by listing, so the exact match is the one made). */
async function dropJumps(table: string, parent: string, chain: string): Promise<void> {
  for (const rule of await chainRules(table, parent) ?? []) {
    if (!rule.endsWith(`-j ${chain}`)) continue;
    await runCommand('sh', ['-c', `iptables -w -t ${table} ${rule.replace(/^-A /, '-D ')}`], { allowFailure: true });
  }
}

async function dropChains(table: string, chains: string[], parents: string[]): Promise<void> {
  for (const chain of chains) for (const parent of parents) await dropJumps(table, parent, chain);
  for (const chain of chains) await iptables(['-F', chain], table);
  for (const chain of chains) await iptables(['-X', chain], table);
}

/**
 * Removes the shared CNI chains when they hold nothing of any container (only the plugins' fixed scaffolding).
 * Called after this engine's last attachment to some network is gone; another CNI user with live containers
 * keeps them, because its rules are in them.
 */
export async function sweepSharedChains(): Promise<void> {
  const release = await lockExclusive(SHARED_CHAINS_LOCK);
  try {
    await sweepLocked();
  } finally {
    release();
  }
}

/** Holds an exclusive flock(1) on path until the returned function is called (the holder waits on its stdin). */
function lockExclusive(path: string): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const holder = spawn('flock', ['-x', path, 'sh', '-c', 'echo locked; read _'], { stdio: ['pipe', 'pipe', 'ignore'] });
    holder.once('error', reject);
    holder.stdout.once('data', () => resolve(() => holder.stdin.end()));
    holder.once('exit', (code) => reject(new Error(`flock ${path} exited ${code}`)));
  });
}

async function sweepLocked(): Promise<void> {
  const forward = await chainRules('filter', 'CNI-FORWARD');
  const admin = await chainRules('filter', 'CNI-ADMIN');
  const stage1 = await chainRules('filter', 'CNI-ISOLATION-STAGE-1');
  const stage2 = await chainRules('filter', 'CNI-ISOLATION-STAGE-2');
  const onlyScaffold = (rules: string[] | undefined, allowed: RegExp) => (rules ?? []).every((r) => allowed.test(r));
  if ((forward || stage1) && onlyScaffold(forward, /-j CNI-ADMIN$/) && (admin ?? []).length === 0
    && onlyScaffold(stage1, /-j RETURN$/) && onlyScaffold(stage2, /-j RETURN$/)) {
    await dropChains('filter', ['CNI-FORWARD', 'CNI-ISOLATION-STAGE-1'], ['FORWARD']);
    await dropChains('filter', ['CNI-ADMIN', 'CNI-ISOLATION-STAGE-2'], []);
  }
  const dnat = await chainRules('nat', 'CNI-HOSTPORT-DNAT');
  if (dnat && dnat.length === 0) {
    await dropChains('nat', ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ'], ['PREROUTING', 'OUTPUT', 'POSTROUTING']);
    await dropChains('nat', ['CNI-HOSTPORT-SETMARK'], []);
  }
}
