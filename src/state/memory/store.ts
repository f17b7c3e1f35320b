// In-memory state, for unit tests of the layers above state. Same contract as the SQLite store (checked by
// test/state/state-suite.ts), including rollback of a failed transaction.
import { AlreadyExistsError, NotFoundError, type ContainerConfig, type ContainerRecord, type ContainerState,
  type ImageRecord, type VolumeRecord } from '../../core/index.js';
import type { AttachmentRecord, NetworkRecord } from '../../network/types.js';
import type { Allocation } from '../../resources/types.js';
import type { StateStore } from '../types.js';
import { lookupByRef } from '../lookup.js';

interface Tables {
  containers: Map<string, ContainerRecord>;
  images: Map<string, Omit<ImageRecord, 'names'>>;
  imageNames: Map<string, string>;
  volumes: Map<string, VolumeRecord>;
  networks: Map<string, NetworkRecord>;
  attachments: Map<string, AttachmentRecord>;   // key: containerId/networkId, in insertion order
  allocations: Map<string, Allocation>;
}

export class MemoryStateStore implements StateStore {
  private t: Tables = { containers: new Map(), images: new Map(), imageNames: new Map(), volumes: new Map(), networks: new Map(), attachments: new Map(),
    allocations: new Map() };

  transaction<T>(fn: () => T): T {
    const saved = structuredClone(this.t);
    try {
      return fn();
    } catch (err) {
      this.t = saved;
      throw err;
    }
  }

  schemaVersion(): number { return 1; }
  close(): void { /* nothing to release */ }
  flush(): Promise<void> { return Promise.resolve(); }

  addContainer(name: string, config: ContainerConfig, state: ContainerState): void {
    if (this.byName(name)) throw new AlreadyExistsError(`container name "${name}" is already in use`);
    this.t.containers.set(config.id, structuredClone({ name, config, state }));
  }

  getContainer(id: string): ContainerRecord | undefined {
    const r = this.t.containers.get(id);
    return r && structuredClone(r);
  }

  lookupContainer(ref: string): ContainerRecord {
    return structuredClone(lookupByRef(ref, (n) => this.byName(n),
      (p) => [...this.t.containers.values()].filter((c) => c.config.id.startsWith(p))));
  }

  listContainers(): ContainerRecord[] {
    return [...this.t.containers.values()].map((c) => structuredClone(c))
      .sort((a, b) => b.config.created.localeCompare(a.config.created));
  }

  containersLinkingTo(id: string): ContainerRecord[] {
    return this.listContainers().filter((c) => c.config.links?.some((l) => l.id === id));
  }

  saveState(id: string, state: ContainerState): void { this.must(id).state = structuredClone(state); }
  saveConfig(id: string, config: ContainerConfig): void { this.must(id).config = structuredClone(config); }

  rename(id: string, newName: string): void {
    const holder = this.byName(newName);
    if (holder && holder.config.id !== id) throw new AlreadyExistsError(`container name "${newName}" is already in use`);
    this.must(id).name = newName;
  }

  removeContainer(id: string): void { this.t.containers.delete(id); }

  putImage(image: ImageRecord): void {
    const { names, ...rest } = structuredClone(image);
    this.t.images.set(image.id, rest);
    for (const n of names) this.t.imageNames.set(n, image.id);
  }

  getImage(id: string): ImageRecord | undefined {
    const r = this.t.images.get(id);
    return r && { ...structuredClone(r), names: this.namesOf(id) };
  }

  listImages(): ImageRecord[] {
    return [...this.t.images.keys()].map((id) => this.getImage(id)!);
  }

  deleteImage(id: string): void {
    this.t.images.delete(id);
    for (const n of this.namesOf(id)) this.t.imageNames.delete(n);
  }

  setImageName(name: string, imageId: string): void { this.t.imageNames.set(name, imageId); }
  removeImageName(name: string): void { this.t.imageNames.delete(name); }
  imageIdByName(name: string): string | undefined { return this.t.imageNames.get(name); }

  addVolume(volume: VolumeRecord): void {
    if (this.t.volumes.has(volume.name)) throw new AlreadyExistsError(`volume "${volume.name}" already exists`);
    this.t.volumes.set(volume.name, structuredClone(volume));
  }

  getVolume(name: string): VolumeRecord | undefined {
    const v = this.t.volumes.get(name);
    return v && structuredClone(v);
  }

  listVolumes(): VolumeRecord[] {
    return [...this.t.volumes.values()].map((v) => structuredClone(v)).sort((a, b) => a.name.localeCompare(b.name));
  }

  removeVolume(name: string): void { this.t.volumes.delete(name); }

  addNetwork(network: NetworkRecord): void {
    if ([...this.t.networks.values()].some((n) => n.name === network.name)) {
      throw new AlreadyExistsError(`network with name "${network.name}" already exists`);
    }
    this.t.networks.set(network.id, structuredClone(network));
  }

  getNetwork(id: string): NetworkRecord | undefined {
    const n = this.t.networks.get(id);
    return n && structuredClone(n);
  }

  lookupNetwork(ref: string): NetworkRecord {
    const all = [...this.t.networks.values()];
    return structuredClone(lookupByRef(ref, (name) => all.find((n) => n.name === name), (p) => all.filter((n) => n.id.startsWith(p)), 'network'));
  }

  listNetworks(): NetworkRecord[] {
    return [...this.t.networks.values()].map((n) => structuredClone(n)).sort((a, b) => a.name.localeCompare(b.name));
  }

  removeNetwork(id: string): void { this.t.networks.delete(id); }

  saveAttachment(a: AttachmentRecord): void { this.t.attachments.set(`${a.containerId}/${a.networkId}`, structuredClone(a)); }

  listAttachments(containerId?: string): AttachmentRecord[] {
    return [...this.t.attachments.values()].filter((a) => containerId === undefined || a.containerId === containerId)
      .map((a) => structuredClone(a));
  }

  removeAttachment(containerId: string, networkId: string): void { this.t.attachments.delete(`${containerId}/${networkId}`); }

  saveAllocation(a: Allocation): void { this.t.allocations.set(a.containerId, structuredClone(a)); }

  listAllocations(): Allocation[] {
    return [...this.t.allocations.values()].sort((a, b) => a.containerId.localeCompare(b.containerId)).map((a) => structuredClone(a));
  }

  removeAllocation(containerId: string): void { this.t.allocations.delete(containerId); }

  private byName(name: string): ContainerRecord | undefined {
    return [...this.t.containers.values()].find((c) => c.name === name);
  }

  private namesOf(id: string): string[] {
    return [...this.t.imageNames.entries()].filter(([, v]) => v === id).map(([k]) => k).sort();
  }

  private must(id: string): ContainerRecord {
    const r = this.t.containers.get(id);
    if (!r) throw new NotFoundError(`no such container: ${id}`);
    return r;
  }
}
