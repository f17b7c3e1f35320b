// The build driver: unpacks the context, parses the Containerfile, and runs each stage's steps on top of the
// previous image, every step answered from the cache when its key matches. Every step yields a new image
// (layer steps via commit, metadata steps via writeConfigImage), so an image id says everything about the
// config it carries and is a sound cache key parent. Tags are set only at the very end: a failed build leaves
// the images of the steps that succeeded (untagged, as cache) and nothing else.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { EngineError, InvalidArgumentError, NotFoundError, errorKind, shortId, type ImageRecord, type ImageRunConfig } from '../core/index.js';
import { extractTar } from '../archive/index.js';
import { parseTagReference } from '../image/index.js';
import { BuildCache, cacheKey } from './cache.js';
import { copyLayerTar, planCopy } from './copy-layer.js';
import { resolveSources } from './copy-sources.js';
import { expandWord, expandWords } from './expand.js';
import { IgnoreMatcher } from './ignore.js';
import { imageLookup, resolveOwner } from './image-fs.js';
import { scratchImage, writeConfigImage } from './image-writer.js';
import { applyMetadata } from './metadata.js';
import { parseContainerfile, type Instruction } from './parse.js';
import { fetchRemoteSources, isRemoteSource } from './remote-source.js';
import { runStep } from './run-step.js';
import { withImageRoot } from './stage-root.js';
import type { BuildEvent, BuildHost, BuildRequest } from './types.js';

/** A failed step: the kind of what went wrong, and the Containerfile line it happened on. */
export class BuildStepError extends EngineError {
  constructor(readonly line: number, cause: unknown) {
    super(errorKind(cause), `Containerfile line ${line}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

interface Stage { name?: string; from: Instruction; steps: Instruction[]; image?: ImageRecord }

interface StageState {
  image: ImageRecord;
  args: Map<string, string>;
  shell: string[];
  cmdSet: boolean;
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];

export async function runBuild(host: BuildHost, req: BuildRequest, context: Readable, emit: (e: BuildEvent) => void): Promise<ImageRecord> {
  for (const t of req.tags) parseTagReference(t); // a bad tag fails before any work, not after it
  await mkdir(host.images.paths.tmp, { recursive: true });
  const work = await mkdtemp(join(host.images.paths.tmp, 'build-'));
  try {
    const ctxDir = join(work, 'context');
    await mkdir(ctxDir);
    await extractTar(context, ctxDir, { whiteouts: 'literal', preserveOwner: false });
    const file = req.file ?? (existsSync(join(ctxDir, 'Containerfile')) ? 'Containerfile' : 'Dockerfile');
    const text = await readFile(join(ctxDir, posix.normalize(`/${file}`)), 'utf8').catch(() => {
      throw new NotFoundError(`no ${file} in the build context`);
    });
    const ignoreText = await readFile(join(ctxDir, '.dockerignore'), 'utf8').catch(() => '');
    return await new Build(host, req, ctxDir, work, parseContainerfile(text), new IgnoreMatcher(ignoreText), emit).run();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

class Build {
  private readonly cache: BuildCache;
  private readonly globalArgs = new Map<string, string>();
  private readonly stages: Stage[] = [];
  private readonly usedArgs = new Set<string>();
  private step = 0;
  private total = 0;

  constructor(private readonly host: BuildHost, private readonly req: BuildRequest, private readonly ctxDir: string,
    private readonly work: string, private readonly file: ReturnType<typeof parseContainerfile>,
    private readonly ignore: IgnoreMatcher, private readonly emit: (e: BuildEvent) => void) {
    this.cache = new BuildCache(host.images.paths.root);
  }

  async run(): Promise<ImageRecord> {
    const esc = this.file.escape;
    for (const inst of this.file.instructions) {
      if (inst.name === 'FROM') {
        const words = inst.args.split(/\s+/);
        this.stages.push({ from: inst, steps: [], ...(words[2] ? { name: words[2].toLowerCase() } : {}) });
      } else if (this.stages.length === 0) {
        try {
          this.declareArgs(inst, this.globalArgs, new Map(), esc);
        } catch (err) {
          throw new BuildStepError(inst.line, err);
        }
      } else {
        this.stages.at(-1)!.steps.push(inst);
      }
    }
    let last = this.stages.length - 1;
    if (this.req.target !== undefined) {
      last = this.stages.findIndex((s) => s.name === this.req.target!.toLowerCase());
      if (last < 0) throw new NotFoundError(`target stage "${this.req.target}" is not in the Containerfile`);
    }
    const labels = Object.keys(this.req.labels).length > 0;
    this.total = this.stages.slice(0, last + 1).reduce((n, s) => n + 1 + s.steps.length, 0) + (labels ? 1 : 0);
    let image!: ImageRecord;
    for (const stage of this.stages.slice(0, last + 1)) image = stage.image = await this.runStage(stage);
    if (labels) {
      this.header('LABEL (from --label)');
      const run = { ...(image.config.config ?? {}), Labels: { ...(image.config.config?.Labels ?? {}), ...this.req.labels } };
      image = await this.cached(image, `LABEL ${JSON.stringify(this.req.labels)}`, '', () => writeConfigImage(this.host, image, run, 'LABEL (build --label)'));
    }
    for (const t of this.req.tags) this.host.images.tag(image.id, t);
    const unused = Object.keys(this.req.buildArgs).filter((a) => !this.usedArgs.has(a));
    if (unused.length) this.emit({ stream: `[Warning] one or more build args were not consumed: ${unused.join(', ')}\n` });
    this.emit({ stream: `Successfully built ${shortId(image.id)}\n` });
    for (const t of this.req.tags) this.emit({ stream: `Successfully tagged ${t}\n` });
    return image;
  }

  private header(text: string): void {
    this.step++;
    this.emit({ stream: `Step ${this.step}/${this.total} : ${text}\n` });
  }

  private async guard<T>(inst: Instruction, fn: () => Promise<T> | T): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw err instanceof BuildStepError ? err : new BuildStepError(inst.line, err);
    }
  }

  private declareArgs(inst: Instruction, into: Map<string, string>, vars: Map<string, string>, esc: string): void {
    for (const word of expandWords(inst.args, vars, esc)) {
      const eq = word.indexOf('=');
      const name = eq < 0 ? word : word.slice(0, eq);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new InvalidArgumentError(`invalid ARG name "${name}"`);
      this.usedArgs.add(name);
      const value = this.req.buildArgs[name] ?? (eq < 0 ? this.globalArgs.get(name) : word.slice(eq + 1));
      if (value !== undefined) into.set(name, value);
    }
  }

  private async runStage(stage: Stage): Promise<ImageRecord> {
    this.header(stage.from.original);
    const esc = this.file.escape;
    const base = await this.guard(stage.from, () => {
      const ref = expandWord(stage.from.args.split(/\s+/)[0]!, this.globalArgs, esc);
      if (ref.toLowerCase() === 'scratch') return scratchImage();
      const earlier = this.stages.find((s) => s.name === ref.toLowerCase() && s.image);
      return earlier?.image ?? this.host.images.resolve(ref);
    });
    if (base.id) this.emit({ stream: ` ---> ${shortId(base.id)}\n` });
    const st: StageState = { image: base, args: new Map(), shell: base.config.config?.Shell ?? DEFAULT_SHELL, cmdSet: false };
    for (const inst of stage.steps) {
      this.header(inst.original);
      st.image = await this.guard(inst, () => this.runInstruction(inst, st));
      this.emit({ stream: ` ---> ${st.image.id ? shortId(st.image.id) : 'scratch'}\n` });
    }
    return st.image;
  }

  private vars(st: StageState): Map<string, string> {
    const env = (st.image.config.config?.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]);
    return new Map([...st.args, ...env]);
  }

  private async runInstruction(inst: Instruction, st: StageState): Promise<ImageRecord> {
    const esc = this.file.escape;
    const parent = st.image;
    const run: ImageRunConfig = parent.config.config ?? {};
    switch (inst.name) {
      case 'ARG':
        this.declareArgs(inst, st.args, this.vars(st), esc);
        return parent;
      case 'RUN': {
        const cmd = inst.json ?? [...st.shell, inst.args];
        const argEnv = [...st.args].map(([k, v]) => `${k}=${v}`);
        return this.cached(parent, `RUN ${JSON.stringify(cmd)} ${JSON.stringify(argEnv)}`, '', () =>
          runStep(this.host, parent, run, cmd, argEnv, `RUN ${inst.args}`, (text) => this.emit({ stream: text })));
      }
      case 'COPY': case 'ADD':
        return this.copy(inst, st);
      default: {
        if (inst.name === 'CMD') st.cmdSet = true;
        const next = applyMetadata(inst, run, { vars: this.vars(st), escape: esc, shell: st.shell, cmdSetInStage: st.cmdSet });
        if (inst.name === 'SHELL') st.shell = inst.json!;
        return this.cached(parent, `${inst.name} ${JSON.stringify(next)}`, '', () => writeConfigImage(this.host, parent, next, `${inst.name} ${inst.args}`));
      }
    }
  }

  private async copy(inst: Instruction, st: StageState): Promise<ImageRecord> {
    const esc = this.file.escape;
    const parent = st.image;
    const vars = this.vars(st);
    const words = inst.json ?? expandWords(inst.args, vars, esc);
    const sources = words.slice(0, -1);
    let dest = words.at(-1)!;
    if (!dest.startsWith('/')) dest = posix.join(parent.config.config?.WorkingDir || '/', dest) + (dest.endsWith('/') || dest === '.' ? '/' : '');
    const owner = inst.flags.chown ? await resolveOwner(this.host.images, parent, expandWord(inst.flags.chown, vars, esc)) : undefined;
    let chmod: number | undefined;
    if (inst.flags.chmod) {
      if (!/^[0-7]{3,4}$/.test(inst.flags.chmod)) throw new InvalidArgumentError(`invalid --chmod "${inst.flags.chmod}": use octal, e.g. 755`);
      chmod = parseInt(inst.flags.chmod, 8);
    }
    if (inst.name === 'ADD' && sources.some(isRemoteSource)) return this.addRemote(inst, parent, words, dest, owner, chmod);
    if (inst.flags.checksum !== undefined) throw new InvalidArgumentError('ADD --checksum is only for URL sources');
    const withRoot = async <T>(fn: (root: string, where: string) => Promise<T>): Promise<T> => {
      const from = inst.flags.from !== undefined ? expandWord(inst.flags.from, vars, esc) : undefined;
      if (from === undefined) return fn(this.ctxDir, 'the build context');
      const stage = /^\d+$/.test(from) ? this.stages[Number(from)] : this.stages.find((s) => s.name === from.toLowerCase());
      const image = stage?.image ?? (stage ? undefined : this.host.images.resolve(from));
      if (!image) throw new InvalidArgumentError(`COPY --from=${from}: that stage has not been built yet`);
      return withImageRoot(this.host.images, image, join(this.work, `from-${this.step}`), (root) => fn(root, `stage ${from}`));
    };
    return withRoot(async (root, where) => {
      const ignore = inst.flags.from === undefined ? this.ignore : undefined;
      const rels = await resolveSources(root, sources, ignore, where);
      const plan = await planCopy({ root, sources: rels, dest, ignore, owner, chmod, extractArchives: inst.name === 'ADD',
        imageHas: imageLookup(this.host.images, parent) });
      const text = `${inst.name} ${JSON.stringify(inst.flags)} ${JSON.stringify(words)}`;
      return this.cached(parent, text, plan.digest, () => this.host.images.commit({
        parent, layerTar: copyLayerTar(plan), config: parent.config.config ?? {}, comment: `${inst.name} ${inst.args}`,
      }));
    });
  }

  /** ADD of http(s) URLs: downloaded into the work dir, then copied like local files (0600 unless --chmod). */
  private async addRemote(inst: Instruction, parent: ImageRecord, words: string[], dest: string,
    owner: { uid: number; gid: number } | undefined, chmod: number | undefined): Promise<ImageRecord> {
    const urls = words.slice(0, -1);
    if (!urls.every(isRemoteSource)) throw new InvalidArgumentError('ADD cannot mix URLs and local files in one instruction: split it in two');
    const root = join(this.work, `url-${this.step}`);
    const names = await fetchRemoteSources(urls, dest, root, inst.flags.checksum);
    const plan = await planCopy({ root, sources: names, dest, owner, chmod: chmod ?? 0o600, extractArchives: false,
      imageHas: imageLookup(this.host.images, parent) });
    const text = `${inst.name} ${JSON.stringify(inst.flags)} ${JSON.stringify(words)}`;
    return this.cached(parent, text, plan.digest, () => this.host.images.commit({
      parent, layerTar: copyLayerTar(plan), config: parent.config.config ?? {}, comment: `${inst.name} ${inst.args}`,
    }));
  }

  private async cached(parent: ImageRecord, text: string, digest: string, make: () => Promise<ImageRecord>): Promise<ImageRecord> {
    const key = cacheKey(parent.id || 'scratch', text, digest);
    if (!this.req.noCache) {
      const hit = await this.cache.get(key);
      const image = hit !== undefined ? this.host.imageStore.getImage(hit) : undefined;
      if (image) { this.emit({ stream: ' ---> Using cache\n' }); return image; }
    }
    const image = await make();
    await this.cache.put(key, image.id, (id) => this.host.imageStore.getImage(id) !== undefined);
    return image;
  }
}
