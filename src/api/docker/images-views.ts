// Image records in Docker's JSON shapes: ImageSummary (GET /images/json), ImageInspect (GET /images/{name}/json)
// and HistoryResponseItem (GET /images/{name}/history). Names are shown familiar ("busybox:latest"), times as
// Docker does: unix seconds in lists, RFC 3339 in inspect.
import type { ImageRecord, ImageRunConfig } from '../../core/index.js';
import { familiarName } from '../../image/index.js';
import type { Lineage } from './images-lineage.js';

/** The time the image was made (its config says), else when this engine stored it. */
function createdIso(i: ImageRecord): string {
  const t = i.config.created && !Number.isNaN(Date.parse(i.config.created)) ? i.config.created : i.created;
  return new Date(Date.parse(t)).toISOString();
}

function unixSeconds(iso: string | undefined): number {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

export function createdSeconds(i: ImageRecord): number {
  return unixSeconds(createdIso(i));
}

export function repoTags(i: ImageRecord): string[] {
  return i.names.map(familiarName);
}

export function imageSummary(i: ImageRecord, lineage: Lineage) {
  return {
    Id: i.id,
    ParentId: lineage.parent(i)?.id ?? '',
    RepoTags: repoTags(i),
    RepoDigests: [] as string[],
    Created: createdSeconds(i),
    Size: i.size,
    SharedSize: -1,
    Labels: i.config.config?.Labels ?? {},
    Containers: -1,
  };
}

/** The run config in the shape Docker's image inspect has always shown (a container config's image part). */
export function dockerImageConfig(run: ImageRunConfig | undefined) {
  const c = run ?? {};
  return {
    Hostname: '', Domainname: '', User: c.User ?? '',
    AttachStdin: false, AttachStdout: false, AttachStderr: false,
    ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: false, OpenStdin: false, StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    Image: '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: null,
    Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.Shell ? { Shell: c.Shell } : {}),
  };
}

export function imageInspect(i: ImageRecord, lineage: Lineage) {
  const history = i.config.history ?? [];
  return {
    Id: i.id,
    RepoTags: repoTags(i),
    RepoDigests: [] as string[],
    Parent: lineage.parent(i)?.id ?? '',
    Comment: history.at(-1)?.comment ?? '',
    Created: createdIso(i),
    DockerVersion: '',
    Author: i.config.author ?? '',
    Config: dockerImageConfig(i.config.config),
    Architecture: i.config.architecture,
    Os: i.config.os,
    Size: i.size,
    GraphDriver: { Name: 'overlay', Data: null },
    RootFS: { Type: 'layers', Layers: [...i.config.rootfs.diff_ids] },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

/**
 * Newest first. Each history entry that is not empty_layer owns the next layer; an image without history
 * (imported from elsewhere) gets one line per layer. Size is the layer's blob as stored.
 */
export function imageHistory(i: ImageRecord, lineage: Lineage) {
  const layers = [...i.layers];
  const history = i.config.history?.length ? i.config.history : i.layers.map(() => ({ created: i.config.created }));
  const rows = history.map((h, index) => {
    const owner = lineage.atHistory(i, index);
    const layer = 'empty_layer' in h && h.empty_layer ? undefined : layers.shift();
    return {
      Id: owner?.id ?? '<missing>',
      Created: unixSeconds(h.created),
      CreatedBy: ('created_by' in h ? h.created_by : undefined) ?? '',
      Tags: owner && owner.names.length ? repoTags(owner) : null,
      Size: layer?.size ?? 0,
      Comment: ('comment' in h ? h.comment : undefined) ?? '',
    };
  });
  return rows.reverse();
}
