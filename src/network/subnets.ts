// IPv4 subnet arithmetic: parsing CIDRs, overlap tests and choosing a free /24 (or the pool's slice size) from
// the address pools, skipping subnets that overlap a route already on the host or another network.
import { InvalidArgumentError } from '../core/index.js';

export interface Cidr {
  base: number;        // network address as an unsigned 32-bit number
  prefix: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new InvalidArgumentError(`invalid IPv4 address "${ip}"`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff - (2 ** (32 - prefix) - 1));
}

/** "10.88.1.0/24" → Cidr; host bits must be zero (as docker insists), so "10.88.1.5/24" is refused. */
export function parseCidr(text: string, what = 'subnet'): Cidr {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(text.trim());
  if (!m || Number(m[2]) > 32) throw new InvalidArgumentError(`invalid ${what} "${text}": expected an IPv4 CIDR such as 10.89.0.0/24`);
  const ip = ipToInt(m[1]!);
  const prefix = Number(m[2]);
  const base = (ip & mask(prefix)) >>> 0;
  if (base !== ip) throw new InvalidArgumentError(`invalid ${what} "${text}": host bits are set (did you mean ${intToIp(base)}/${prefix}?)`);
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

export function contains(c: Cidr, ip: string): boolean {
  return ((ipToInt(ip) & mask(c.prefix)) >>> 0) === c.base;
}

/** The first usable address (.1 of a /24): the gateway docker and podman choose. */
export function firstHost(c: Cidr): string {
  return intToIp(c.base + 1);
}

/** A pool entry: "10.88.0.0/13" sliced into /24s, or "172.30.0.0/16:26" for another slice size. */
export function parsePool(text: string): { pool: Cidr; size: number } {
  const [cidr, size] = text.split(':');
  const pool = parseCidr(cidr!, 'address pool');
  const slice = size === undefined ? Math.max(24, pool.prefix) : Number(size);
  if (!Number.isInteger(slice) || slice < pool.prefix || slice > 30) {
    throw new InvalidArgumentError(`invalid address pool "${text}": the slice size must be between /${pool.prefix} and /30`);
  }
  return { pool, size: slice };
}

/**
 * The first free slice of the pools, starting at `offset` slices into them (so engines with different roots
 * start their search apart), skipping any that overlaps `taken`.
 */
export function pickSubnet(pools: string[], taken: Cidr[], offset = 0): Cidr | undefined {
  const parsed = pools.map(parsePool);
  const counts = parsed.map(({ pool, size }) => 2 ** (size - pool.prefix));
  const total = counts.reduce((a, b) => a + b, 0);
  for (let i = 0; i < total; i++) {
    let k = (i + offset) % total;
    let j = 0;
    while (k >= counts[j]!) { k -= counts[j]!; j++; }
    const { pool, size } = parsed[j]!;
    const candidate = { base: pool.base + k * 2 ** (32 - size), prefix: size };
    if (!taken.some((t) => overlaps(t, candidate))) return candidate;
  }
  return undefined;
}
