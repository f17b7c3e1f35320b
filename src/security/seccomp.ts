// Seccomp profiles: checking the shape of a user's profile (so a typo is a one-line error at create, not a
// runtime failure at start), and compiling a profile for one container: the rules whose capability conditions
// its capability set meets, for the host's architecture and the ones that architecture can also run.
import { InvalidArgumentError } from '../core/index.js';
import { SECCOMP_ACTIONS, SECCOMP_OPS, type OciSeccomp, type SeccompArg, type SeccompProfile, type SeccompRule } from './seccomp-types.js';

// Node's process.arch → the native seccomp architecture name.
const NODE_ARCH: Record<string, string> = { x64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', ia32: 'SCMP_ARCH_X86', arm: 'SCMP_ARCH_ARM' };

export function nativeSeccompArch(nodeArch: string): string {
  return NODE_ARCH[nodeArch] ?? `SCMP_ARCH_${nodeArch.toUpperCase()}`;
}

/** The profile as the runtime takes it, for a container with `caps` on a host of native architecture `arch`. */
export function compileSeccomp(profile: SeccompProfile, caps: readonly string[], arch: string): OciSeccomp {
  const applies = (r: SeccompRule) =>
    (r.includes?.caps ?? []).every((c) => caps.includes(c)) && !(r.excludes?.caps ?? []).some((c) => caps.includes(c));
  const out: OciSeccomp = {
    defaultAction: profile.defaultAction,
    architectures: architectures(profile, arch),
    syscalls: profile.syscalls.filter(applies).map((r) => ({
      names: [...r.names],
      action: r.action,
      ...(r.errnoRet === undefined ? {} : { errnoRet: r.errnoRet }),
      ...(r.args && r.args.length ? { args: r.args.map((a) => ({ ...a })) } : {}),
    })),
  };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  return out;
}

function architectures(profile: SeccompProfile, arch: string): string[] {
  if (profile.archMap) {
    const entry = profile.archMap.find((a) => a.architecture === arch);
    if (entry) return [entry.architecture, ...entry.subArchitectures];
  }
  return profile.architectures ?? [];
}

/**
 * Parses a user's profile (Docker's JSON format) and checks every field the runtime will read. Fields it does
 * not read (comment, minKernel …) pass. Each mistake is one line naming where it is.
 */
export function parseSeccompProfile(text: string): SeccompProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`invalid seccomp profile: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const p = object(raw, 'the profile');
  const profile: SeccompProfile = { defaultAction: action(p.defaultAction, 'defaultAction'), syscalls: [] };
  if (p.defaultErrnoRet !== undefined) profile.defaultErrnoRet = errno(p.defaultErrnoRet, 'defaultErrnoRet');
  if (p.architectures !== undefined) profile.architectures = strings(p.architectures, 'architectures');
  if (p.archMap !== undefined) {
    profile.archMap = array(p.archMap, 'archMap').map((e, i) => {
      const o = object(e, `archMap[${i}]`);
      return { architecture: string(o.architecture, `archMap[${i}].architecture`),
        subArchitectures: o.subArchitectures === undefined ? [] : strings(o.subArchitectures, `archMap[${i}].subArchitectures`) };
    });
  }
  if (p.syscalls !== undefined && p.syscalls !== null) profile.syscalls = array(p.syscalls, 'syscalls').map(rule);
  return profile;
}

function rule(value: unknown, i: number): SeccompRule {
  const where = `syscalls[${i}]`;
  const o = object(value, where);
  let names: string[];
  if (o.names !== undefined) names = strings(o.names, `${where}.names`);
  else if (o.name !== undefined) names = [string(o.name, `${where}.name`)];
  else throw new InvalidArgumentError(`invalid seccomp profile: ${where} has no "names"`);
  if (names.length === 0) throw new InvalidArgumentError(`invalid seccomp profile: ${where}.names is empty`);
  for (const n of names) {
    if (!/^[a-z0-9_]+$/.test(n)) throw new InvalidArgumentError(`invalid seccomp profile: ${where} names "${n}", which is not a syscall name`);
  }
  const r: SeccompRule = { names, action: action(o.action, `${where}.action`) };
  if (o.errnoRet !== undefined) r.errnoRet = errno(o.errnoRet, `${where}.errnoRet`);
  if (o.args !== undefined && o.args !== null) r.args = array(o.args, `${where}.args`).map((a, j) => argument(a, `${where}.args[${j}]`));
  for (const key of ['includes', 'excludes'] as const) {
    if (o[key] === undefined) continue;
    const cond = object(o[key], `${where}.${key}`);
    if (cond.caps !== undefined) r[key] = { caps: strings(cond.caps, `${where}.${key}.caps`) };
  }
  return r;
}

function argument(value: unknown, where: string): SeccompArg {
  const o = object(value, where);
  const index = o.index;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 5) {
    throw new InvalidArgumentError(`invalid seccomp profile: ${where}.index must be a whole number from 0 to 5`);
  }
  const op = o.op;
  if (typeof op !== 'string' || !SECCOMP_OPS.includes(op as SeccompArg['op'])) {
    throw new InvalidArgumentError(`invalid seccomp profile: ${where}.op "${String(op)}" is not one of ${SECCOMP_OPS.join(', ')}`);
  }
  const a: SeccompArg = { index, op: op as SeccompArg['op'], value: uint(o.value, `${where}.value`) };
  if (o.valueTwo !== undefined) a.valueTwo = uint(o.valueTwo, `${where}.valueTwo`);
  return a;
}

function action(v: unknown, where: string): SeccompRule['action'] {
  if (typeof v !== 'string' || !SECCOMP_ACTIONS.includes(v as SeccompRule['action'])) {
    throw new InvalidArgumentError(`invalid seccomp profile: ${where} "${String(v)}" is not one of ${SECCOMP_ACTIONS.join(', ')}`);
  }
  return v as SeccompRule['action'];
}

function object(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InvalidArgumentError(`invalid seccomp profile: ${where} must be an object`);
  return v as Record<string, unknown>;
}

function array(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new InvalidArgumentError(`invalid seccomp profile: ${where} must be an array`);
  return v;
}

function string(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw new InvalidArgumentError(`invalid seccomp profile: ${where} must be a non-empty string`);
  return v;
}

function strings(v: unknown, where: string): string[] {
  return array(v, where).map((x, i) => string(x, `${where}[${i}]`));
}

function uint(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new InvalidArgumentError(`invalid seccomp profile: ${where} must be a non-negative whole number`);
  return v;
}

function errno(v: unknown, where: string): number {
  const n = uint(v, where);
  if (n < 1 || n > 4095) throw new InvalidArgumentError(`invalid seccomp profile: ${where} must be an errno from 1 to 4095`);
  return n;
}
