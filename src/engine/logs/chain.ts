// The files of a size-limited container log, and their rotation. conmon 2.1.6 enforces --log-size-max by replacing
// the log: before the entry that would cross the limit it opens "<log>.tmp" truncated and renames it over "<log>",
// so the file it wrote until then loses its only name. To keep that file (max-file 2 and more), the engine holds a
// second link to the file conmon writes, "<log>.keep". After conmon has replaced the log, the kept file is the one
// rotated out: it becomes "<log>.1", the older ones move up to "<log>.<max-file - 1>" and the oldest is dropped.
//
// Every step is a link, rename or unlink, each atomic, and the whole shift is synchronous: a reader in this process
// (readers open the chain synchronously too) never sees it half done. conmon only ever touches "<log>" and
// "<log>.tmp", so its writes cannot race with the shift; a reader that opened a file keeps reading it whatever name
// it has afterwards.
import { closeSync, fstatSync, linkSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { LogLimits } from './options.js';

export const keptPath = (log: string) => `${log}.keep`;
export const rotatedPath = (log: string, n: number) => `${log}.${n}`;

function inode(path: string): number | undefined {
  return statSync(path, { throwIfNoEntry: false })?.ino;
}

/** The numbers n of the "<log>.n" files that exist, newest (1) first. */
function rotatedNumbers(log: string): number[] {
  const prefix = `${basename(log)}.`;
  const names = readdirSync(dirname(log)).filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)));
  return names.map((n) => Number(n.slice(prefix.length))).sort((a, b) => a - b);
}

/** Makes room for a new "<log>.1": each "<log>.n" becomes n+1, those that would pass max-file - 1 are dropped. */
function shiftRotated(log: string, maxFile: number): void {
  for (const n of rotatedNumbers(log).reverse()) {
    if (n + 1 > maxFile - 1) rmSync(rotatedPath(log, n), { force: true });
    else renameSync(rotatedPath(log, n), rotatedPath(log, n + 1));
  }
}

/**
 * If conmon has replaced the log since the last call, moves the kept file into "<log>.1" and keeps the new log.
 * Returns whether it rotated. For max-file 2 and more; a no-op while the log is the kept file.
 */
export function settleRotation(log: string, maxFile: number): boolean {
  const current = inode(log);
  const kept = inode(keptPath(log));
  if (current === undefined || current === kept) return false;
  // Link the new log first, so the file conmon writes now has a second name from this moment on.
  const next = `${keptPath(log)}.new`;
  rmSync(next, { force: true });
  linkSync(log, next);
  if (kept !== undefined) {
    shiftRotated(log, maxFile);
    renameSync(keptPath(log), rotatedPath(log, 1));
  }
  renameSync(next, keptPath(log));
  return kept !== undefined;
}

/**
 * Before conmon starts writing: conmon counts the limit from zero whatever the file already holds, so an earlier
 * run's log is rotated out now (with max-file 1, dropped, as any rotation drops it). The log is then created empty
 * and, for max-file 2 and more, kept before conmon can replace it.
 */
export function prepareLogForStart(log: string, limits: LogLimits): void {
  if (limits.maxFile > 1) settleRotation(log, limits.maxFile);
  if ((statSync(log, { throwIfNoEntry: false })?.size ?? 0) > 0) {
    if (limits.maxFile > 1) {
      shiftRotated(log, limits.maxFile);
      renameSync(log, rotatedPath(log, 1));
    } else {
      rmSync(log);
    }
  }
  rmSync(keptPath(log), { force: true });
  writeFileSync(log, '', { flag: 'a', mode: 0o600 });
  if (limits.maxFile > 1) linkSync(log, keptPath(log));
}

export interface OpenLogFile {
  fd: number;
  ino: number;
}

/**
 * Opens every file of the log, oldest first, the file conmon writes last; one entry per file (the kept link and the
 * log are one file until conmon replaces the log). Synchronous, so no shift of this process interleaves; a
 * replacement by conmon meanwhile only means that the last file is the newer one, read after the older one.
 */
export function openLogChain(log: string): OpenLogFile[] {
  const paths = [...rotatedNumbers(log).reverse().map((n) => rotatedPath(log, n)), keptPath(log), log];
  const files: OpenLogFile[] = [];
  for (const path of paths) {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      continue; // absent: no such rotation (yet), or no limits at all
    }
    const ino = fstatSync(fd).ino;
    const same = files.findIndex((f) => f.ino === ino);
    if (same !== -1) closeSync(files.splice(same, 1)[0]!.fd);
    files.push({ fd, ino });
  }
  return files;
}

/** The inode the log's name points to now (undefined when there is no log yet). */
export function currentLogInode(log: string): number | undefined {
  return inode(log);
}
