// /etc/subuid and /etc/subgid (subuid(5)): lines of NAME:START:COUNT. Only the engine's own user's entries are
// ours to hand out; every other line belongs to someone else and is left alone.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, errnoCode } from '../../core/index.js';

/** The user whose subordinate ids the engine allocates from (as podman's "containers"). */
export const USERNS_USER = 'bulkhead';

export interface SubIdRange {
  start: number;
  count: number;
}

/** The user's ranges in file order; a missing file or no entry is a clear one-line error naming the file. */
export async function readSubIds(file: string, kind: 'uid' | 'gid', user = USERNS_USER): Promise<SubIdRange[]> {
  const fix = `add a line such as "${user}:1000000:65536000" to ${file} (setup.sh does)`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const why = errnoCode(err) === 'ENOENT' ? 'does not exist' : `cannot be read (${errnoCode(err) ?? String(err)})`;
    throw new InvalidArgumentError(`--userns=auto: ${file} ${why}: ${fix}`);
  }
  const ranges: SubIdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [name, start, count] = line.split(':');
    if (name !== user) continue;
    if (!/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) {
      throw new InvalidArgumentError(`--userns=auto: malformed entry "${line}" in ${file}: expected ${user}:START:COUNT`);
    }
    ranges.push({ start: Number(start), count: Number(count) });
  }
  if (ranges.length === 0) throw new InvalidArgumentError(`--userns=auto: no sub${kind} entries for user "${user}" in ${file}: ${fix}`);
  return ranges;
}
