// Image records as the engine keeps them. The config mirrors the OCI image config, so it round-trips through
// docker-archive and OCI layouts unchanged.

/** The OCI image config's `config` object (the part that says how to run the image). */
export interface ImageRunConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  StopSignal?: string;
  Healthcheck?: Record<string, unknown>;
  Shell?: string[];
}

/** The whole OCI image config document; its sha256 is the image id. */
export interface OciImageConfig {
  architecture: string;
  os: string;
  created?: string;
  author?: string;
  config?: ImageRunConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

/** One layer of an image: the digest of the blob as stored/shipped, and of its uncompressed tar (diff id). */
export interface LayerRef {
  digest: string;      // sha256:… of the blob (compressed or not) as kept in the content store
  diffId: string;      // sha256:… of the uncompressed tar
  size: number;        // bytes of the blob
  mediaType: string;
}

export interface ImageRecord {
  id: string;          // sha256:… of the config JSON
  config: OciImageConfig;
  layers: LayerRef[];
  names: string[];     // normalised references, e.g. "docker.io/library/busybox:latest"
  created: string;     // ISO time the engine stored it
  size: number;        // unpacked size in bytes, sum over layers
}
