// Docker's network endpoints (/networks…) over the engine's networks: create, list (with filters), inspect,
// remove, connect, disconnect, prune. Only the bridge driver exists; IPv6, attachable/ingress (swarm) and IPAM
// drivers other than the default are refused with a 400 naming the field.
import { InvalidArgumentError } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { readJson, response, sendEmpty, sendJson } from '../request.js';
import type { Router } from '../router.js';
import { checkFilterKeys, labelMatches, parseFilters } from './filters.js';
import { isSet, str } from './fields.js';

type Obj = Record<string, unknown>;
type EngineNetwork = ReturnType<Engine['inspectNetwork']>;

/** The engine's network view (already close to Docker's) with the fields Docker clients also read. */
export function dockerNetwork(n: EngineNetwork) {
  const containers: Record<string, object> = {};
  for (const [id, c] of Object.entries(n.Containers)) {
    containers[id] = { Name: c.Name, EndpointID: id, MacAddress: c.MacAddress, IPv4Address: c.IPv4Address, IPv6Address: '' };
  }
  return {
    Name: n.Name, Id: n.Id, Created: n.Created, Scope: 'local', Driver: 'bridge', EnableIPv4: true, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: n.IPAM.Config },
    Internal: n.Internal, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Containers: containers, Options: { ...n.Options, 'com.docker.network.bridge.name': n.Bridge }, Labels: n.Labels,
  };
}

function createRequest(body: Obj) {
  if (!isSet(body.Name)) throw new InvalidArgumentError('network create: "Name" is required');
  if (isSet(body.Driver) && body.Driver !== 'bridge') throw new InvalidArgumentError(`network create: driver "${String(body.Driver)}" is not supported (only bridge)`);
  for (const field of ['EnableIPv6', 'Attachable', 'Ingress', 'ConfigOnly']) {
    if (body[field] === true) throw new InvalidArgumentError(`network create: ${field} is not supported`);
  }
  const ipam = (body.IPAM ?? {}) as Obj;
  if (isSet(ipam.Driver) && ipam.Driver !== 'default') throw new InvalidArgumentError(`network create: IPAM driver "${String(ipam.Driver)}" is not supported`);
  const configs = (ipam.Config ?? []) as Obj[];
  if (configs.length > 1) throw new InvalidArgumentError('network create: only one IPAM config (one IPv4 subnet) is supported');
  const c = configs[0] ?? {};
  return {
    name: str(body.Name, 'Name'),
    ...(isSet(c.Subnet) ? { subnet: str(c.Subnet, 'IPAM.Config.Subnet') } : {}),
    ...(isSet(c.Gateway) ? { gateway: str(c.Gateway, 'IPAM.Config.Gateway') } : {}),
    internal: body.Internal === true,
    labels: (body.Labels ?? {}) as Record<string, string>,
  };
}

function listNetworks(engine: Engine, query: URLSearchParams) {
  const filters = parseFilters(query.get('filters'));
  checkFilterKeys(filters, ['name', 'id', 'label', 'driver', 'type', 'scope', 'dangling'], 'networks');
  return engine.listNetworks().filter((n) => {
    if (filters.name && !filters.name.some((v) => n.Name.includes(v))) return false;
    if (filters.id && !filters.id.some((v) => n.Id.startsWith(v))) return false;
    if (filters.driver && !filters.driver.includes('bridge')) return false;
    if (filters.scope && !filters.scope.includes('local')) return false;
    if (filters.type && !filters.type.includes(n.Default ? 'builtin' : 'custom')) return false;
    if (filters.dangling && filters.dangling.includes('true') !== (Object.keys(n.Containers).length === 0)) return false;
    return !filters.label || filters.label.every((want) => labelMatches(n.Labels, want));
  }).map(dockerNetwork);
}

export function dockerNetworkRoutes(router: Router): void {
  router
    .add('GET', '/networks', async (r) => sendJson(response(r), 200, listNetworks(r.engine, r.query)))
    .add('POST', '/networks/create', async (r) => {
      const created = await r.engine.createNetwork(createRequest(await readJson<Obj>(r.raw)));
      sendJson(response(r), 201, { Id: created.Id, Warning: '' });
    })
    .add('POST', '/networks/prune', async (r) => {
      sendJson(response(r), 200, { NetworksDeleted: await r.engine.pruneNetworks(parseFilters(r.query.get('filters'))) });
    })
    .add('GET', '/networks/:ref', async (r) => sendJson(response(r), 200, dockerNetwork(r.engine.inspectNetwork(r.params.ref!))))
    .add('DELETE', '/networks/:ref', async (r) => { await r.engine.removeNetwork(r.params.ref!); sendEmpty(response(r)); })
    .add('POST', '/networks/:ref/connect', async (r) => {
      const body = await readJson<Obj>(r.raw);
      const endpoint = (body.EndpointConfig ?? {}) as Obj;
      const ipam = (endpoint.IPAMConfig ?? {}) as Obj;
      await r.engine.connect(r.params.ref!, str(body.Container, 'Container'), {
        ...(isSet(endpoint.Aliases) ? { aliases: endpoint.Aliases as string[] } : {}),
        ...(isSet(ipam.IPv4Address) ? { ip: str(ipam.IPv4Address, 'EndpointConfig.IPAMConfig.IPv4Address') } : {}),
      });
      sendEmpty(response(r), 200);
    })
    .add('POST', '/networks/:ref/disconnect', async (r) => {
      const body = await readJson<Obj>(r.raw);
      await r.engine.disconnect(r.params.ref!, str(body.Container, 'Container'));
      sendEmpty(response(r), 200);
    });
}
