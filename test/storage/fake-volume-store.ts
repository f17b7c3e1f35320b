// An in-memory VolumeStore for tests, with the same AlreadyExists rule as the real stores.
import { AlreadyExistsError, type VolumeRecord } from '../../src/core/index.js';
import type { VolumeStore } from '../../src/state/types.js';

export class FakeVolumeStore implements VolumeStore {
  readonly volumes = new Map<string, VolumeRecord>();
  addVolume(v: VolumeRecord): void {
    if (this.volumes.has(v.name)) throw new AlreadyExistsError(`volume ${v.name} already exists`);
    this.volumes.set(v.name, structuredClone(v));
  }
  getVolume(name: string): VolumeRecord | undefined {
    const v = this.volumes.get(name);
    return v && structuredClone(v);
  }
  listVolumes(): VolumeRecord[] {
    return [...this.volumes.values()].map((v) => structuredClone(v));
  }
  removeVolume(name: string): void {
    this.volumes.delete(name);
  }
}
