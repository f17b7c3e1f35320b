// A network namespace's traffic counters from /proc/<pid>/net/dev (the namespace of that process), summed over
// its interfaces except loopback: bytes and packets, received and sent.
import { readFile } from 'node:fs/promises';
import { NotFoundError, errnoCode, wrap } from '../core/index.js';

export interface NetCounters {
  rxBytes: number;
  rxPackets: number;
  txBytes: number;
  txPackets: number;
}

export function parseNetDevCounters(text: string): NetCounters {
  const total = { rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 };
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    total.rxBytes += f[0] ?? 0;
    total.rxPackets += f[1] ?? 0;
    total.txBytes += f[8] ?? 0;
    total.txPackets += f[9] ?? 0;
  }
  return total;
}

export async function readNetCounters(pid: number): Promise<NetCounters> {
  try {
    return parseNetDevCounters(await readFile(`/proc/${pid}/net/dev`, 'utf8'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ESRCH') throw new NotFoundError(`process ${pid} is gone`, { cause: err });
    throw wrap(err, `read network counters of process ${pid}`);
  }
}
