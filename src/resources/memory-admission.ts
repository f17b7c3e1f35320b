// Admission of guaranteed memory: the guarantees handed out never add up to more than the allocatable memory
// (MemTotal minus the host's reserve). There is no overcommit: a guarantee is a promise, not a hint.
import { ConflictError, InvalidArgumentError } from '../core/index.js';

/** Bytes in binary units as users type them for --memory-guaranteed ("2GiB", "1.5GiB", "512MiB", "100B"). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : Number(v.toFixed(2))}${units[i]}`;
}

/** Two sizes that would print the same are shown in bytes, so a refusal never reads "asked 2GiB, 2GiB free". */
function formatPair(a: number, b: number): [string, string] {
  const [fa, fb] = [formatBytes(a), formatBytes(b)];
  return fa === fb && a !== b ? [`${a}B`, `${b}B`] : [fa, fb];
}

export interface MemoryBudget {
  total: number;
  reserve: number;
  allocatable: number;
  guaranteed: number;
  free: number;
}

export function memoryBudget(total: number, reserve: number, guaranteed: number): MemoryBudget {
  const allocatable = total - reserve;
  return { total, reserve, allocatable, guaranteed, free: allocatable - guaranteed };
}

export function checkMemoryReserve(total: number, reserve: number): void {
  if (!Number.isSafeInteger(reserve) || reserve < 0) {
    throw new InvalidArgumentError(`invalid memory reserve ${reserve}: expected a whole number of bytes ≥ 0`);
  }
  if (reserve >= total) {
    throw new InvalidArgumentError(`memory reserve ${formatBytes(reserve)} leaves nothing allocatable: the host has ${formatBytes(total)}`);
  }
}

/**
 * Throws unless `bytes` more can be guaranteed: InvalidArgumentError when it could never fit (more than all of
 * the allocatable memory), ConflictError when it does not fit beside the current guarantees.
 */
export function admitMemory(budget: MemoryBudget, bytes: number): void {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new InvalidArgumentError(`invalid --memory-guaranteed ${bytes}: expected a whole number of bytes ≥ 0`);
  }
  if (bytes > budget.allocatable) {
    const [asked, all] = formatPair(bytes, budget.allocatable);
    throw new InvalidArgumentError(`--memory-guaranteed ${asked} can never fit: only ${all} of memory is allocatable (${formatBytes(budget.total)} total, ${formatBytes(budget.reserve)} reserved for the host)`);
  }
  if (bytes > budget.free) {
    const [asked, free] = formatPair(bytes, budget.free);
    throw new ConflictError(`not enough memory for --memory-guaranteed ${asked}: ${free} of ${formatBytes(budget.allocatable)} allocatable is free`);
  }
}
