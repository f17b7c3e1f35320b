// Flags that loosen or tighten a container's confinement (--privileged, --cap-add, --security-opt …).
import type { Command } from 'commander';
import type { SecurityRequest } from '../../engine/index.js';

export interface SecurityFlags {
  privileged?: boolean;
}

export function addSecurityFlags(cmd: Command): Command {
  return cmd.option('--privileged', 'give the container all capabilities and devices, without seccomp (explicit, shown by inspect)');
}

export function securityFromFlags(f: SecurityFlags): SecurityRequest | undefined {
  return f.privileged ? { privileged: true } : undefined;
}
