// A busybox image built from the host's busybox-static, so the engine has something to run with no registry.
// Every entry gets the binary's mtime, which makes the layer (and so the image id) the same on every host with
// the same busybox build.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { writeAll } from '../archive/stream-util.js';
import { NotFoundError, errnoCode, wrap } from '../core/index.js';
import { runCommand } from '../sys/run-command.js';

export const HOST_BUSYBOX = '/usr/bin/busybox';
export const BUSYBOX_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\n';
const DIRS: Array<[string, number]> = [
  ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['proc', 0o555], ['root', 0o700], ['sbin', 0o755],
  ['sys', 0o555], ['tmp', 0o1777], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755], ['var', 0o755],
];

/** Applet paths relative to /, from `busybox --list-full` (falls back to /bin/<applet> with --list). */
async function appletPaths(busybox: string): Promise<string[]> {
  const full = await runCommand(busybox, ['--list-full'], { allowFailure: true });
  if (full.code === 0 && full.stdout.trim()) return full.stdout.split('\n').filter(Boolean);
  const list = await runCommand(busybox, ['--list']);
  return list.stdout.split('\n').filter(Boolean).map((a) => `bin/${a}`);
}

function add(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, body?: string): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, body ?? '', (err) => (err ? reject(err) : resolve())));
}

/** The rootfs layer as a tar stream, plus the creation time it carries. */
export async function busyboxRootfs(busybox = HOST_BUSYBOX): Promise<{ tar: Readable; created: Date }> {
  const st = await stat(busybox).catch((err) => {
    if (errnoCode(err) === 'ENOENT') throw new NotFoundError(`${busybox} not found: install busybox-static`);
    throw wrap(err, `bootstrap from ${busybox}`);
  });
  const mtime = st.mtime;
  const applets = (await appletPaths(busybox)).filter((p) => p !== 'bin/busybox' && !p.includes('..'));
  const pack = tar.pack();
  const fill = async () => {
    for (const [name, mode] of DIRS) await add(pack, { name, type: 'directory', mode, mtime, uid: 0, gid: 0 });
    let settle!: (err?: Error | null) => void;
    const done = new Promise<void>((resolve, reject) => { settle = (err) => (err ? reject(err) : resolve()); });
    const sink = pack.entry({ name: 'bin/busybox', size: st.size, mode: 0o755, mtime, uid: 0, gid: 0 }, (err) => settle(err));
    await writeAll(createReadStream(busybox), sink);
    sink.end(undefined);
    await done;
    for (const p of [...new Set(applets)].sort()) {
      await add(pack, { name: p, type: 'symlink', linkname: '/bin/busybox', mode: 0o777, mtime, uid: 0, gid: 0 });
    }
    await add(pack, { name: 'etc/passwd', mode: 0o644, mtime, uid: 0, gid: 0 }, PASSWD);
    await add(pack, { name: 'etc/group', mode: 0o644, mtime, uid: 0, gid: 0 }, GROUP);
    pack.finalize();
  };
  fill().catch((err) => pack.destroy(err));
  return { tar: Readable.from(pack, { objectMode: false }), created: mtime };
}
