// Reading an overlay upper dir as a list of changes: whiteouts (char device 0:0) mark deleted paths, and
// directories with the trusted.overlay.opaque=y xattr hide everything below them in the lower layers.
//
// Node cannot read xattrs, so opaque directories are found by asking GNU tar (Essential on Debian) to archive
// just the directories' headers with that one xattr, and reading its PAX records. One process per walk.
import { spawn } from 'node:child_process';
import { lstat, readdir } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import tarStream from 'tar-stream';
import { EngineError, wrap } from '../core/index.js';

const OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface UpperEntry {
  path: string;        // relative to the upper dir, no leading slash
  stat: Stats;
  whiteout: boolean;   // deleted in this layer
  opaque: boolean;     // a directory that hides the lower layers' contents
}

export function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** Every entry of the upper dir, parents before children, sorted by name within a directory. */
export async function walkUpper(upper: string): Promise<UpperEntry[]> {
  const entries: UpperEntry[] = [];
  const dirs: string[] = [];
  async function visit(rel: string): Promise<void> {
    const names = (await readdir(join(upper, rel))).sort();
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(upper, path));
      entries.push({ path, stat: st, whiteout: isWhiteout(st), opaque: false });
      if (st.isDirectory()) {
        dirs.push(path);
        await visit(path);
      }
    }
  }
  try {
    await visit('');
  } catch (err) {
    throw wrap(err, `read container changes in ${upper}`);
  }
  const opaque = await opaqueDirs(upper, dirs);
  for (const e of entries) e.opaque = opaque.has(e.path);
  return entries;
}

/** Which of `dirs` (relative to upper) carry the opaque xattr. */
export async function opaqueDirs(upper: string, dirs: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (dirs.length === 0) return found;
  const child = spawn('tar', ['-C', upper, '--xattrs', `--xattrs-include=${OPAQUE_XATTR}`, '--no-recursion', '--null', '-T', '-', '-cf', '-'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  child.stdin.on('error', () => { /* reported through the exit status */ });
  child.stdin.end(dirs.map((d) => `./${d}\0`).join(''));
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    const pax = (header as { pax?: Record<string, string> }).pax;
    if (pax?.[`SCHILY.xattr.${OPAQUE_XATTR}`] === 'y') found.add(header.name.replace(/^\.\//, '').replace(/\/$/, ''));
    stream.on('end', next);
    stream.resume();
  });
  const parsed = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  child.stdout.pipe(extract);
  const [code] = await Promise.all([exited, parsed]);
  if (code !== 0) {
    throw new EngineError('Internal', `read overlay opaque markers in ${upper}: tar: ${Buffer.concat(stderr).toString().trim().split('\n').pop()}`);
  }
  return found;
}
