// The shape of the per-network DNS responder (src/network/dns, written separately) as the engine uses it. The
// engine loads it at start-up when present; without it, containers still reach each other by address.
export interface DnsResponder {
  serve(network: string, address: string, port?: number, clients?: (address: string) => boolean): Promise<void>;
  unserve(network: string): Promise<void>;
  setRecords(network: string, records: Map<string, string[]>): void;
  close(): Promise<void>;
}
