// Flags that limit what a container may consume (--memory, --cpus, --pids-limit …).
import type { Command } from 'commander';
import { InvalidArgumentError, parseSize, type ResourceLimits } from '../../core/index.js';

export interface ResourceFlags {
  memory?: string;
  cpus?: string;
  pidsLimit?: string;
}

export function addResourceFlags(cmd: Command): Command {
  return cmd
    .option('-m, --memory <size>', 'memory limit (e.g. 256m)')
    .option('--cpus <n>', 'CPU limit (e.g. 1.5)')
    .option('--pids-limit <n>', 'maximum number of processes');
}

function number(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(v)) throw new InvalidArgumentError(`invalid value "${v}" for ${flag}: expected a number`);
  return Number(v);
}

export function resourcesFromFlags(f: ResourceFlags): ResourceLimits {
  return {
    memory: f.memory === undefined ? undefined : parseSize(f.memory, 'memory limit'),
    cpus: number(f.cpus, '--cpus'),
    pidsLimit: number(f.pidsLimit, '--pids-limit'),
  };
}
