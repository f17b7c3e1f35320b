// Which file under <runRoot>/netns is a container's network namespace. It is named after the container: its id,
// or `<id>-<random>` when an earlier run left the id to a namespace that was recycled (sandbox-pool.ts). The
// exception is a namespace taken from the pool, which keeps the name of the container it was made for; while
// the container has an attachment, the attachment says which file it is. A running container disconnected from
// all its networks has none, so its namespace is then pinned again under a name of its own (keepNetnsFile):
// connect, inspect, teardown and reconcile find it by that name, and `netns/<id>` may well be another's.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ContainerRecord } from '../../core/index.js';
import { netnsPath, pinNetns, removeNetns } from '../../network/index.js';
import type { EngineContext } from '../context.js';

/** The container whose name a namespace file carries (`<id>` or `<id>-<random>`). */
export function netnsFileOwner(file: string): string {
  return basename(file).split('-')[0]!;
}

/**
 * The name for a new namespace file and CNI container id of the container: its id, unless an attachment (of the
 * pool or of another container) holds that file or id, or the file exists.
 */
export function freeName(ctx: EngineContext, id: string): string {
  const file = netnsPath(ctx.opts.runRoot, id);
  if (!existsSync(file) && !ctx.state.listAttachments().some((a) => a.netns === file || (a.cniId ?? a.containerId) === id)) return id;
  return `${id}-${randomBytes(4).toString('hex')}`;
}

/** The namespace files named after the container that no attachment of another container or the pool holds. */
export function ownNetnsFiles(ctx: EngineContext, id: string): string[] {
  const dir = dirname(netnsPath(ctx.opts.runRoot, id));
  const others = new Set(ctx.state.listAttachments().filter((a) => a.containerId !== id).map((a) => a.netns));
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return names.filter((n) => netnsFileOwner(n) === id).map((n) => `${dir}/${n}`).filter((p) => !others.has(p));
}

/**
 * The file of the namespace a running container really runs in: its attachments' or, with none, the file of its
 * own that is the same namespace as its process's (pinned anew if there is none, as after a lost run root).
 */
export async function runningNetnsFile(ctx: EngineContext, rec: ContainerRecord): Promise<string> {
  const id = rec.config.id;
  const attached = ctx.state.listAttachments(id)[0];
  if (attached) return attached.netns;
  const live = await stat(`/proc/${rec.state.pid}/ns/net`);
  for (const file of ownNetnsFiles(ctx, id)) {
    const s = await stat(file).catch(() => undefined);
    if (s && s.dev === live.dev && s.ino === live.ino) return file;
  }
  const file = netnsPath(ctx.opts.runRoot, freeName(ctx, id));
  await pinNetns(file, rec.state.pid);
  return file;
}

/**
 * After a running container's last attachment went: a namespace taken from the pool is pinned again under a name
 * of the container's own, and its old file (named after the container it was made for) goes.
 */
export async function keepNetnsFile(ctx: EngineContext, rec: ContainerRecord, oldFile: string): Promise<void> {
  const id = rec.config.id;
  if (ctx.state.listAttachments(id).length > 0 || netnsFileOwner(oldFile) === id) return;
  await pinNetns(netnsPath(ctx.opts.runRoot, freeName(ctx, id)), rec.state.pid);
  await removeNetns(oldFile);
}

/** The CNI container id of a new attachment: the namespace file's own name, unless another holds it on the network. */
export function cniIdFor(ctx: EngineContext, id: string, file: string, networkId: string): string {
  const own = netnsFileOwner(file) === id ? basename(file) : id;
  const taken = ctx.state.listAttachments().some((a) => a.networkId === networkId && a.containerId !== id && (a.cniId ?? a.containerId) === own);
  return taken ? `${id}-${randomBytes(4).toString('hex')}` : own;
}
