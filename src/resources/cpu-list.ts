// The kernel's CPU list format ("0-3,7"), as sysfs prints it and as cpuset.cpus takes it.
import { parseCpuList as parseCpuSet } from '../sys/cgroup-host.js';

/** "0-3,7" → [0,1,2,3,7], sorted and without duplicates; blank text is the empty list. */
export function parseCpuList(text: string): number[] {
  return text.trim() === '' ? [] : sortedUnique(parseCpuSet(text, 'CPU list'));
}

/** [0,1,2,3,7] → "0-3,7"; [] → "". Input order and duplicates do not matter. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Sorted set helpers: the allocator keeps every CPU list sorted ascending, so these stay linear and simple. */
export function sortedUnique(cpus: Iterable<number>): number[] {
  return [...new Set(cpus)].sort((a, b) => a - b);
}

export function without(cpus: readonly number[], remove: Iterable<number>): number[] {
  const r = new Set(remove);
  return cpus.filter((c) => !r.has(c));
}

/** "cpu 1" or "cpus 0-3,7" (or "no CPUs"), for messages. */
export function describeCpus(cpus: readonly number[]): string {
  if (cpus.length === 0) return 'no CPUs';
  return `${cpus.length === 1 ? 'cpu' : 'cpus'} ${formatCpuList(cpus)}`;
}
