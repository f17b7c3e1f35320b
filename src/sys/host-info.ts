// What the engine reports about the machine it runs on, and in particular whether that machine is itself virtual.
// Node cannot execute CPUID, so virtualization is read from what the kernel exposes, as systemd's detect_virt
// falls back to: the "hypervisor" cpu flag, DMI strings, /sys/hypervisor, the kvm-clock clocksource, and the
// marker files container engines leave. A VM and a container are detected separately, because both can be true
// (a container inside a VM), and that combination is worth saying out loud. Every read is relative to `root`
// so tests can describe any host as a fake tree.
import { readFile, stat } from 'node:fs/promises';
import { arch as nodeArch, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { detectCgroups, type CgroupMode } from './cgroups.js';

export type VirtualizationKind = 'bare-metal' | 'vm' | 'container' | 'vm+container';

export interface Virtualization {
  kind: VirtualizationKind;
  hypervisor?: string;     // "KVM", "VMware", … or "unknown" when only the cpu flag says so
  container?: string;      // "docker", "podman", "lxc", …
  evidence: string[];      // what the verdict rests on, for `info` and bug reports
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

async function detectVm(root: string, evidence: string[]): Promise<string | undefined> {
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
  return named ?? (flagged ? 'unknown' : undefined);
}

async function detectContainer(root: string, evidence: string[]): Promise<string | undefined> {
  const found: string[] = [];
  const note = (what: string, engine: string) => { evidence.push(what); found.push(engine); };
  if (await exists(root, '.dockerenv')) note('/.dockerenv exists', 'docker');
  if (await exists(root, 'run/.containerenv')) note('/run/.containerenv exists', 'podman');
  for (const f of ['run/systemd/container', 'run/host/container-manager']) {
    const v = await readText(root, f);
    if (v) note(`/${f} says ${v}`, v);
  }
  // PID 1's environment names the manager under systemd-style inits; unreadable (EACCES) on some hosts.
  const environ = await readText(root, 'proc/1/environ');
  const fromEnv = environ?.split('\0').find((e) => e.startsWith('container='))?.slice('container='.length);
  if (fromEnv) note(`PID 1 has container=${fromEnv}`, fromEnv);
  if ((await exists(root, 'proc/vz')) && !(await exists(root, 'proc/bc'))) note('/proc/vz without /proc/bc', 'openvz');
  const osrelease = (await readText(root, 'proc/sys/kernel/osrelease')) ?? '';
  if (/microsoft|wsl/i.test(osrelease)) note(`kernel release ${osrelease} is WSL's`, 'wsl');
  return found[0];
}

export async function detectVirtualization(root = '/'): Promise<Virtualization> {
  const evidence: string[] = [];
  const hypervisor = await detectVm(root, evidence);
  const container = await detectContainer(root, evidence);
  const kind: VirtualizationKind = hypervisor ? (container ? 'vm+container' : 'vm') : (container ? 'container' : 'bare-metal');
  return { kind, ...(hypervisor ? { hypervisor } : {}), ...(container ? { container } : {}), evidence };
}

/**
 * The sentence `info` prints when the engine runs inside a VM: containers there stack on a hypervisor, so the
 * timing consistency and near-native performance that motivate containers are largely gone.
 */
export function hybridArchitectureNotice(v: Virtualization): string | undefined {
  if (v.kind !== 'vm' && v.kind !== 'vm+container') return undefined;
  return `running on a virtual machine (${v.hypervisor ?? 'unknown'}): this is a hybrid container architecture, containers lose much of their timing-consistency and performance advantage`;
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
