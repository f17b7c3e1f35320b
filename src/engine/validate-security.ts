// Turns the confinement a client asked for into SecurityOptions: hardened defaults for everything not asked,
// and a clear InvalidArgument for anything that cannot be honoured.
import { InvalidArgumentError, type SecurityOptions } from '../core/index.js';
import type { SecurityRequest } from './types.js';

export function defaultSecurity(): SecurityOptions {
  return {
    privileged: false, capAdd: [], capDrop: [], seccomp: 'default', noNewPrivileges: true, groupAdd: [], devices: [],
    sysctls: {}, pid: 'private', ipc: 'private', uts: 'private', userns: 'host',
  };
}

export function validateSecurity(req: SecurityRequest | undefined): SecurityOptions {
  if (req !== undefined && (req === null || typeof req !== 'object' || Array.isArray(req))) {
    throw new InvalidArgumentError('create container: "security" must be an object');
  }
  return { ...defaultSecurity(), ...(req ?? {}) };
}
