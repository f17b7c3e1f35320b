// `bulkhead image bootstrap debian:<suite>`: a Debian base image made with debootstrap (--variant=minbase) from
// the mirror the host's apt uses, imported as one layer. Everything happens in a temp dir under the image
// store's tmp/; it is unmounted (debootstrap mounts /proc and /sys inside its target) and removed whatever
// happens: a failed debootstrap, an error while importing, or the caller aborting (the CLI went away).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, InvalidArgumentError, NotFoundError, type ImageRecord } from '../core/index.js';
import { packPath } from '../archive/index.js';
import { runCommand } from '../sys/run-command.js';
import { debianMirror } from './debian-mirror.js';
import type { ImageService } from './image-service.js';
import { parseReference, parseTagReference } from './reference.js';

export const DEBOOTSTRAP = '/usr/sbin/debootstrap';
export const DEBIAN_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface DebootstrapOptions {
  reference: string;              // "debian:bookworm": the suite is the tag
  name?: string;                  // the image's name; default the reference itself
  mirror?: string;                // default: the host's apt mirror
  signal?: AbortSignal;           // abort: kill debootstrap and clean up
  onOutput?: (line: string) => void;
}

/** "debian:bookworm" → "bookworm"; anything but the debian repository is refused. */
export function debianSuite(reference: string): string {
  const ref = parseReference(reference);
  if (ref.path !== 'library/debian' || ref.domain !== 'docker.io' || ref.digest) {
    throw new InvalidArgumentError(`bootstrap with debootstrap needs "debian:<suite>" (e.g. debian:bookworm), not "${reference}"`);
  }
  if (!ref.tag || ref.tag === 'latest') throw new InvalidArgumentError('name the Debian suite: debian:bookworm (or another suite), not debian:latest');
  return ref.tag;
}

/** Mount points under dir, deepest first (what debootstrap may have left mounted). */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}

async function removeWorkDir(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) await runCommand('umount', ['-l', m], { allowFailure: true });
  // --one-file-system: should an unmount have failed, never descend into the host's /proc, /sys or /dev
  await runCommand('rm', ['-rf', '--one-file-system', dir], { allowFailure: true });
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

function runDebootstrap(args: string[], opts: DebootstrapOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new EngineError('Internal', 'bootstrap cancelled'));
    const child = spawn(DEBOOTSTRAP, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const tail: string[] = [];
    let partial = '';
    const onData = (b: Buffer) => {
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) { opts.onOutput?.(l); tail.push(l); if (tail.length > 5) tail.shift(); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // detached: debootstrap runs dpkg, chroot, … under it; the whole process group goes on abort
    const abort = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } };
    opts.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (e) => reject(new EngineError('Internal', `debootstrap: ${e.message}`, { cause: e })));
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', abort);
      if (opts.signal?.aborted) return reject(new EngineError('Internal', 'bootstrap cancelled'));
      if (code === 0) return resolve();
      const why = tail.filter(Boolean).at(-1) ?? (sig ? `killed by ${sig}` : `exit status ${code}`);
      reject(new EngineError('Internal', `debootstrap ${args.at(-3)} failed: ${why}`));
    });
  });
}

/** Runs debootstrap into a temp dir and imports the result as a single-layer image. */
export async function bootstrapDebian(images: ImageService, opts: DebootstrapOptions): Promise<ImageRecord> {
  const suite = debianSuite(opts.reference);
  const names = parseTagReference(opts.name ?? opts.reference);
  if (!existsSync(DEBOOTSTRAP)) throw new NotFoundError(`${DEBOOTSTRAP} not found: apt-get install debootstrap`);
  const mirror = opts.mirror ?? await debianMirror();
  await mkdir(images.paths.tmp, { recursive: true });
  const work = await mkdtemp(join(images.paths.tmp, 'debootstrap-'));
  try {
    const rootfs = join(work, 'rootfs');
    opts.onOutput?.(`debootstrap --variant=minbase ${suite} from ${mirror}`);
    await runDebootstrap(['--variant=minbase', suite, rootfs, mirror], opts);
    for (const m of mountsUnder(rootfs)) await runCommand('umount', ['-l', m], { allowFailure: true });
    // The downloaded .debs and apt's lists are not part of the system (as in the official images); /dev is the
    // runtime's to fill.
    await runCommand('sh', ['-c', 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* "$1"/debootstrap "$1"/dev/*', 'sh', rootfs]);
    if (opts.signal?.aborted) throw new EngineError('Internal', 'bootstrap cancelled');
    const tar = packPath(rootfs, { rebaseName: '.' });
    opts.signal?.addEventListener('abort', () => tar.destroy(new EngineError('Internal', 'bootstrap cancelled')), { once: true });
    return await images.importTarball(tar, {
      reference: names, config: { Env: [DEBIAN_PATH_ENV], Cmd: ['bash'] },
      message: `debootstrap --variant=minbase ${suite} ${mirror}`,
    });
  } finally {
    await removeWorkDir(work);
  }
}
