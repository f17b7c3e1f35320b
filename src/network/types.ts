// Records of the network layer. A NetworkRecord is what `network create` made (fixed for the network's life); an
// AttachmentRecord is one container's live membership of one network: written before the CNI ADD runs (so a
// crash mid-ADD is still torn down) and completed with the plugin chain's result, which DEL needs afterwards.
import type { PortMapping } from '../core/index.js';

export interface NetworkRecord {
  id: string;                 // 64 hex
  name: string;
  driver: 'bridge';
  bridge: string;             // host bridge device, <= 15 chars
  subnet: string;             // IPv4 CIDR
  gateway: string;            // IPv4 on the bridge; also the network's DNS responder address
  internal: boolean;          // no route out, no masquerade
  labels: Record<string, string>;
  options: Record<string, string>;
  created: string;
  isDefault: boolean;         // the 'bridge' network: host resolvers, no DNS responder (as docker's default bridge)
}

/** A published port with the host port actually taken (a -P or hostPort 0 mapping gets its port at start). */
export type BoundPort = PortMapping;

export interface AttachmentRecord {
  containerId: string;        // the owner: a container, or a pool entry (engine/networks/sandbox-pool.ts)
  cniId?: string;             // CNI_CONTAINERID of the ADD (and so of the DEL) when not containerId: a recycled namespace
  networkId: string;
  ifname: string;             // eth0, eth1… inside the container
  netns: string;              // bind-mounted namespace file
  status: 'adding' | 'attached';
  ip: string;                 // '' until attached
  prefixLen: number;
  mac: string;
  hostVeth: string;
  aliases: string[];
  ports: BoundPort[];         // only on the attachment that carries the published ports
  rateBits?: number;
  burstBits?: number;
  requestedIp?: string;
  result?: unknown;           // the CNI chain's final result (cached for DEL)
}
