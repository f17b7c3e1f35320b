// What the engine reports about the machine it runs on, and in particular whether that machine is itself virtual.
// Node cannot execute CPUID, so virtualization is read from what the kernel exposes, as systemd's detect_virt
// falls back to: the "hypervisor" cpu flag, DMI strings, /sys/hypervisor, the kvm-clock clocksource, steal time.
// A VM and a container are detected separately, because both can be true (a container inside a VM), and that
// combination is worth saying out loud. Every read is relative to `root` so tests can describe any host as a
// fake tree.
//
// The container rule. Signals fall into independent families:
//   marker    /.dockerenv, /run/.containerenv: files an engine drops into the rootfs; they survive into images
//             and VM disks built from images (this project's VMs carry a stale /.dockerenv), so never enough alone
//   manager   PID 1's environment container=…, /run/systemd/container, /run/host/container-manager (systemd
//             writes the second from the first, so together they are still one family)
//   cgroup    PID 1 in a cgroup other than / or /init.scope; or a cgroup namespace: v2 `cgroup.type` at the mount
//             root (only non-root cgroups have it), or a v1 name=systemd hierarchy without `release_agent`
//   rootfs    / is an overlay mount in /proc/self/mountinfo
//   platform  OpenVZ (/proc/vz without /proc/bc) or WSL (kernel release): properties of the running kernel
// The verdict is "container" when a platform signal is present, or when at least two different families agree.
// One family alone is kept in `evidence`, marked "not corroborated", and does not change the kind.
// The VM verdict may rest on one signal (the cpu flag, DMI, /sys/hypervisor, a paravirt clocksource, or nonzero
// steal time, which only a hypervisor produces); the hypervisor's name comes from the first that names one.
import { readFile, stat } from 'node:fs/promises';
import { arch as nodeArch, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { detectCgroups, type CgroupMode } from './cgroups.js';

export type VirtualizationKind = 'bare-metal' | 'vm' | 'container' | 'vm+container';

export interface Virtualization {
  kind: VirtualizationKind;
  hypervisor?: string;     // "KVM", "VMware", … or "unknown" when only the cpu flag says so
  container?: string;      // "docker", "podman", "lxc", …, or "unknown"
  evidence: string[];      // what the verdict rests on, for `info` and bug reports
  /** Fraction (0..1) of all CPU time since boot stolen by the hypervisor; absent when /proc/stat is unreadable. */
  stealSinceBoot?: number;
}

export interface HostInfo {
  kernel: string;
  os: { id: string; name: string; version: string; prettyName: string };
  arch: string;            // OCI/Go names: amd64, arm64, …
  cpus: number;
  memTotal: number;        // bytes
  cgroup: { mode: CgroupMode; version: 1 | 2; driver: 'cgroupfs'; v1Controllers: string[] };
  virtualization: Virtualization;
}

async function readText(root: string, path: string): Promise<string | undefined> {
  try {
    return (await readFile(join(root, path), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function exists(root: string, path: string): Promise<boolean> {
  return stat(join(root, path)).then(() => true, () => false);
}

// DMI vendor/product substrings → hypervisor, in the spirit of systemd's dmi_vendor_table.
const DMI_VENDORS: Array<[RegExp, string]> = [
  [/KVM/i, 'KVM'], [/QEMU/i, 'QEMU'], [/Amazon EC2/i, 'Amazon EC2'], [/VMware/i, 'VMware'],
  [/VirtualBox|innotek/i, 'Oracle VirtualBox'], [/Xen/i, 'Xen'], [/Bochs/i, 'Bochs'], [/Parallels/i, 'Parallels'],
  [/BHYVE/i, 'bhyve'], [/Google Compute Engine|^Google$/i, 'Google'], [/Virtual Machine/i, 'Microsoft Hyper-V'],
  [/OpenStack/i, 'OpenStack'], [/Firecracker/i, 'Firecracker'],
];
const DMI_FILES = ['sys_vendor', 'product_name', 'board_vendor', 'bios_vendor', 'product_version'];
const CLOCKSOURCES: Array<[string, string]> = [['kvm-clock', 'KVM'], ['xen', 'Xen'], ['hyperv_clocksource', 'Microsoft Hyper-V']];

async function detectVm(root: string, evidence: string[], steal: number | undefined): Promise<string | undefined> {
  let named: string | undefined;
  const hvType = await readText(root, 'sys/hypervisor/type');
  if (hvType) {
    evidence.push(`/sys/hypervisor/type is ${hvType}`);
    named = hvType.toLowerCase() === 'xen' ? 'Xen' : hvType;
  }
  for (const f of DMI_FILES) {
    const value = await readText(root, `sys/class/dmi/id/${f}`);
    const hit = value ? DMI_VENDORS.find(([re]) => re.test(value)) : undefined;
    if (hit) {
      evidence.push(`DMI ${f} is "${value}"`);
      named ??= hit[1];
    }
  }
  const clocks = (await readText(root, 'sys/devices/system/clocksource/clocksource0/available_clocksource')) ?? '';
  for (const [clock, hv] of CLOCKSOURCES) {
    if (clocks.split(/\s+/).some((c) => c.startsWith(clock))) {
      evidence.push(`clocksource ${clock} is available`);
      named ??= hv;
    }
  }
  const cpuinfo = (await readText(root, 'proc/cpuinfo')) ?? '';
  const flagged = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  if (flagged) evidence.push('the cpu reports the "hypervisor" flag');
  const stolen = steal !== undefined && steal > 0;
  if (stolen) evidence.push(`steal time is ${formatPercent(steal)} of CPU time since boot`);
  return named ?? (flagged || stolen ? 'unknown' : undefined);
}

type Family = 'marker' | 'manager' | 'cgroup' | 'rootfs' | 'platform';

/** Engine names as they appear in cgroup paths of a container's PID 1 (cgroup v1 without a namespace). */
const CGROUP_ENGINES: Array<[RegExp, string]> = [
  [/\/docker[/-]/, 'docker'], [/libpod|\/podman/, 'podman'], [/\/lxc[./]|lxc\.payload/, 'lxc'], [/kubepods/, 'kubernetes'],
  [/machine\.slice\/.*nspawn|systemd-nspawn/, 'systemd-nspawn'], [/containerd/, 'containerd'],
];

async function cgroupSignal(root: string, note: (f: Family, what: string, engine?: string) => void): Promise<void> {
  const own = (await readText(root, 'proc/1/cgroup')) ?? '';
  const paths = own.split('\n').map((l) => l.split(':').slice(2).join(':')).filter((p) => p !== '');
  const odd = paths.find((p) => p !== '/' && p !== '/init.scope');
  if (odd) note('cgroup', `PID 1 is in cgroup ${odd}`, CGROUP_ENGINES.find(([re]) => re.test(odd))?.[1]);
  else if (await exists(root, 'sys/fs/cgroup/cgroup.type')) note('cgroup', 'the cgroup2 mount root has cgroup.type (a cgroup namespace)');
  else if ((await exists(root, 'sys/fs/cgroup/systemd/cgroup.procs')) && !(await exists(root, 'sys/fs/cgroup/systemd/release_agent'))) {
    note('cgroup', 'the name=systemd cgroup root has no release_agent (a cgroup namespace)');
  }
}

async function detectContainer(root: string, evidence: string[]): Promise<string | undefined> {
  const found: Array<{ family: Family; what: string; engine?: string }> = [];
  const note = (family: Family, what: string, engine?: string) => { found.push({ family, what, ...(engine ? { engine } : {}) }); };
  if (await exists(root, '.dockerenv')) note('marker', '/.dockerenv exists', 'docker');
  if (await exists(root, 'run/.containerenv')) note('marker', '/run/.containerenv exists', 'podman');
  // PID 1's environment names the manager under systemd-style inits; unreadable (EACCES) on some hosts.
  const environ = await readText(root, 'proc/1/environ');
  const fromEnv = environ?.split('\0').find((e) => e.startsWith('container='))?.slice('container='.length);
  if (fromEnv) note('manager', `PID 1 has container=${fromEnv}`, fromEnv);
  for (const f of ['run/systemd/container', 'run/host/container-manager']) {
    const v = await readText(root, f);
    if (v) note('manager', `/${f} says ${v}`, v);
  }
  await cgroupSignal(root, note);
  // The last mount on / is the one in effect.
  const rootMount = ((await readText(root, 'proc/self/mountinfo')) ?? '').split('\n').map((l) => l.split(' '))
    .filter((f) => f[4] === '/').pop();
  const rootFs = rootMount?.[rootMount.indexOf('-') + 1];
  if (rootFs === 'overlay' || rootFs === 'fuse-overlayfs') note('rootfs', `/ is an ${rootFs} mount`);
  if ((await exists(root, 'proc/vz')) && !(await exists(root, 'proc/bc'))) note('platform', '/proc/vz without /proc/bc', 'openvz');
  const osrelease = (await readText(root, 'proc/sys/kernel/osrelease')) ?? '';
  if (/microsoft|wsl/i.test(osrelease)) note('platform', `kernel release ${osrelease} is WSL's`, 'wsl');

  const families = new Set(found.map((f) => f.family));
  const confirmed = families.has('platform') || families.size >= 2;
  for (const f of found) evidence.push(confirmed ? f.what : `${f.what} (not corroborated by a second independent signal, so not taken as a container)`);
  if (!confirmed) return undefined;
  // The most specific name: the manager's own word, then the platform, a marker, a cgroup path.
  const rank: Family[] = ['manager', 'platform', 'marker', 'cgroup'];
  return rank.map((fam) => found.find((f) => f.family === fam && f.engine)?.engine).find(Boolean) ?? 'unknown';
}

/** Cumulative CPU time of all CPUs since boot, in USER_HZ ticks, from the first line of /proc/stat. */
export interface CpuTimes { total: number; steal: number }

export async function readCpuTimes(root = '/'): Promise<CpuTimes | undefined> {
  const line = ((await readText(root, 'proc/stat')) ?? '').split('\n').find((l) => /^cpu\s/.test(l));
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already counted in user.
  const ticks = line?.trim().split(/\s+/).slice(1, 9).map(Number);
  if (!ticks || ticks.length < 4 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
}

/** Fraction (0..1) of CPU time stolen between two readings, or since boot when `since` is absent. */
export function stealFraction(now: CpuTimes, since: CpuTimes = { total: 0, steal: 0 }): number {
  const total = now.total - since.total;
  return total > 0 ? Math.max(0, now.steal - since.steal) / total : 0;
}

/** Steal over the next `intervalMs`: what a measurement records beside each run. */
export async function sampleSteal(intervalMs: number, root = '/'): Promise<number | undefined> {
  const before = await readCpuTimes(root);
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
  const after = await readCpuTimes(root);
  return before && after ? stealFraction(after, before) : undefined;
}

const formatPercent = (f: number) => `${(f * 100).toFixed(f < 0.001 ? 3 : 2)}%`;

export async function detectVirtualization(root = '/'): Promise<Virtualization> {
  const evidence: string[] = [];
  const times = await readCpuTimes(root);
  const steal = times ? stealFraction(times) : undefined;
  const hypervisor = await detectVm(root, evidence, steal);
  const container = await detectContainer(root, evidence);
  const kind: VirtualizationKind = hypervisor ? (container ? 'vm+container' : 'vm') : (container ? 'container' : 'bare-metal');
  return { kind, ...(hypervisor ? { hypervisor } : {}), ...(container ? { container } : {}), evidence, ...(steal !== undefined ? { stealSinceBoot: steal } : {}) };
}

/**
 * The sentence `info` prints when the engine runs inside a VM: containers there stack on a hypervisor, so the
 * timing consistency and near-native performance that motivate containers are largely gone.
 */
export function hybridArchitectureNotice(v: Virtualization): string | undefined {
  if (v.kind !== 'vm' && v.kind !== 'vm+container') return undefined;
  const steal = v.stealSinceBoot !== undefined ? ` (steal time since boot: ${formatPercent(v.stealSinceBoot)})` : '';
  return `running on a virtual machine (${v.hypervisor ?? 'unknown'}): this is a hybrid container architecture, containers lose much of their timing-consistency and performance advantage${steal}`;
}

function parseOsRelease(text: string): HostInfo['os'] {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1]!, m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  const name = kv.get('NAME') ?? 'Linux';
  return { id: kv.get('ID') ?? 'linux', name, version: kv.get('VERSION_ID') ?? '', prettyName: kv.get('PRETTY_NAME') ?? name };
}

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export async function hostInfo(root = '/'): Promise<HostInfo> {
  const [osrelease, osText, cpuinfo, meminfo, virtualization] = await Promise.all([
    readText(root, 'proc/sys/kernel/osrelease'), readText(root, 'etc/os-release'),
    readText(root, 'proc/cpuinfo'), readText(root, 'proc/meminfo'), detectVirtualization(root),
  ]);
  const processors = (cpuinfo ?? '').split('\n').filter((l) => /^processor\s*:/.test(l)).length;
  const memKb = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo ?? '')?.[1];
  const cg = detectCgroups(root);
  return {
    kernel: osrelease ?? release(),
    os: parseOsRelease(osText ?? ''),
    arch: ARCH[nodeArch()] ?? nodeArch(),
    cpus: processors || cpus().length,
    memTotal: memKb ? Number(memKb) * 1024 : totalmem(),
    cgroup: { mode: cg.mode, version: cg.version, driver: cg.driver, v1Controllers: cg.v1Controllers },
    virtualization,
  };
}
