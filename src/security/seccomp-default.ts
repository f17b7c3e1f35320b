// Bulkhead's default seccomp profile, as data: an allowlist. Anything not named here fails with EPERM, so a
// syscall added to a future kernel is refused until someone decides it is safe. The groups follow Docker's
// reasoning (see docs/security.md for the why of each refusal); the list itself is ours.
//
// Decisions beyond Docker's:
// - ptrace (and process_vm_readv/writev, kcmp, pidfd_getfd, process_madvise) only with CAP_SYS_PTRACE: reading
//   or steering another process is the first step of most escapes, and strace/gdb users can ask for it.
// - unshare is allowed only without namespace flags, like clone: `unshare -U` (a new user namespace, from which
//   root-only kernel code becomes reachable) is refused, CLONE_FILES/CLONE_FS still work.
// - mknod/mknodat may create files, fifos, sockets and char devices, never block devices: the device cgroup
//   would stop their use, but a block node in a volume could be used from the host or another container.
// - adjtimex and clock_adjtime are refused like the other clock setters (reading through them is rare).
// - keyctl/add_key/request_key and io_uring_* are refused even with every capability: the kernel keyring is not
//   namespaced and io_uring has been a steady source of kernel bugs. Use a custom profile if you need them.
import type { SeccompArg, SeccompProfile, SeccompRule } from './seccomp-types.js';

/** errno values the profile returns. */
export const EPERM = 1;
export const ENOSYS = 38;

/** clone/unshare flags that create namespaces: NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET. */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;
/** unshare also knows CLONE_NEWTIME (in clone the low byte is the exit signal, so it cannot be masked there). */
export const UNSHARE_NAMESPACE_FLAGS = CLONE_NAMESPACE_FLAGS | 0x80;

const S_IFMT = 0o170000;
const FILE_TYPES_BUT_BLOCK = [0, 0o100000, 0o020000, 0o010000, 0o140000];  // none(=regular), reg, chr, fifo, sock
const AF_ALG = 38;  // sockets from address family 38 (AF_ALG) on are new, rare and kernel-heavy

const allow = (names: string[], extra: Partial<SeccompRule> = {}): SeccompRule => ({ names, action: 'SCMP_ACT_ALLOW', ...extra });
const withCap = (cap: string, names: string[]): SeccompRule => allow(names, { includes: { caps: [cap] } });
const arg = (index: number, op: SeccompArg['op'], value: number, valueTwo?: number): SeccompArg =>
  ({ index, op, value, ...(valueTwo === undefined ? {} : { valueTwo }) });

const FILES = [
  'access', 'chdir', 'chmod', 'chown', 'chown32', 'close', 'close_range', 'copy_file_range', 'creat', 'dup', 'dup2',
  'dup3', 'faccessat', 'faccessat2', 'fadvise64', 'fadvise64_64', 'arm_fadvise64_64', 'fallocate', 'fchdir', 'fchmod',
  'fchmodat', 'fchmodat2', 'fchown', 'fchown32', 'fchownat', 'fcntl', 'fcntl64', 'fdatasync', 'flock', 'fstat',
  'fstat64', 'fstatat64', 'fstatfs', 'fstatfs64', 'fsync', 'ftruncate', 'ftruncate64', 'futimesat', 'getcwd',
  'getdents', 'getdents64', 'pipe', 'pipe2', 'lchown', 'lchown32', 'link', 'linkat', 'lseek', '_llseek', 'lstat', 'lstat64', 'mkdir',
  'mkdirat', 'newfstatat', 'open', 'openat', 'openat2', 'pread64', 'preadv', 'preadv2', 'pwrite64', 'pwritev',
  'pwritev2', 'read', 'readahead', 'readdir', 'readlink', 'readlinkat', 'readv', 'rename', 'renameat', 'renameat2',
  'rmdir', 'sendfile', 'sendfile64', 'splice', 'stat', 'stat64', 'statfs', 'statfs64', 'statx', 'symlink',
  'symlinkat', 'sync', 'syncfs', 'sync_file_range', 'sync_file_range2', 'arm_sync_file_range', 'tee', 'truncate',
  'truncate64', 'umask', 'unlink', 'unlinkat', 'utime', 'utimensat', 'utimensat_time64', 'utimes', 'vmsplice',
  'write', 'writev', 'ioctl', 'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr',
  'setxattr', 'lsetxattr', 'fsetxattr', 'removexattr', 'lremovexattr', 'fremovexattr', 'getxattrat', 'setxattrat',
  'listxattrat', 'removexattrat', 'file_getattr', 'file_setattr', 'cachestat', 'memfd_create', 'fanotify_mark',
];

const EVENTS = [
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait',
  'epoll_wait_old', 'eventfd', 'eventfd2', 'inotify_add_watch', 'inotify_init', 'inotify_init1', 'inotify_rm_watch',
  'poll', 'ppoll', 'ppoll_time64', 'select', '_newselect', 'pselect6', 'pselect6_time64', 'signalfd', 'signalfd4',
  'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64',
  'io_cancel', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'io_setup', 'io_submit',
];

const MEMORY = [
  'brk', 'madvise', 'membarrier', 'mincore', 'mlock', 'mlock2', 'mlockall', 'mmap', 'mmap2', 'mprotect', 'mremap',
  'msync', 'munlock', 'munlockall', 'munmap', 'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'remap_file_pages',
  'get_mempolicy', 'map_shadow_stack', 'mseal',
];

const PROCESSES = [
  'arch_prctl', 'capget', 'capset', 'execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'getpid', 'getppid',
  'getpgid', 'getpgrp', 'getsid', 'gettid', 'setsid', 'setpgid', 'getpriority', 'setpriority', 'nice', 'getrusage',
  'getrlimit', 'setrlimit', 'prlimit64', 'ugetrlimit', 'kill', 'tkill', 'tgkill', 'pidfd_open', 'pidfd_send_signal',
  'prctl', 'rseq', 'set_robust_list', 'get_robust_list', 'set_tid_address', 'set_thread_area', 'get_thread_area',
  'wait4', 'waitid', 'waitpid', 'times', 'uname', 'olduname', 'oldolduname', 'sched_getaffinity', 'sched_setaffinity',
  'sched_getattr', 'sched_setattr', 'sched_getparam', 'sched_setparam', 'sched_get_priority_max',
  'sched_get_priority_min', 'sched_getscheduler', 'sched_setscheduler', 'sched_rr_get_interval',
  'sched_rr_get_interval_time64', 'sched_yield', 'getcpu', 'ioprio_get', 'ioprio_set', 'seccomp',
  'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self', 'lsm_get_self_attr', 'lsm_list_modules',
  'restart_syscall', 'pause', 'alarm', 'nanosleep', 'clock_nanosleep', 'clock_nanosleep_time64', 'clock_getres',
  'clock_getres_time64', 'clock_gettime', 'clock_gettime64', 'gettimeofday', 'time', 'getitimer', 'setitimer',
  'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime',
  'timer_settime64', 'getrandom', 'sysinfo', 'futex', 'futex_time64', 'futex_waitv', 'futex_wait', 'futex_wake',
  'futex_requeue', 'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn',
  'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo', 'sigaction', 'sigaltstack',
  'signal', 'sigpending', 'sigprocmask', 'sigreturn', 'sigsuspend', 'chroot', 'statmount', 'listmount',
  // ARM-only helpers.
  'breakpoint', 'cacheflush', 'set_tls',
];

const IDS = [
  'getuid', 'geteuid', 'getgid', 'getegid', 'getuid32', 'geteuid32', 'getgid32', 'getegid32', 'getgroups',
  'getgroups32', 'setgroups', 'setgroups32', 'setuid', 'setuid32', 'setgid', 'setgid32', 'setreuid', 'setreuid32',
  'setregid', 'setregid32', 'setresuid', 'setresuid32', 'setresgid', 'setresgid32', 'getresuid', 'getresuid32',
  'getresgid', 'getresgid32', 'setfsuid', 'setfsuid32', 'setfsgid', 'setfsgid32',
];

const IPC = [
  'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedreceive_time64', 'mq_timedsend',
  'mq_timedsend_time64', 'mq_unlink', 'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'semctl', 'semget', 'semop',
  'semtimedop', 'semtimedop_time64', 'shmat', 'shmctl', 'shmdt', 'shmget', 'ipc',
];

const NETWORK = [
  'accept', 'accept4', 'bind', 'connect', 'getpeername', 'getsockname', 'getsockopt', 'setsockopt', 'listen',
  'recv', 'recvfrom', 'recvmmsg', 'recvmmsg_time64', 'recvmsg', 'send', 'sendmmsg', 'sendmsg', 'sendto', 'shutdown',
  'socketpair', 'socketcall',
];

/** Kernel-wide operations a container must not reach, each returned only with the capability that governs it. */
const SYS_ADMIN_ONLY = [
  'mount', 'umount', 'umount2', 'pivot_root', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'move_mount', 'open_tree',
  'open_tree_attr', 'mount_setattr', 'setns', 'unshare', 'clone', 'clone3', 'sethostname', 'setdomainname', 'swapon',
  'swapoff', 'quotactl', 'quotactl_fd', 'lookup_dcookie', 'bpf', 'perf_event_open', 'fanotify_init',
  'name_to_handle_at', 'userfaultfd',
];

export const DEFAULT_SECCOMP_PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: EPERM,
  // The native system-call ABI only: a 32-bit call (int 0x80, x32, arm32) kills the process. Docker also lists
  // the compat ABIs; they are a classic source of kernel bugs, few images still need them, and each one listed
  // makes runc compile the whole filter again (~14 ms of every container start on our 2-core VM, measured with
  // bare runc). 32-bit programs run with a custom profile that lists them (docs/security.md).
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: [] },
  ],
  syscalls: [
    allow([...FILES, ...EVENTS, ...MEMORY, ...PROCESSES, ...IDS, ...IPC, ...NETWORK]),
    allow(['clone'], { args: [arg(0, 'SCMP_CMP_MASKED_EQ', CLONE_NAMESPACE_FLAGS, 0)], excludes: { caps: ['CAP_SYS_ADMIN'] },
      comment: 'threads and processes, but no new namespaces' }),
    allow(['unshare'], { args: [arg(0, 'SCMP_CMP_MASKED_EQ', UNSHARE_NAMESPACE_FLAGS, 0)], excludes: { caps: ['CAP_SYS_ADMIN'] } }),
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] },
      comment: 'its flags live in memory seccomp cannot read; ENOSYS makes libc fall back to clone' },
    ...['mknod', 'mknodat'].flatMap((name) => FILE_TYPES_BUT_BLOCK.map((type) =>
      allow([name], { args: [arg(name === 'mknod' ? 1 : 2, 'SCMP_CMP_MASKED_EQ', S_IFMT, type)] }))),
    allow(['socket'], { args: [arg(0, 'SCMP_CMP_LT', AF_ALG)], comment: 'AF_ALG, AF_VSOCK and newer families refused' }),
    allow(['personality'], { args: [arg(0, 'SCMP_CMP_EQ', 0x0)] }),
    allow(['personality'], { args: [arg(0, 'SCMP_CMP_EQ', 0x0008)] }),
    allow(['personality'], { args: [arg(0, 'SCMP_CMP_EQ', 0x20000)] }),
    allow(['personality'], { args: [arg(0, 'SCMP_CMP_EQ', 0x20008)] }),
    allow(['personality'], { args: [arg(0, 'SCMP_CMP_EQ', 0xffffffff)] }),
    withCap('CAP_SYS_ADMIN', SYS_ADMIN_ONLY),
    withCap('CAP_SYS_PTRACE', ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd', 'process_madvise']),
    withCap('CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']),
    withCap('CAP_SYS_BOOT', ['kexec_load', 'kexec_file_load', 'reboot']),
    withCap('CAP_SYS_TIME', ['clock_settime', 'clock_settime64', 'settimeofday', 'stime', 'adjtimex', 'clock_adjtime', 'clock_adjtime64']),
    withCap('CAP_SYS_RAWIO', ['iopl', 'ioperm']),
    withCap('CAP_SYS_PACCT', ['acct']),
    withCap('CAP_SYS_NICE', ['mbind', 'set_mempolicy', 'set_mempolicy_home_node', 'migrate_pages', 'move_pages']),
    withCap('CAP_SYS_TTY_CONFIG', ['vhangup']),
    withCap('CAP_DAC_READ_SEARCH', ['open_by_handle_at']),
    withCap('CAP_SYSLOG', ['syslog']),
    withCap('CAP_BPF', ['bpf']),
    withCap('CAP_PERFMON', ['perf_event_open']),
  ],
};

/** Syscalls the default profile must refuse to a default container (checked by the tests). */
export const ALWAYS_REFUSED_BY_DEFAULT: readonly string[] = [
  'mount', 'umount2', 'kexec_load', 'kexec_file_load', 'bpf', 'keyctl', 'add_key', 'request_key', 'init_module',
  'finit_module', 'delete_module', 'ptrace', 'clock_settime', 'settimeofday', 'adjtimex', 'clock_adjtime', 'reboot',
  'swapon', 'swapoff', 'open_by_handle_at', 'perf_event_open', 'userfaultfd', 'io_uring_setup', 'io_uring_enter',
  'io_uring_register', 'setns', 'pivot_root', 'syslog', 'acct', 'iopl', 'ioperm', 'fsopen', 'move_mount', 'open_tree',
];
