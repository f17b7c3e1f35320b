// Flags that loosen or tighten a container's confinement (--privileged, --cap-add, --security-opt …), in
// Docker's syntax. The CLI only parses what the user typed; the engine decides what is allowed, so API clients
// get the same checks. The one thing done here is reading a seccomp profile file: it lives on the user's side.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError, type DeviceMapping } from '../../core/index.js';
import type { SecurityRequest } from '../../engine/index.js';
import { collect } from '../parse.js';

export interface SecurityFlags {
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  groupAdd?: string[];
  device?: string[];
  deviceCgroupRule?: string[];
  sysctl?: string[];
  pid?: string;
  ipc?: string;
  uts?: string;
  cgroupns?: string;
  userns?: string;
}

export function addSecurityFlags(cmd: Command): Command {
  return cmd
    .option('--privileged', 'give the container all capabilities and devices, without seccomp (explicit, shown by inspect)')
    .option('--cap-add <cap>', 'add a Linux capability (NET_ADMIN, CAP_SYS_TIME, ALL …)', collect, [])
    .option('--cap-drop <cap>', 'drop a Linux capability (ALL drops every one)', collect, [])
    .option('--security-opt <opt>', 'seccomp=unconfined|<profile.json>, no-new-privileges[=true|false]', collect, [])
    .option('--group-add <group>', 'add a supplementary group (name from the image or numeric id)', collect, [])
    .option('--device <HOST[:CONTAINER[:PERMS]]>', 'make a host device available (PERMS: some of rwm)', collect, [])
    .option('--device-cgroup-rule <rule>', 'allow device numbers in the devices cgroup: "TYPE MAJOR:MINOR ACCESS" such as "c 1:3 mr"', collect, [])
    .option('--sysctl <KEY=VALUE>', 'set a namespaced sysctl (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*)', collect, [])
    .option('--pid <mode>', 'PID namespace: private (default) or host')
    .option('--ipc <mode>', 'IPC namespace: private (default) or host')
    .option('--uts <mode>', 'UTS namespace: private (default) or host')
    .option('--cgroupns <mode>', 'cgroup namespace: private (default; /proc/self/cgroup shows /) or host')
    .option('--userns <mode>', 'user namespace: auto (container root is an unprivileged host uid range from /etc/subuid) or host');
}

export function securityFromFlags(f: SecurityFlags): SecurityRequest | undefined {
  const req: SecurityRequest = {};
  if (f.privileged) req.privileged = true;
  if (f.capAdd?.length) req.capAdd = f.capAdd;
  if (f.capDrop?.length) req.capDrop = f.capDrop;
  for (const opt of f.securityOpt ?? []) Object.assign(req, parseSecurityOpt(opt));
  if (f.groupAdd?.length) req.groupAdd = f.groupAdd;
  if (f.device?.length) req.devices = f.device.map(parseDevice);
  if (f.deviceCgroupRule?.length) req.deviceCgroupRules = f.deviceCgroupRule;   // the engine checks the syntax
  if (f.sysctl?.length) req.sysctls = parseSysctls(f.sysctl);
  if (f.pid !== undefined) req.pid = f.pid as SecurityRequest['pid'];
  if (f.ipc !== undefined) req.ipc = f.ipc as SecurityRequest['ipc'];
  if (f.uts !== undefined) req.uts = f.uts as SecurityRequest['uts'];
  if (f.cgroupns !== undefined) req.cgroupns = f.cgroupns as SecurityRequest['cgroupns'];
  if (f.userns !== undefined) req.userns = f.userns as SecurityRequest['userns'];
  return Object.keys(req).length ? req : undefined;
}

/** seccomp=unconfined|FILE, no-new-privileges[=|:true|false]. Docker's other options have no meaning here. */
export function parseSecurityOpt(opt: string): SecurityRequest {
  const m = /^([a-z-]+)(?:[=:](.*))?$/s.exec(opt);
  const [key, value] = m ? [m[1]!, m[2]] : ['', undefined];
  if (key === 'no-new-privileges') {
    if (value === undefined || value === 'true') return { noNewPrivileges: true };
    if (value === 'false') return { noNewPrivileges: false };
    throw new InvalidArgumentError(`invalid --security-opt "${opt}": no-new-privileges takes true or false`);
  }
  if (key === 'seccomp' && value !== undefined && value !== '') {
    if (value === 'unconfined') return { seccomp: 'unconfined' };
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`--security-opt seccomp: cannot read profile ${value}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    return { seccomp: 'custom', seccompProfile: text };
  }
  throw new InvalidArgumentError(`invalid --security-opt "${opt}": supported are seccomp=unconfined|<file> and no-new-privileges[=true|false]`);
}

/** HOST[:CONTAINER[:PERMS]]; HOST:PERMS too, as Docker reads it when the second part is only r, w and m. */
export function parseDevice(spec: string): DeviceMapping {
  const parts = spec.split(':');
  if (parts.length > 3 || parts[0] === '') throw new InvalidArgumentError(`invalid --device "${spec}": expected HOST[:CONTAINER[:PERMS]]`);
  const [hostPath, second, third] = parts as [string, string?, string?];
  if (parts.length === 2 && /^[rwm]{1,3}$/.test(second!)) return { hostPath, containerPath: hostPath, permissions: second! };
  return { hostPath, containerPath: second || hostPath, permissions: third ?? 'rwm' };
}

export function parseSysctls(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`invalid --sysctl "${v}": expected KEY=VALUE`);
    out[v.slice(0, eq).trim()] = v.slice(eq + 1);
  }
  return out;
}
