// The state-store seam: the only place engine records (containers, images, volumes) are persisted.
// Implementations: state/sqlite (production) and state/memory (tests). Every implementation passes
// test/state/state-suite.ts. Methods are synchronous because the SQLite driver is: each call is one
// transaction, and `transaction(fn)` groups several calls into one.
import type { ContainerConfig, ContainerRecord, ContainerState, ImageRecord, VolumeRecord } from '../core/index.js';
import type { AttachmentRecord, NetworkRecord } from '../network/types.js';
import type { Allocation } from '../resources/types.js';

/**
 * How a write reaches the disk. Every write is atomic and survives the daemon's crash; `durable: false` only lets
 * it reach the disk after the call returns (with the next durable write, or a flush()), so a power loss may undo
 * it. The engine asks for that where it awaits flush() before it answers, or where start-up reconciliation,
 * finding the older record, ends in the same place.
 */
export interface WriteOptions {
  durable?: boolean;
}

export interface ContainerStore {
  /** Throws AlreadyExists when the name is taken. */
  addContainer(name: string, config: ContainerConfig, state: ContainerState, opts?: WriteOptions): void;
  getContainer(id: string): ContainerRecord | undefined;
  /** Resolves a full id, a unique id prefix or a name; throws NotFound, or InvalidArgument for an ambiguous prefix. */
  lookupContainer(ref: string): ContainerRecord;
  listContainers(): ContainerRecord[];
  /** The containers whose --link points at this id: a start asks, so it must not cost a parse of every record. */
  containersLinkingTo(id: string): ContainerRecord[];
  saveState(id: string, state: ContainerState, opts?: WriteOptions): void;
  /** Replaces the config (only `update` and `commit`-like operations that the user asked for do this). */
  saveConfig(id: string, config: ContainerConfig): void;
  rename(id: string, newName: string): void;
  removeContainer(id: string, opts?: WriteOptions): void;
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

/** Networks and containers' attachments to them (the attachment is the crash-safe memory of a CNI ADD). */
export interface NetworkStore {
  /** Throws AlreadyExists when the name is taken. */
  addNetwork(network: NetworkRecord): void;
  getNetwork(id: string): NetworkRecord | undefined;
  /** A full id, a unique id prefix or a name; throws NotFound, or InvalidArgument for an ambiguous prefix. */
  lookupNetwork(ref: string): NetworkRecord;
  listNetworks(): NetworkRecord[];
  removeNetwork(id: string): void;
  /** Inserts or replaces the attachment of (containerId, networkId). */
  saveAttachment(a: AttachmentRecord): void;
  /** Every attachment, or those of one container, in the order they were first saved. */
  listAttachments(containerId?: string): AttachmentRecord[];
  removeAttachment(containerId: string, networkId: string): void;
}

/** What the allocator handed out: the engine restores its pools from these at start-up. */
export interface AllocationStore {
  /** Inserts or replaces the allocation of a.containerId. */
  saveAllocation(a: Allocation): void;
  /** Every allocation, ordered by container id. */
  listAllocations(): Allocation[];
  removeAllocation(containerId: string): void;
}

export interface StateStore extends ContainerStore, ImageMetadataStore, VolumeStore, NetworkStore, AllocationStore {
  transaction<T>(fn: () => T): T;
  /**
   * Resolves once every write made before the call is on disk, without blocking the daemon meanwhile: the writes
   * of many concurrent callers share one fsync.
   */
  flush(): Promise<void>;
  schemaVersion(): number;
  close(): void;
}
