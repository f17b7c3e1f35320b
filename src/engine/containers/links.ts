// --link NAME[:ALIAS] (docker's HostConfig.Links), the legacy link. At create the linked container must exist, run,
// and have an address on a network the new container joins; the link is kept by the linked container's id, so a
// rename keeps it. At each start (and exec) it is resolved again, as docker does: /etc/hosts maps the alias, the
// linked container's hostname and its name to its address on the first network the two share, and the process
// gets docker's variables (ALIAS_NAME, ALIAS_PORT_80_TCP…, ALIAS_ENV_…). A linked container removed since is
// dropped from the link list, as docker drops it; one that no longer runs fails the start. When a linked container
// starts again (with a new address), the /etc/hosts of each running container linking to it follows, as docker's
// updateParentsHosts does; its variables keep the old address until it restarts, as in docker.
// Docker keeps the hosts entry and the variables to its default bridge (user-defined networks resolve the alias
// through its DNS instead); here any shared network serves, so a link works on every network the engine has.
import { ConflictError, InvalidArgumentError, isNotFound, type ContainerLink, type ContainerRecord } from '../../core/index.js';
import { updateLinkAddress } from '../../specgen/index.js';
import { runDir, type EngineContext } from '../context.js';
import { DEFAULT_NETWORK } from '../networks/index.js';

/** What a start needs from the links: the /etc/hosts lines and the process's variables. */
export interface LinkFacts {
  hosts: Array<{ ip: string; names: string[] }>;
  env: string[];
}

/** The container that links: a record, or at create the name and config about to be recorded. */
type Linking = Pick<ContainerRecord, 'name' | 'config'>;

const ALIAS_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const HOST_NETWORK_CONFLICT = "conflicting options: host type networking can't be used with links. This would result in undefined behavior";

/** NAME[:ALIAS], or docker's stored form /NAME:/CONTAINER/ALIAS (what an inspected HostConfig sends back). */
export function parseLink(spec: string): { ref: string; alias: string } {
  const parts = spec.split(':');
  if (!spec || parts.length > 2 || parts.some((p) => p === '')) throw new InvalidArgumentError(`invalid --link "${spec}": expected NAME[:ALIAS]`);
  const [name, alias = name] = parts as [string, string?];
  // Only docker's stored form has slashes: "/a:/web/db" is container a, alias db.
  const stored = name.startsWith('/');
  const ref = stored ? name.slice(1) : name;
  const bare = stored ? alias.slice(alias.lastIndexOf('/') + 1) : alias;
  if (!ref || !ALIAS_RE.test(bare)) throw new InvalidArgumentError(`invalid --link "${spec}": the alias must be letters, digits, "_", "." or "-"`);
  return { ref, alias: bare };
}

/** Create: the links of a new container, checked against what runs now. */
export function resolveLinks(ctx: EngineContext, rec: Linking, specs: string[]): ContainerLink[] {
  const links: ContainerLink[] = [];
  for (const spec of specs) {
    const { ref, alias } = parseLink(spec);
    if (links.some((l) => l.alias === alias)) throw new InvalidArgumentError(`invalid --link "${spec}": alias ${alias} is given twice`);
    let target: ContainerRecord;
    try {
      target = ctx.state.lookupContainer(ref);
    } catch (err) {
      // A 400, not a 404: docker's CLI takes a 404 from create for a missing image and would try to pull it.
      if (isNotFound(err)) throw new InvalidArgumentError(`could not get container for ${ref}: no such container`);
      throw err;
    }
    const link = { id: target.config.id, alias };
    linkedAddress(ctx, rec, target, link);
    links.push(link);
  }
  return links;
}

/** Start: the hosts lines and variables of every link whose container still exists. */
export function linkFacts(ctx: EngineContext, rec: ContainerRecord, opts: { lenient?: boolean } = {}): LinkFacts {
  const facts: LinkFacts = { hosts: [], env: [] };
  for (const link of rec.config.links ?? []) {
    const target = ctx.state.getContainer(link.id);
    if (!target) continue;
    let ip: string;
    try {
      ip = linkedAddress(ctx, rec, target, link);
    } catch (err) {
      if (opts.lenient) continue;   // exec: left out rather than refusing the exec
      throw err;
    }
    // As docker: the alias, the linked container's hostname, and its name when the alias is another word.
    const names = [...new Set([link.alias, target.config.hostname, target.name])];
    facts.hosts.push({ ip, names });
    facts.env.push(...linkEnv(`/${rec.name}/${link.alias}`, link.alias, ip, target));
  }
  return facts;
}

/**
 * After `target` started: the hosts line of each running container that links to it gets its new address. A
 * failure is left out, as docker only logs it: the linking container keeps running with the old line (its file may
 * be gone because it is stopping just now).
 */
export async function updateLinkers(ctx: EngineContext, targetId: string): Promise<void> {
  const linkers = ctx.state.containersLinkingTo(targetId).filter((c) => c.state.status === 'running' || c.state.status === 'paused');
  const target = linkers.length ? ctx.state.getContainer(targetId) : undefined;
  if (!target) return;
  for (const rec of linkers) {
    // One writer per hosts file: two linked containers starting at once must not lose each other's line.
    await ctx.locks.run(`hosts:${rec.config.id}`, async () => {
      for (const link of rec.config.links!.filter((l) => l.id === targetId)) {
        await updateLinkAddress(runDir(ctx, rec.config.id), link.alias, linkedAddress(ctx, rec, target, link));
      }
    }).catch(() => undefined);
  }
}

/** Docker's HostConfig.Links: "/NAME:/CONTAINER/ALIAS" for each link whose container still exists. */
export function linkViews(ctx: EngineContext, rec: ContainerRecord): string[] {
  return (rec.config.links ?? []).flatMap((l) => {
    const target = ctx.state.getContainer(l.id);
    return target ? [`/${target.name}:/${rec.name}/${l.alias}`] : [];
  });
}

/** The linked container's address on the first of rec's networks it is attached to; a one-line error otherwise. */
function linkedAddress(ctx: EngineContext, rec: Linking, target: ContainerRecord, link: ContainerLink): string {
  if (rec.config.network === 'host' || target.config.network === 'host') throw new InvalidArgumentError(HOST_NETWORK_CONFLICT);
  if (target.state.status !== 'running' && target.state.status !== 'paused') {
    throw new ConflictError(`cannot link to a non running container: /${target.name} AS /${rec.name}/${link.alias}`);
  }
  if (rec.config.networks.length === 0) {
    throw new InvalidArgumentError(`conflicting options: --link cannot be used with --network ${rec.config.network}: the container would share no network with ${target.name}`);
  }
  const attached = ctx.state.listAttachments(target.config.id).filter((a) => a.status === 'attached' && a.ip);
  for (const want of rec.config.networks) {
    const net = ctx.state.listNetworks().find((n) => (want.name === DEFAULT_NETWORK ? n.isDefault : n.name === want.name || n.id === want.name));
    const a = net && attached.find((x) => x.networkId === net.id);
    if (a) return a.ip;
  }
  throw new InvalidArgumentError(`cannot link to ${target.name}, as it does not belong to this container's networks (${rec.config.networks.map((n) => n.name).join(', ')})`);
}

/** docker's link variables (moby daemon/links): ports sorted TCP first, consecutive ones also as a range. */
export function linkEnv(linkName: string, alias: string, ip: string, target: ContainerRecord): string[] {
  const prefix = alias.toUpperCase().replaceAll('-', '_');
  const ports = exposedPorts(target).sort((a, b) => (a.proto === b.proto ? a.port - b.port : a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto.localeCompare(b.proto)));
  const env: string[] = [];
  if (ports[0]) env.push(`${prefix}_PORT=${ports[0].proto}://${ip}:${ports[0].port}`);
  let start = ports[0];
  let end = ports[0];
  const range = () => {
    if (!start || !end || start === end) return;
    const p = `${prefix}_PORT_${start.port}_${start.proto.toUpperCase()}`;
    env.push(`${p}_START=${start.proto}://${ip}:${start.port}`, `${p}_PORT_START=${start.port}`,
      `${p}_END=${end.proto}://${ip}:${end.port}`, `${p}_PORT_END=${end.port}`);
  };
  for (const [i, p] of ports.entries()) {
    const name = `${prefix}_PORT_${p.port}_${p.proto.toUpperCase()}`;
    env.push(`${name}=${p.proto}://${ip}:${p.port}`, `${name}_ADDR=${ip}`, `${name}_PORT=${p.port}`, `${name}_PROTO=${p.proto}`);
    if (i === 0) continue;
    if (p.proto === end!.proto && p.port === end!.port + 1) {
      end = p;
      if (i < ports.length - 1) continue;
      range();
    } else {
      range();
      start = end = p;
    }
  }
  env.push(`${prefix}_NAME=${linkName}`);
  for (const kv of target.config.env) {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    if (eq <= 0 || key === 'HOME' || key === 'PATH') continue;
    env.push(`${prefix}_ENV_${key}=${kv.slice(eq + 1)}`);
  }
  return env;
}

/** The image's EXPOSEd ports and the published ones, as docker's ExposedPorts holds both. */
function exposedPorts(rec: ContainerRecord): Array<{ port: number; proto: string }> {
  const seen = new Map<string, { port: number; proto: string }>();
  const add = (port: number, proto: string) => { if (Number.isInteger(port) && port > 0) seen.set(`${port}/${proto}`, { port, proto }); };
  for (const spec of rec.config.exposedPorts ?? []) {
    const [port, proto = 'tcp'] = spec.split('/');
    add(Number(port), proto);
  }
  for (const p of rec.config.ports) add(p.containerPort, p.protocol);
  return [...seen.values()];
}
