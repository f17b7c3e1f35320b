// In-memory ImageMetadataStore for image tests: the name index is the source of truth for names, as the
// real stores keep it.
import type { ImageRecord } from '../../src/core/index.js';
import type { ImageMetadataStore } from '../../src/state/types.js';

export class FakeImageMetadata implements ImageMetadataStore {
  private readonly images = new Map<string, ImageRecord>();
  private readonly names = new Map<string, string>();

  putImage(image: ImageRecord): void {
    this.images.set(image.id, structuredClone({ ...image, names: [] }));
    for (const n of image.names) this.names.set(n, image.id);
  }

  getImage(id: string): ImageRecord | undefined {
    const r = this.images.get(id);
    return r && { ...structuredClone(r), names: [...this.names].filter(([, v]) => v === id).map(([k]) => k).sort() };
  }

  listImages(): ImageRecord[] {
    return [...this.images.keys()].map((id) => this.getImage(id)!);
  }

  deleteImage(id: string): void {
    this.images.delete(id);
    for (const [n, v] of this.names) if (v === id) this.names.delete(n);
  }

  setImageName(name: string, imageId: string): void { this.names.set(name, imageId); }
  removeImageName(name: string): void { this.names.delete(name); }
  imageIdByName(name: string): string | undefined { return this.names.get(name); }
}
