// The JSON shape of records as the API shows them (inspect, ps): the stored config and state plus derived fields.
import { shortId, type ContainerRecord, type ImageRecord } from '../core/index.js';
import { hardeningView } from '../security/index.js';
import { statusText } from '../engine/index.js';

export function containerView(c: ContainerRecord & { networkSettings?: object; links?: string[] }) {
  return {
    Id: c.config.id,
    ShortId: shortId(c.config.id),
    Name: c.name,
    Image: c.config.image,
    ImageId: c.config.imageId,
    Command: [...c.config.entrypoint, ...c.config.cmd].join(' '),
    Created: c.config.created,
    Status: statusText(c),
    State: { ...c.state, running: c.state.status === 'running' || c.state.status === 'paused', paused: c.state.status === 'paused' },
    Config: c.config,
    Hardening: hardeningView(c.config),
    NetworkSettings: c.networkSettings,
    Links: c.links ?? [],   // docker's "/NAME:/CONTAINER/ALIAS" for each --link whose container still exists
  };
}

export function imageView(i: ImageRecord) {
  return { Id: i.id, Names: i.names, Created: i.created, Size: i.size, Config: i.config, Layers: i.layers };
}
