// The engine's stats sample in Docker's stats JSON. Docker clients compute CPU % themselves from cpu_stats minus
// precpu_stats over the system's CPU time; the engine already has the rate, so both counters are derived from it
// over one sampling interval, which makes the client's arithmetic give the engine's figure.
import type { ContainerRecord } from '../../core/index.js';
import type { ContainerStats } from '../../engine/index.js';

const INTERVAL_NS = 1e9;

export function dockerStats(rec: ContainerRecord, s: ContainerStats) {
  const systemNow = Date.parse(s.read) * 1e6 * s.onlineCpus;
  const cpuDelta = (s.cpuPercent / 100) * INTERVAL_NS;
  const cpu = (total: number, system: number) => ({
    cpu_usage: { total_usage: Math.round(total), usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: Math.round(system), online_cpus: s.onlineCpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  const network = String(rec.config.network);
  const ownNetwork = network !== 'none' && network !== 'host';
  return {
    id: s.id, name: `/${s.name}`, read: s.read, preread: new Date(Date.parse(s.read) - INTERVAL_NS / 1e6).toISOString(),
    pids_stats: { current: s.pids, ...(s.pidsLimit ? { limit: s.pidsLimit } : {}) },
    blkio_stats: {
      io_service_bytes_recursive: [{ major: 0, minor: 0, op: 'read', value: s.blockRead }, { major: 0, minor: 0, op: 'write', value: s.blockWrite }],
      io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null,
      io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
    },
    num_procs: 0, storage_stats: {},
    cpu_stats: cpu(s.cpuUsageNs, systemNow),
    precpu_stats: cpu(Math.max(0, s.cpuUsageNs - cpuDelta), systemNow - INTERVAL_NS * s.onlineCpus),
    memory_stats: { usage: s.memoryUsage, stats: {}, limit: s.memoryLimit },
    ...(ownNetwork ? { networks: { eth0: { rx_bytes: s.netRx, rx_packets: 0, rx_errors: 0, rx_dropped: 0,
      tx_bytes: s.netTx, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } } } : {}),
  };
}
