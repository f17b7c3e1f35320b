// The seccomp profile format Bulkhead reads: Docker's JSON shape (so users can bring the profiles they already
// have), and the OCI runtime-spec object it compiles to. Types only.

export type SeccompAction =
  | 'SCMP_ACT_KILL' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_KILL_THREAD' | 'SCMP_ACT_TRAP' | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE' | 'SCMP_ACT_ALLOW' | 'SCMP_ACT_LOG';

export type SeccompOp =
  | 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export const SECCOMP_ACTIONS: readonly SeccompAction[] = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG',
];

export const SECCOMP_OPS: readonly SeccompOp[] = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
];

/** One comparison on a syscall argument. For MASKED_EQ: (arg & value) == valueTwo. */
export interface SeccompArg {
  index: number;        // 0-5
  value: number;
  valueTwo?: number;
  op: SeccompOp;
}

export interface SeccompRule {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: SeccompArg[];
  /** The rule applies only when the container has every one of these capabilities. */
  includes?: { caps?: string[] };
  /** The rule does not apply when the container has any one of these capabilities. */
  excludes?: { caps?: string[] };
  comment?: string;
}

export interface SeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  /** Per native architecture, the others its processes may use (x86_64 runs x86 and x32 binaries too). */
  archMap?: { architecture: string; subArchitectures: string[] }[];
  architectures?: string[];
  syscalls: SeccompRule[];
}

/** linux.seccomp of the OCI runtime spec. */
export interface OciSeccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: { names: string[]; action: SeccompAction; errnoRet?: number; args?: SeccompArg[] }[];
}
