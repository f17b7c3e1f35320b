// One network's name table: container names and aliases to IPv4 addresses, and the reverse map for PTR queries.
// A table belongs to exactly one network; the server never consults another network's table for a query, which
// is what keeps container names from leaking across networks.
import { isIPv4 } from 'node:net';
import { InvalidArgumentError } from '../../core/index.js';

/** Lowercase, without the trailing root dot: the form every lookup compares in. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** "4.3.2.1.in-addr.arpa" -> "1.2.3.4"; undefined for anything that is not a full IPv4 reverse name. */
export function reverseNameToIPv4(name: string): string | undefined {
  const suffix = '.in-addr.arpa';
  const n = normalizeName(name);
  if (!n.endsWith(suffix)) return undefined;
  const ip = n.slice(0, -suffix.length).split('.').reverse().join('.');
  return isIPv4(ip) ? ip : undefined;
}

export class NetworkRecords {
  private readonly byName = new Map<string, string[]>();
  private readonly byAddress = new Map<string, string>();

  /**
   * Validates and copies records. The first name given for an address is the one PTR answers with, so callers
   * list a container's own name before its aliases.
   */
  constructor(network: string, records: Map<string, string[]>) {
    for (const [rawName, addresses] of records) {
      const name = normalizeName(rawName);
      if (!name || name.split('.').some((label) => label.length === 0 || label.length > 63)) {
        throw new InvalidArgumentError(`network ${network}: DNS name ${JSON.stringify(rawName)} is not a valid name`);
      }
      for (const address of addresses) {
        if (!isIPv4(address)) {
          throw new InvalidArgumentError(`network ${network}: DNS name ${name}: ${JSON.stringify(address)} is not an IPv4 address`);
        }
      }
      const merged = [...new Set([...(this.byName.get(name) ?? []), ...addresses])];
      this.byName.set(name, merged);
      for (const address of addresses) {
        if (!this.byAddress.has(address)) this.byAddress.set(address, name);
      }
    }
  }

  /**
   * The addresses for a queried name, or undefined when this network does not own it. Besides exact names, a
   * single-label record name followed by one of the search domains is ours: a container's resolver appends the
   * host's search domains to short names, and the host's upstream can never answer for a container.
   */
  lookup(queryName: string, searchDomains: readonly string[]): string[] | undefined {
    const name = normalizeName(queryName);
    const exact = this.byName.get(name);
    if (exact) return exact;
    for (const domain of searchDomains) {
      if (!name.endsWith(`.${domain}`)) continue;
      const head = name.slice(0, -domain.length - 1);
      if (!head.includes('.')) {
        const found = this.byName.get(head);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The name a container address on this network answers PTR queries with. */
  nameOf(address: string): string | undefined {
    return this.byAddress.get(address);
  }
}
