// Host memory of running containers, read from /proc. PSS (proportional set size) charges each shared page to
// the processes sharing it in equal parts, so summing PSS over the 50 containers counts shared code once in
// total rather than 50 times, which is the honest "what does one more container cost" figure. RSS is reported
// too because it is what most tools show.
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcMemory {
  pssKb: number;
  rssKb: number;
}

/** Pss and Rss of one process from smaps_rollup; zero when it has exited meanwhile. */
export function processMemory(pid: number): ProcMemory {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return { pssKb: 0, rssKb: 0 };
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { pssKb: field('Pss'), rssKb: field('Rss') };
}

/** The pid and every process below it, following /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const seen = new Set<number>();
  const queue = [pid];
  while (queue.length) {
    const p = queue.pop()!;
    if (seen.has(p) || p <= 0) continue;
    seen.add(p);
    let tasks: string[] = [];
    try { tasks = readdirSync(`/proc/${p}/task`); } catch { continue; }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) queue.push(Number(c));
      } catch { /* the task ended while we looked */ }
    }
  }
  return [...seen];
}

export interface ContainerPids {
  conmonPid: number;
  pid: number;
}

export interface FleetMemory {
  containers: number;
  processes: number;
  conmon: ProcMemory;        // summed over all containers
  workload: ProcMemory;      // container processes, summed
  perContainer: ProcMemory;  // (conmon + workload) / containers
}

/** Sums memory over each container's conmon and its container processes (init and descendants). */
export function fleetMemory(containers: readonly ContainerPids[]): FleetMemory {
  const conmon = { pssKb: 0, rssKb: 0 };
  const workload = { pssKb: 0, rssKb: 0 };
  const counted = new Set<number>();
  const add = (into: ProcMemory, pid: number) => {
    if (counted.has(pid)) return;
    counted.add(pid);
    const m = processMemory(pid);
    into.pssKb += m.pssKb;
    into.rssKb += m.rssKb;
  };
  for (const c of containers) {
    if (c.conmonPid > 0) add(conmon, c.conmonPid);
    // The container's processes are conmon's descendants; State.pid is walked too in case one was re-parented.
    const tree = new Set([...processTree(c.conmonPid), ...processTree(c.pid)]);
    tree.delete(c.conmonPid);
    for (const p of tree) add(workload, p);
  }
  const n = containers.length || 1;
  return {
    containers: containers.length,
    processes: counted.size,
    conmon, workload,
    perContainer: { pssKb: (conmon.pssKb + workload.pssKb) / n, rssKb: (conmon.rssKb + workload.rssKb) / n },
  };
}
