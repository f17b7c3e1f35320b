// Reading a policy: JSON in the documented shape ({"profile": …, "rules": {…}}), checked strictly at load so a
// typo can never silently weaken it. Every mistake is one line naming the file and the key path, e.g.
// `policy /etc/bulkhead/policy.json: rules.allowedCapabilities[1]: "FOO" is not a capability`.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { posix } from 'node:path';
import { InvalidArgumentError, errnoCode } from '../../core/index.js';
import { ALL, normalizeCapability } from '../capabilities.js';
import { builtinProfile, isProfileName } from './profiles.js';
import { parsePortRange } from './ports.js';
import { PROFILE_NAMES, RULES, RULE_NAMES, type Policy, type PolicyRules, type PublishedPortsRule, type RuleName } from './types.js';

const TOP_KEYS = ['profile', 'rules', 'description'];
const PORT_KEYS = ['hostPorts', 'hostIps'];
const SYSCTL_RE = /^[A-Za-z0-9_\-/]+(\.[A-Za-z0-9_\-/]+)*(\.\*|\*)?$/;
const REGISTRY_RE = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(:\d{1,5})?(\/[a-z0-9._\-/]+)?$/;

type Fail = (path: string, why: string) => never;

/** Reads and checks a policy file. */
export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read policy ${path}: ${errnoCode(err) ?? String(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`policy ${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parsePolicy(json, path);
}

/** Checks a parsed policy document (from a file, or inline in the daemon config) and lays its rules over its profile. */
export function parsePolicy(json: unknown, source: string): Policy {
  const fail: Fail = (path, why) => { throw new InvalidArgumentError(`policy ${source}: ${path ? `${path}: ` : ''}${why}`); };
  const doc = object(json, '', fail, 'the policy must be a JSON object');
  checkKeys(doc, TOP_KEYS, '', fail);
  if (doc.description !== undefined && typeof doc.description !== 'string') fail('description', 'must be a string');
  let profile: Policy['profile'];
  if (doc.profile !== undefined) {
    if (!isProfileName(doc.profile)) fail('profile', `unknown profile ${JSON.stringify(doc.profile)} (known: ${PROFILE_NAMES.join(', ')})`);
    profile = doc.profile;
  }
  const explicit = doc.rules === undefined ? {} : object(doc.rules, 'rules', fail, 'must be an object of rule: value');
  checkKeys(explicit, RULE_NAMES, 'rules', fail);
  const rules: PolicyRules = profile ? builtinProfile(profile) : {};
  const explicitRules: RuleName[] = [];
  for (const name of RULE_NAMES) {
    if (!(name in explicit)) continue;
    explicitRules.push(name);
    const value = checkRule(name, explicit[name], `rules.${name}`, fail);
    if (value === null) delete rules[name];
    else (rules as Record<string, unknown>)[name] = value;
  }
  return { source, ...(profile ? { profile } : {}), rules, explicitRules };
}

function checkRule(name: RuleName, v: unknown, path: string, fail: Fail): unknown {
  const kind = RULES[name].kind;
  if (kind === 'allow' || kind === 'require') {
    if (typeof v !== 'boolean') fail(path, `must be true or false, not ${JSON.stringify(v)}`);
    return v;
  }
  if (v === null) return null;
  if (kind === 'ports') return publishedPorts(v, path, fail);
  const items = stringList(v, path, fail);
  switch (name) {
    case 'allowedCapabilities':
    case 'allowedAddedCapabilities':
      return unique(items.map((c, i) => capability(c, `${path}[${i}]`, fail)));
    case 'allowedSysctls':
      items.forEach((s, i) => { if (!SYSCTL_RE.test(s)) fail(`${path}[${i}]`, `${JSON.stringify(s)} is not a sysctl name or a prefix ending in "*"`); });
      return unique(items);
    case 'bindMountRoots':
      return unique(items.map((p, i) => hostRoot(p, `${path}[${i}]`, fail)));
    case 'allowedRegistries':
      return unique(items.map((r, i) => registry(r, `${path}[${i}]`, fail)));
    default:
      return fail(path, 'is not a list rule');
  }
}

function capability(name: string, path: string, fail: Fail): string {
  const cap = normalizeCapability(name);
  if (cap === ALL) fail(path, '"ALL" cannot be listed (set the rule to null for no limit)');
  if (!cap) fail(path, `${JSON.stringify(name)} is not a capability`);
  return cap;
}

function hostRoot(p: string, path: string, fail: Fail): string {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  if (!posix.isAbsolute(trimmed)) fail(path, `${JSON.stringify(p)} must be an absolute host path`);
  if (posix.normalize(trimmed) !== trimmed) fail(path, `${JSON.stringify(p)} must be a clean path (no "..", "." or "//")`);
  return trimmed;
}

function registry(r: string, path: string, fail: Fail): string {
  const lower = r.toLowerCase().replace(/\/+$/, '');
  if (!REGISTRY_RE.test(lower) || /\/\/|(^|\/)\.\.?(\/|$)/.test(lower)) {
    fail(path, `${JSON.stringify(r)} is not a registry (host[:port], optionally /repository-prefix)`);
  }
  // Docker's alias for Docker Hub: the engine resolves names to docker.io.
  return lower.replace(/^index\.docker\.io(?=\/|$)/, 'docker.io');
}

function publishedPorts(v: unknown, path: string, fail: Fail): PublishedPortsRule {
  const o = object(v, path, fail, 'must be an object with hostPorts and/or hostIps, or null');
  checkKeys(o, PORT_KEYS, path, fail);
  const out: PublishedPortsRule = {};
  if (o.hostPorts !== undefined && o.hostPorts !== null) {
    const ports = stringList(o.hostPorts, `${path}.hostPorts`, fail);
    ports.forEach((p, i) => {
      if (p !== 'random' && !parsePortRange(p)) fail(`${path}.hostPorts[${i}]`, `${JSON.stringify(p)} is not a port, a range "low-high" (1-65535) or "random"`);
    });
    out.hostPorts = unique(ports);
  }
  if (o.hostIps !== undefined && o.hostIps !== null) {
    const ips = stringList(o.hostIps, `${path}.hostIps`, fail);
    ips.forEach((ip, i) => { if (!isIP(ip)) fail(`${path}.hostIps[${i}]`, `${JSON.stringify(ip)} is not an IP address (use "0.0.0.0" for every address)`); });
    out.hostIps = unique(ips);
  }
  return out;
}

function object(v: unknown, path: string, fail: Fail, why: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, why);
  return v as Record<string, unknown>;
}

function stringList(v: unknown, path: string, fail: Fail): string[] {
  if (!Array.isArray(v)) fail(path, `must be a list of strings, or null for no limit, not ${JSON.stringify(v)}`);
  v.forEach((s, i) => { if (typeof s !== 'string') fail(`${path}[${i}]`, `must be a string, not ${JSON.stringify(s)}`); });
  return v as string[];
}

function checkKeys(o: Record<string, unknown>, known: readonly string[], path: string, fail: Fail): void {
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    fail(path ? `${path}.${key}` : key, `unknown ${path === 'rules' ? 'rule' : 'key'}${hint ? ` (did you mean "${hint}"?)` : ` (known: ${known.join(', ')})`}`);
  }
}

/** The known key a typo most likely meant: same letters ignoring case, or at most 2 edits away. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
