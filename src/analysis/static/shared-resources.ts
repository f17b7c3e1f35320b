// Resource nodes for what containers share beyond the CPUs: host memory, block devices, networks, volumes,
// the kernel, and the hypervisor when the host is a VM.
import { formatBytes, type ResourceDraft } from './draft.js';
import { EXPOSURE } from './weights.js';
import type { ContainerFacts, Edge, HostFacts } from './types.js';

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function memoryResource(topology: HostFacts['topology'], containers: ContainerFacts[]): ResourceDraft {
  // Limits only protect the host from a container if together they fit; beyond that, reclaim hits everyone.
  const limited = containers.filter((c) => c.memoryLimit !== undefined);
  const sum = limited.reduce((s, c) => s + c.memoryLimit!, 0);
  const fits = topology.memTotal === 0 || sum <= topology.memTotal;
  const edges = containers.map((c): Edge => {
    const guaranteed = (c.memoryGuaranteed ?? 0) > 0 ? `${formatBytes(c.memoryGuaranteed!)} guaranteed` : '';
    if (c.memoryLimit === undefined && !guaranteed) return { container: c.id, resource: 'mem:host', exposure: EXPOSURE.memUnlimited, reason: 'no memory limit' };
    const what = [c.memoryLimit !== undefined ? `limit ${formatBytes(c.memoryLimit)}` : '', guaranteed].filter(Boolean).join(', ');
    return fits || guaranteed
      ? { container: c.id, resource: 'mem:host', exposure: EXPOSURE.memLimitedFits, reason: `${what}; all limits fit in host memory` }
      : { container: c.id, resource: 'mem:host', exposure: EXPOSURE.memLimitedOvercommitted, reason: `${what}; the limits together overcommit host memory` };
  });
  return { id: 'mem:host', kind: 'memory', label: `host memory (${formatBytes(topology.memTotal)})`, edges };
}

function blockResources(containers: ContainerFacts[]): ResourceDraft[] {
  const devices = [...new Set(containers.flatMap((c) => c.blockDevices.map((b) => b.device)))].sort(byName);
  return devices.map((device) => {
    const id = `blk:${device}`;
    const edges = containers.flatMap((c): Edge[] => {
      const uses = c.blockDevices.filter((b) => b.device === device);
      if (uses.length === 0) return [];
      const what = [...new Set(uses.map((b) => b.what))].sort(byName).join(' and ');
      const limited = uses.every((b) => b.ioLimited);
      return [{ container: c.id, resource: id, exposure: limited ? EXPOSURE.blkLimited : EXPOSURE.blkUnlimited, reason: `${what} on it, ${limited ? 'I/O-limited' : 'no I/O limit'}` }];
    });
    return { id, kind: 'block', label: `block device ${device}`, edges };
  });
}

function networkResources(containers: ContainerFacts[]): ResourceDraft[] {
  const nets = [...new Set(containers.flatMap((c) => c.networks))].sort(byName);
  return nets.map((net) => ({
    id: `net:${net}`, kind: 'network', label: net === 'host' ? 'host network namespace' : `bridge ${net}`,
    edges: containers.filter((c) => c.networks.includes(net)).map((c) => ({
      container: c.id, resource: `net:${net}`, exposure: EXPOSURE.network, reason: net === 'host' ? 'on the host network' : 'attached to this bridge',
    })),
  }));
}

function volumeResources(containers: ContainerFacts[]): ResourceDraft[] {
  const vols = [...new Set(containers.flatMap((c) => c.volumes.map((v) => v.name)))].sort(byName);
  return vols.map((name) => ({
    id: `vol:${name}`, kind: 'volume', label: `volume ${name}`,
    edges: containers.flatMap((c) => {
      const v = c.volumes.filter((x) => x.name === name);
      if (v.length === 0) return [];
      const rw = v.some((x) => !x.readOnly);
      return [{ container: c.id, resource: `vol:${name}`, exposure: rw ? EXPOSURE.volumeRw : EXPOSURE.volumeRo, reason: rw ? 'mounted read-write' : 'mounted read-only' }];
    }),
  }));
}

export function sharedResources(host: HostFacts, containers: ContainerFacts[]): ResourceDraft[] {
  const drafts = [memoryResource(host.topology, containers), ...blockResources(containers), ...networkResources(containers), ...volumeResources(containers)];
  drafts.push({
    id: 'kernel', kind: 'kernel', label: 'host kernel',
    edges: containers.map((c) => ({ container: c.id, resource: 'kernel', exposure: EXPOSURE.kernel, reason: 'shares the kernel: syscalls, locks, page cache, scheduler' })),
  });
  const kind = host.virtualization.kind;
  if (kind === 'vm' || kind === 'vm+container') {
    drafts.push({
      id: 'hypervisor', kind: 'hypervisor', label: `hypervisor (${host.virtualization.hypervisor ?? 'unknown'})`,
      edges: containers.map((c) => ({ container: c.id, resource: 'hypervisor', exposure: EXPOSURE.hypervisor, reason: 'every vCPU runs on the hypervisor: steal time, VM exits' })),
    });
  }
  return drafts;
}
