// Host facts that resource limits are checked against before a container is created: which CPUs and memory
// nodes are online, the daemon's own hard rlimits (a container inherits them and cannot be given more), and
// block devices' major:minor numbers. Everything reads below `root` so tests can describe a host as a fake tree.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError, errnoCode } from '../core/index.js';

/** The set a cpuset list names ("0-2,5" → {0,1,2,5}); throws InvalidArgument for bad syntax. */
export function parseCpuList(text: string, what = 'cpu list'): Set<number> {
  const out = new Set<number>();
  const t = text.trim();
  if (t === '') throw new InvalidArgumentError(`invalid ${what} "${text}": empty`);
  for (const part of t.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new InvalidArgumentError(`invalid ${what} "${text}": expected numbers and ranges such as 0-2,5`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new InvalidArgumentError(`invalid ${what} "${text}": range ${part} goes backwards`);
    if (hi > 8191) throw new InvalidArgumentError(`invalid ${what} "${text}": ${hi} is out of range`);
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return out;
}

function readList(root: string, path: string, fallback: string): Set<number> {
  try {
    return parseCpuList(readFileSync(join(root, path), 'utf8'), path);
  } catch (err) {
    // A kernel without NUMA support has no node/ directory: it has exactly one memory node, 0.
    if (errnoCode(err) === 'ENOENT') return parseCpuList(fallback);
    throw err;
  }
}

export function onlineCpus(root = '/'): Set<number> {
  return readList(root, 'sys/devices/system/cpu/online', '0');
}

export function onlineMemoryNodes(root = '/'): Set<number> {
  return readList(root, 'sys/devices/system/node/online', '0');
}

/** -1 is RLIM_INFINITY ("unlimited"). */
export interface HostRlimit { soft: number; hard: number }

// /proc/self/limits row titles → the names --ulimit uses (RLIMIT_<NAME> without the prefix, lowercase).
const LIMIT_ROWS: Record<string, string> = {
  'Max cpu time': 'cpu', 'Max file size': 'fsize', 'Max data size': 'data', 'Max stack size': 'stack',
  'Max core file size': 'core', 'Max resident set': 'rss', 'Max processes': 'nproc', 'Max open files': 'nofile',
  'Max locked memory': 'memlock', 'Max address space': 'as', 'Max file locks': 'locks',
  'Max pending signals': 'sigpending', 'Max msgqueue size': 'msgqueue', 'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio', 'Max realtime timeout': 'rttime',
};

export const RLIMIT_NAMES: readonly string[] = Object.values(LIMIT_ROWS);

/** This process's rlimits by --ulimit name, from /proc/self/limits (Node has no getrlimit). */
export function hostRlimits(root = '/'): Record<string, HostRlimit> {
  const text = readFileSync(join(root, 'proc/self/limits'), 'utf8');
  const out: Record<string, HostRlimit> = {};
  const value = (s: string) => (s === 'unlimited' ? -1 : Number(s));
  for (const line of text.split('\n')) {
    const title = Object.keys(LIMIT_ROWS).find((t) => line.startsWith(t + ' '));
    if (!title) continue;
    const [soft, hard] = line.slice(title.length).trim().split(/\s+/) as [string, string];
    out[LIMIT_ROWS[title]!] = { soft: value(soft), hard: value(hard) };
  }
  return out;
}

/** major:minor of a block device node; NotFound when missing, InvalidArgument when it is not a block device. */
export function blockDeviceNumbers(path: string): { major: number; minor: number } {
  let st;
  try {
    st = statSync(path, { bigint: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw new NotFoundError(`device ${path} does not exist`);
    throw new InvalidArgumentError(`cannot stat device ${path}: ${errnoCode(err) ?? String(err)}`);
  }
  if (!st.isBlockDevice()) throw new InvalidArgumentError(`${path} is not a block device`);
  // glibc's gnu_dev_major/minor: the 64-bit dev_t splits each number over a low and a high field.
  const dev = st.rdev;
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

/**
 * Why the block device major:minor cannot take a per-device weight, or undefined when it can. Weights are a
 * feature of the BFQ (and, before Linux 5.0, CFQ) I/O scheduler: the kernel refuses blkio.bfq.weight_device (v1)
 * and io.bfq.weight (v2) with EOPNOTSUPP for a device under another scheduler, and for partitions.
 */
export function blockWeightRefusal(major: number, minor: number, root = '/'): string | undefined {
  const dir = join(root, 'sys/dev/block', `${major}:${minor}`);
  let text: string;
  try {
    text = readFileSync(join(dir, 'queue/scheduler'), 'utf8');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') return `cannot read its I/O scheduler: ${errnoCode(err) ?? String(err)}`;
    try {
      statSync(join(dir, 'partition'));
      return 'it is a partition: weights apply to whole disks';
    } catch {
      return 'it has no I/O scheduler';
    }
  }
  const active = /\[([^\]]+)\]/.exec(text)?.[1] ?? text.trim();
  if (active === 'bfq' || active === 'cfq') return undefined;
  return `its I/O scheduler is "${active}", and only bfq (or cfq) applies weights (as root: echo bfq > /sys/dev/block/${major}:${minor}/queue/scheduler)`;
}
