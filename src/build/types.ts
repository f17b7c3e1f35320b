// What a build asks for, what it reports, and the narrow port through which it drives the engine. build/ must not
// import engine/, so the engine hands itself in as a BuildHost (Engine satisfies it structurally).
import type { Readable } from 'node:stream';
import type { ImageRecord, ImageRunConfig } from '../core/index.js';
import type { ImageService } from '../image/index.js';
import type { ImageMetadataStore } from '../state/types.js';

export interface BuildRequest {
  tags: string[];
  file?: string;                      // Containerfile path inside the context (default Containerfile, then Dockerfile)
  target?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  noCache: boolean;
}

/** One NDJSON line of the build stream. */
export type BuildEvent =
  | { stream: string }                       // step headers and step output
  | { id: string }                           // the final image
  | { error: string; line?: number; kind?: string };        // the build failed (line of the Containerfile, when known)

export interface BuildContainerRequest {
  image: string;
  cmd: string[];
  entrypoint: string[];
  env: string[];
  workingDir?: string;
  user?: string;
  network: string;
  labels?: Record<string, string>;
}

export interface BuildHost {
  images: ImageService;
  imageStore: ImageMetadataStore;
  create(req: BuildContainerRequest): Promise<{ id: string }>;
  start(ref: string): Promise<void>;
  wait(ref: string, condition: 'next-exit'): Promise<{ exitCode: number }>;
  logs(ref: string, opts: { follow: boolean }): AsyncIterable<{ text: string }>;
  commit(ref: string, req: { comment?: string; changes?: Partial<ImageRunConfig>; pause?: boolean }): Promise<ImageRecord>;
  remove(ref: string, opts: { force: boolean; volumes: boolean }): Promise<void>;
}

export type ContextInput = Readable;
