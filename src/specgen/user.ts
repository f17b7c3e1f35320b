// `--user name|uid[:group|gid]` → uid, gid and supplementary groups, read from the image's own /etc/passwd and
// /etc/group (Docker semantics: a numeric uid need not exist; a name must). The files are found with
// resolveInRoot and opened without following a final symlink, so an image cannot make us read host files.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { InvalidArgumentError, errnoCode, wrap } from '../core/index.js';
import { resolveInRoot } from '../storage/secure-path.js';
import type { OciUser } from './oci-types.js';

// Ids above int32 have run as root in other engines (CVE-2024-40635); refuse them outright.
const MAX_ID = 2 ** 31 - 1;
// passwd/group files are small; a huge one is a hostile image, not a real user database.
const MAX_DB_BYTES = 4 * 1024 * 1024;

export interface ResolvedUser {
  user: OciUser;
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [userPart = '', groupPart] = spec.split(':', 2) as [string?, string?];
  if (spec.split(':').length > 2) throw new InvalidArgumentError(`invalid user "${spec}": expected user[:group]`);
  if (groupPart !== undefined && groupPart === '') throw new InvalidArgumentError(`invalid user "${spec}": empty group`);
  const passwd = parsePasswd(await readDb(rootfs, '/etc/passwd'));
  const name = userPart === '' ? 'root' : userPart;

  let entry: PasswdEntry | undefined;
  let uid: number;
  if (isNumeric(name)) {
    uid = parseId(name, spec);
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === name);
    if (!entry && userPart !== '') throw new InvalidArgumentError(`unable to find user ${name}: no matching entries in passwd file`);
    uid = entry?.uid ?? 0;
  }
  let gid = entry?.gid ?? 0;

  const groups = parseGroup(await readDb(rootfs, '/etc/group'));
  if (groupPart !== undefined) {
    if (isNumeric(groupPart)) {
      gid = parseId(groupPart, spec);
    } else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw new InvalidArgumentError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  // Supplementary groups as initgroups(3) gives a login: the primary gid, then every group listing the user by
  // name (so `id -G` matches the image's /etc/group). A uid without a passwd entry gets none.
  const memberName = entry?.name;
  const additional = memberName ? unique([gid, ...groups.filter((g) => g.members.includes(memberName)).map((g) => g.gid)]) : [];
  const user: OciUser = { uid, gid };
  if (additional.length > 0) user.additionalGids = additional;
  return { user, home: entry?.home || '/' };
}

function isNumeric(s: string): boolean {
  return /^\d+$/.test(s);
}

function parseId(s: string, spec: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n > MAX_ID) {
    throw new InvalidArgumentError(`invalid user "${spec}": id ${s} is out of range (0-${MAX_ID})`);
  }
  return n;
}

function unique(xs: number[]): number[] {
  return [...new Set(xs)];
}

/**
 * The uid the passwd file under `root` gives `name` (undefined when it has no such user). `root` is any directory
 * laid out like a root filesystem: a mounted rootfs, or the image layer that holds /etc/passwd.
 */
export async function uidOfName(root: string, name: string): Promise<number | undefined> {
  return parsePasswd(await readDb(root, '/etc/passwd')).find((p) => p.name === name)?.uid;
}

/** Contents of a user database in the rootfs, '' when the image has none. */
async function readDb(rootfs: string, path: string): Promise<string> {
  const hostPath = await resolveInRoot(rootfs, path);
  let fh;
  try {
    fh = await open(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return '';
    if (code === 'ELOOP') throw new InvalidArgumentError(`${path} in the image is a symlink that changed while reading it`);
    throw wrap(err, `read ${path} from the image`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InvalidArgumentError(`${path} in the image is not a regular file`);
    if (st.size > MAX_DB_BYTES) throw new InvalidArgumentError(`${path} in the image is too large (${st.size} bytes)`);
    return (await fh.readFile()).toString('utf8');
  } finally {
    await fh.close();
  }
}

function lines(text: string): string[][] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

function parsePasswd(text: string): PasswdEntry[] {
  return lines(text)
    .filter((f) => f.length >= 4 && isNumeric(f[2]!) && isNumeric(f[3]!))
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '' }));
}

function parseGroup(text: string): GroupEntry[] {
  return lines(text)
    .filter((f) => f.length >= 3 && isNumeric(f[2]!))
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean) }));
}

/**
 * `--group-add` entries as gids: numbers as they are, names looked up in the image's /etc/group (an unknown name
 * is the user's mistake). The file is found the same way as above (links followed inside the rootfs only, final
 * component not followed).
 */
export async function resolveGroupAdd(rootfs: string, names: readonly string[]): Promise<number[]> {
  if (names.length === 0) return [];
  const needsDb = names.some((n) => !isNumeric(n));
  const groups = needsDb ? parseGroup(await readDb(rootfs, '/etc/group')) : [];
  return unique(names.map((n) => {
    if (isNumeric(n)) return parseId(n, n);
    const g = groups.find((x) => x.name === n);
    if (!g) throw new InvalidArgumentError(`unable to find group ${n}: no matching entries in group file`);
    return g.gid;
  }));
}
