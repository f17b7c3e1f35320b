// The bridge plugin (1.1.1) tears a container's masquerade down from the addresses it reads off the container's
// interface. A DEL repeated after a daemon was killed in the middle of the first one finds no interface, and the
// container's nat chain stays. The plugin tags every rule of it with `id: "<CNI container id>"`, so after a
// crash the engine finds and removes exactly those rules and chains, and nothing else.
import { runCommand } from '../sys/run-command.js';

/** Removes the nat rules tagged with one of these CNI container ids, and the chains only they used. */
export async function sweepNatLeftovers(cniIds: readonly string[]): Promise<void> {
  if (cniIds.length === 0) return;
  const r = await runCommand('iptables', ['-w', '-t', 'nat', '-S'], { allowFailure: true });
  if (r.code !== 0) return;
  const tagged = (line: string) => cniIds.some((id) => line.includes(`id: \\"${id}\\"`) || line.includes(`id: "${id}"`));
  const lines = r.stdout.split('\n');
  const jumps = lines.filter((l) => l.startsWith('-A POSTROUTING ') && tagged(l));
  const chains = new Set(jumps.map((l) => /-j (CNI-[A-Za-z0-9]+)\b/.exec(l)?.[1]).filter((c): c is string => !!c));
  for (const rule of jumps) await runCommand('sh', ['-c', `iptables -w -t nat ${rule.replace(/^-A /, '-D ')}`], { allowFailure: true });
  for (const chain of chains) {
    // Only a chain whose every rule carries one of the ids: the plugin's per-container chain.
    const own = lines.filter((l) => l.startsWith(`-A ${chain} `));
    if (!own.every(tagged)) continue;
    await runCommand('iptables', ['-w', '-t', 'nat', '-F', chain], { allowFailure: true });
    await runCommand('iptables', ['-w', '-t', 'nat', '-X', chain], { allowFailure: true });
  }
}
