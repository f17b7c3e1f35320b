// `system df -v`: docker's verbose layout — images with their shared and unique sizes, containers with their
// writable layers, volumes with how many containers mount them, and the build cache's step images.
import { formatSize, shortId } from '../../core/index.js';
import { since, table } from '../format.js';

export interface DiskUsage {
  images: Array<{ id: string; names: string[]; size: number; created?: string; sharedSize?: number; uniqueSize?: number; containers: number }>;
  containers: Array<{ id: string; name: string; status: string; size: number; image?: string; command?: string; created?: string; localVolumes?: number }>;
  volumes: Array<{ name: string; size: number; inUse: boolean; links?: number }>;
  buildCache?: { entries: number; size: number; images: Array<{ id: string; size: number; created: string; tagged: boolean }> };
}

export function verboseDiskUsage(d: DiskUsage): string {
  const imageRows = d.images.flatMap((i) => {
    const names = i.names.length ? i.names : ['<none>:<none>'];
    return names.map((n) => {
      const at = n.lastIndexOf(':');
      const [repo, tag] = at > n.lastIndexOf('/') ? [n.slice(0, at), n.slice(at + 1)] : [n, '<none>'];
      return [repo.replace(/^docker\.io\/(library\/)?/, ''), tag, shortId(i.id), i.created ? since(i.created) : '', formatSize(i.size),
        formatSize(i.sharedSize ?? 0), formatSize(i.uniqueSize ?? i.size), String(i.containers)];
    });
  });
  const containerRows = d.containers.map((c) => [shortId(c.id), c.image ?? '', quoted(c.command ?? ''), String(c.localVolumes ?? 0),
    formatSize(c.size), c.created ? since(c.created) : '', c.status, c.name]);
  const volumeRows = d.volumes.map((v) => [v.name, String(v.links ?? (v.inUse ? 1 : 0)), formatSize(v.size)]);
  const cache = d.buildCache;
  const cacheRows = (cache?.images ?? []).map((b) => [shortId(b.id), 'regular', formatSize(b.size), since(b.created), String(b.tagged)]);
  return [
    'Images space usage:\n',
    table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], imageRows),
    'Containers space usage:\n',
    table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], containerRows),
    'Local Volumes space usage:\n',
    table(['VOLUME NAME', 'LINKS', 'SIZE'], volumeRows),
    `Build cache usage: ${formatSize(cache?.size ?? 0)}\n`,
    table(['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'SHARED'], cacheRows),
  ].join('\n');
}

function quoted(cmd: string): string {
  return `"${cmd.length > 20 ? `${cmd.slice(0, 19)}…` : cmd}"`;
}
