// A CNI ADD cut short by a daemon crash leaves no cached result, yet the plugins' DEL needs one: the firewall
// plugin finds the rules to delete from prevResult's addresses, and without them they stay. host-local records
// each lease as a file named by the address and holding the CNI container id, so the address, and with it a
// result good enough for DEL, can be read back from the IPAM directory.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CNI_VERSION } from './invoke.js';

/** The minimal CNI result for DEL: the leased address of `cniId` on `ifname`, or undefined when it holds none. */
export async function resultFromLease(ipamDir: string, cniNetwork: string, cniId: string, ifname: string,
  prefixLen: number): Promise<object | undefined> {
  const dir = join(ipamDir, cniNetwork);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(name)) continue; // lock, last_reserved_ip.0
    const [id, iface] = (await readFile(join(dir, name), 'utf8').catch(() => '')).split(/\r?\n/);
    if (id?.trim() === cniId && (iface === undefined || iface.trim() === '' || iface.trim() === ifname)) {
      return { cniVersion: CNI_VERSION, interfaces: [{ name: ifname, sandbox: 'lost' }], ips: [{ address: `${name}/${prefixLen}`, interface: 0 }] };
    }
  }
  return undefined;
}
