// The plugin chain of one attachment. Only what the attachment needs is in it: portmap only with published
// ports, bandwidth only with a rate, so a plain `run` execs just bridge and firewall.
//
//   bridge (+ host-local IPAM in <root>/networks/ipam)   veth into the bridge, address, routes, masquerade
//   firewall (iptables, ingressPolicy same-bridge)      forward rules, and isolation from every other bridge
//   portmap (snat, so 127.0.0.1:hostPort works)         published ports
//   bandwidth                                          rate limit (tc tbf on the host veth and an ifb)
import type { NetworkRecord } from '../types.js';
import type { ConfList, RuntimeConfig } from './chain.js';

export interface ChainNeeds {
  ipamDir: string;
  ports: boolean;
  rate: boolean;
}

/** The CNI network name: unique per network record, so a re-created network never inherits old IPAM state. */
export function cniName(network: NetworkRecord): string {
  return `bh-${network.id.slice(0, 12)}`;
}

export function buildConfList(network: NetworkRecord, needs: ChainNeeds): ConfList {
  const plugins: ConfList['plugins'] = [
    {
      type: 'bridge', bridge: network.bridge, isGateway: true, ipMasq: !network.internal, hairpinMode: true,
      ipam: {
        type: 'host-local', dataDir: needs.ipamDir,
        ranges: [[{ subnet: network.subnet, gateway: network.gateway }]],
        // An internal network has no default route: nothing outside its subnet is reachable.
        routes: network.internal ? [] : [{ dst: '0.0.0.0/0' }],
      },
      capabilities: { ips: true },
    },
    { type: 'firewall', backend: 'iptables', ingressPolicy: 'same-bridge' },
  ];
  if (needs.ports) plugins.push({ type: 'portmap', snat: true, capabilities: { portMappings: true } });
  if (needs.rate) plugins.push({ type: 'bandwidth', capabilities: { bandwidth: true } });
  return { name: cniName(network), plugins };
}

export function runtimeConfig(opts: { ports?: Array<{ hostIp: string; hostPort: number; containerPort: number; protocol: string }>;
  rateBits?: number; burstBits?: number; ip?: string; prefixLen?: number }): RuntimeConfig {
  const rc: RuntimeConfig = {};
  if (opts.ports?.length) {
    rc.portMappings = opts.ports.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol,
      ...(p.hostIp ? { hostIP: p.hostIp } : {}) }));
  }
  if (opts.rateBits) {
    const burst = opts.burstBits ?? opts.rateBits;
    rc.bandwidth = { ingressRate: opts.rateBits, ingressBurst: burst, egressRate: opts.rateBits, egressBurst: burst };
  }
  if (opts.ip) rc.ips = [`${opts.ip}/${opts.prefixLen ?? 24}`];
  return rc;
}
