// Published-port judgement: which host ports and addresses a container's -p/-P mappings would take, against the
// publishedPorts rule. A mapping on every address ('' in the config) is the address "0.0.0.0" here, so an
// administrator allows it by listing that address and never by leaving the list out by accident.
import type { ContainerConfig } from '../../core/index.js';
import type { PublishedPortsRule } from './types.js';

export interface PortRange { low: number; high: number }

/** "80" or "8000-8999" (1-65535, low ≤ high); undefined when it is neither. */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  return low >= 1 && high <= 65535 && low <= high ? { low, high } : undefined;
}

const EVERY_ADDRESS = ['0.0.0.0', '::'];

/** Each way the config's published ports break the rule, as message fragments ("host port 80/tcp"). */
export function portProblems(config: ContainerConfig, rule: PublishedPortsRule): string[] {
  const problems: string[] = [];
  const ranges = rule.hostPorts?.filter((p) => p !== 'random').map((p) => parsePortRange(p)!);
  const randomAllowed = rule.hostPorts?.includes('random') ?? true;
  const portAllowed = (port: number) => ranges === undefined || ranges.some((r) => port >= r.low && port <= r.high);
  if (config.network === 'host') return problems;   // nothing is published: the host namespace rule judges this
  for (const p of config.ports) {
    const shown = `${p.hostIp ? `${p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp}:` : ''}${p.hostPort || 'random'}:${p.containerPort}/${p.protocol}`;
    if (p.hostPort === 0 ? !randomAllowed : !portAllowed(p.hostPort)) problems.push(`-p ${shown} uses a host port outside ${allowedPorts(rule)}`);
    if (rule.hostIps && !addressAllowed(p.hostIp, rule.hostIps)) {
      problems.push(`-p ${shown} binds ${p.hostIp || 'every host address'}, not one of ${rule.hostIps.join(', ')}`);
    }
  }
  if (config.publishAll && (config.exposedPorts?.length ?? 1) > 0) {
    if (!randomAllowed) problems.push(`-P publishes on random host ports, outside ${allowedPorts(rule)}`);
    if (rule.hostIps && !rule.hostIps.some((ip) => EVERY_ADDRESS.includes(ip))) problems.push(`-P binds every host address, not one of ${rule.hostIps.join(', ')}`);
  }
  return problems;
}

function addressAllowed(hostIp: string, allowed: readonly string[]): boolean {
  if (hostIp === '') return allowed.some((ip) => EVERY_ADDRESS.includes(ip));
  return allowed.includes(hostIp);
}

function allowedPorts(rule: PublishedPortsRule): string {
  return rule.hostPorts?.length ? `the allowed ${rule.hostPorts.join(', ')}` : 'the allowed none (publishing is off)';
}
