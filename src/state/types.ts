// The state-store seam: the only place engine records (containers, images, volumes) are persisted.
// Implementations: state/sqlite (production) and state/memory (tests). Every implementation passes
// test/state/state-suite.ts. Methods are synchronous because the SQLite driver is: each call is one
// transaction, and `transaction(fn)` groups several calls into one.
import type { ContainerConfig, ContainerRecord, ContainerState, ImageRecord, VolumeRecord } from '../core/index.js';

export interface ContainerStore {
  /** Throws AlreadyExists when the name is taken. */
  addContainer(name: string, config: ContainerConfig, state: ContainerState): void;
  getContainer(id: string): ContainerRecord | undefined;
  /** Resolves a full id, a unique id prefix or a name; throws NotFound, or InvalidArgument for an ambiguous prefix. */
  lookupContainer(ref: string): ContainerRecord;
  listContainers(): ContainerRecord[];
  saveState(id: string, state: ContainerState): void;
  /** Replaces the config (only `update` and `commit`-like operations that the user asked for do this). */
  saveConfig(id: string, config: ContainerConfig): void;
  rename(id: string, newName: string): void;
  removeContainer(id: string): void;
}

export interface ImageMetadataStore {
  putImage(image: ImageRecord): void;
  getImage(id: string): ImageRecord | undefined;
  listImages(): ImageRecord[];
  deleteImage(id: string): void;
  /** Points a normalised reference at an image, taking it away from any other image. */
  setImageName(name: string, imageId: string): void;
  removeImageName(name: string): void;
  /** Which image a normalised reference points at. */
  imageIdByName(name: string): string | undefined;
}

export interface VolumeStore {
  addVolume(volume: VolumeRecord): void;
  getVolume(name: string): VolumeRecord | undefined;
  listVolumes(): VolumeRecord[];
  removeVolume(name: string): void;
}

export interface StateStore extends ContainerStore, ImageMetadataStore, VolumeStore {
  transaction<T>(fn: () => T): T;
  schemaVersion(): number;
  close(): void;
}
