// `update` changes the live cgroup of a running container (and the config a stopped one starts with); `stats`
// shows the kernel's counters moving; the v1 reader agrees with the real kernel's files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { processCgroupDirs } from '../../src/sys/cgroup-paths.js';
import { readCgroupUsage } from '../../src/sys/cgroup-stats.js';
import type { ContainerStats } from '../../src/engine/containers/stats.js';
import { Client, readAll } from '../../src/cli/client.js';
import { TestEngine } from '../helpers/engine-harness.js';
import { assertOneLineError, inspectContainer } from '../integration/cli-checks.js';
import { cgroupFile, logsWhen, runDetached } from './helpers.js';

const MiB = 1024 * 1024;
const skip = process.getuid?.() !== 0 ? 'needs root' : undefined;
const resources = (e: TestEngine, ref: string) =>
  (inspectContainer(e, ref) as unknown as { Config: { resources: Record<string, unknown> } }).Config.resources;

describe('update and stats', { skip }, () => {
  const e = new TestEngine('bh-test-update-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('update changes the live limits of a running container and its record', async () => {
    const id = runDetached(e, ['--name', 'upd', '-m', '64m', '--cpus', '0.5', '--pids-limit', '100'], 'echo ready; sleep 1000');
    await logsWhen(e, id, 'ready');
    assert.equal(cgroupFile('memory', id, 'memory.limit_in_bytes'), String(64 * MiB));
    assert.equal(e.ok(['update', '-m', '96m', '--memory-reservation', '48m', '--cpus', '1.5', '--cpu-shares', '256',
      '--pids-limit', '200', '--cpuset-cpus', '1', '--blkio-weight', '700', 'upd']), 'upd');
    assert.equal(cgroupFile('memory', id, 'memory.limit_in_bytes'), String(96 * MiB));
    assert.equal(cgroupFile('memory', id, 'memory.soft_limit_in_bytes'), String(48 * MiB));
    assert.equal(cgroupFile('cpu', id, 'cpu.cfs_quota_us'), '150000');
    assert.equal(cgroupFile('cpu', id, 'cpu.shares'), '256');
    assert.equal(cgroupFile('pids', id, 'pids.max'), '200');
    assert.equal(cgroupFile('cpuset', id, 'cpuset.cpus'), '1');
    const r = resources(e, 'upd');
    assert.equal(r['memory'], 96 * MiB);
    assert.equal(r['cpus'], 1.5);
    assert.equal(r['pidsLimit'], 200);

    // --cpu-quota replaces --cpus (one limit, two spellings); -1 lifts the pids limit.
    e.ok(['update', '--cpu-quota', '30000', '--pids-limit', '-1', 'upd']);
    assert.equal(cgroupFile('cpu', id, 'cpu.cfs_quota_us'), '30000');
    assert.equal(cgroupFile('pids', id, 'pids.max'), 'max');
    assert.equal(resources(e, 'upd')['cpus'], undefined);

    // A refused update changes neither the cgroup nor the record.
    assertOneLineError(e.run(['update', '-m', '2m', 'upd']), /update container upd: invalid --memory/);
    assertOneLineError(e.run(['update', '--memory-reservation', '128m', 'upd']), /--memory-reservation/);
    assertOneLineError(e.run(['update', 'upd']), /no limit given/);
    assertOneLineError(e.run(['update', '--cpus', '1', 'bh-test-no-such']), /no such container/);
    assert.equal(cgroupFile('memory', id, 'memory.limit_in_bytes'), String(96 * MiB));
    assert.equal(resources(e, 'upd')['memory'], 96 * MiB);
    e.ok(['rm', '-f', 'upd']);
  });

  it('update of a stopped container applies at its next start', async () => {
    e.ok(['create', '--name', 'later', '-m', '64m', 'busybox', 'sh', '-c', 'echo ready; sleep 1000']);
    e.ok(['update', '-m', '80m', '--pids-limit', '33', 'later']);
    e.ok(['start', 'later']);
    const id = inspectContainer(e, 'later').Id;
    await logsWhen(e, 'later', 'ready');
    assert.equal(cgroupFile('memory', id, 'memory.limit_in_bytes'), String(80 * MiB));
    assert.equal(cgroupFile('pids', id, 'pids.max'), '33');
    e.ok(['rm', '-f', 'later']);
  });

  it('stats: a busy loop shows CPU, memory, pids and block I/O from the kernel', async () => {
    const id = runDetached(e, ['--name', 'busy', '-m', '128m', '--network', 'none'],
      'dd if=/dev/zero of=/tmp/f bs=1M count=16 oflag=direct 2>/dev/null; echo ready; while :; do :; done');
    await logsWhen(e, id, 'ready');
    const [s] = JSON.parse(e.ok(['stats', '--no-stream', '--format', 'json', 'busy'])) as ContainerStats[];
    console.log(`stats of a busy loop: cpu ${s!.cpuPercent.toFixed(1)}%, memory ${s!.memoryUsage} of ${s!.memoryLimit}, `
      + `pids ${s!.pids}, block write ${s!.blockWrite} bytes`);
    assert.equal(s!.id, id);
    assert.ok(s!.cpuPercent > 50, `a spinning shell uses most of a CPU (got ${s!.cpuPercent}%)`);
    assert.equal(s!.memoryLimit, 128 * MiB);
    assert.ok(s!.memoryUsage > 0 && s!.memoryUsage < 128 * MiB);
    assert.ok(s!.memoryPercent > 0 && s!.memoryPercent < 100);
    assert.ok(s!.pids >= 1);
    assert.ok(s!.blockWrite >= 16 * MiB, `16 MiB written with O_DIRECT are counted (got ${s!.blockWrite})`);
    assert.deepEqual([s!.netRx, s!.netTx], [0, 0], 'no network: nothing sent or received');

    const table = e.ok(['stats', '--no-stream']);
    assert.match(table.split('\n')[0]!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    assert.match(table, new RegExp(`^${id.slice(0, 12)}\\s+busy\\s+\\d+\\.\\d\\d%\\s+\\S+ / 128MiB\\s`, 'm'));

    // Streaming prints one block per second until stopped; the cumulative CPU counter moves between them.
    const child = e.spawn(['stats', '--format', 'json', 'busy']);
    const lines: string[] = [];
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts.filter(Boolean));
      if (lines.length >= 2) child.kill();
    });
    await new Promise((r) => child.on('close', r));
    const [a, b] = lines.slice(0, 2).map((l) => (JSON.parse(l) as ContainerStats[])[0]!);
    assert.ok(b!.cpuUsageNs > a!.cpuUsageNs, 'CPU time grows between samples');
    e.ok(['rm', '-f', 'busy']);
    assertOneLineError(e.run(['stats', '--no-stream', 'busy']), /no such container/);
  });

  it('API: update refuses what cannot change live; stats streams NDJSON, one sample a second', async () => {
    const id = runDetached(e, ['--name', 'api', '-m', '64m'], 'echo ready; sleep 1000');
    await logsWhen(e, id, 'ready');
    const client = new Client({ socketPath: e.socket });
    const update = (json: unknown) => client.call('POST', '/bulkhead/containers/api/update', { json });
    await assert.rejects(update({ ulimits: [{ name: 'nofile', soft: 1, hard: 1 }] }), /--ulimit cannot be changed on an existing container/);
    await assert.rejects(update({ shmSize: 1 << 20 }), /--shm-size cannot be changed/);
    await assert.rejects(update({ memory: '1g' }), /invalid --memory "?1g"?: must be a whole number/);
    await assert.rejects(update({ wings: 2 }), /unknown field "wings"/);
    assert.deepEqual(await update({ pidsLimit: 99 }), { resources: { ...resources(e, 'api') } });
    assert.equal(cgroupFile('pids', id, 'pids.max'), '99');

    const started = Date.now();
    const res = await client.stream('GET', '/bulkhead/containers/api/stats', { query: { stream: 1 } });
    assert.equal(res.headers['content-type'], 'application/x-ndjson');
    const lines: ContainerStats[] = [];
    let buf = '';
    for await (const chunk of res) {
      buf += (chunk as Buffer).toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) { lines.push(JSON.parse(buf.slice(0, nl)) as ContainerStats); buf = buf.slice(nl + 1); }
      if (lines.length >= 3) { res.destroy(); break; }
    }
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2900 && elapsed < 8000, `three samples, each over a second, took ${elapsed} ms`);
    assert.ok(lines.every((l) => l.id === id && l.memoryLimit === 64 * MiB && l.pidsLimit === 99));
    const all = JSON.parse(await readAll(await client.stream('GET', '/bulkhead/stats'))) as ContainerStats[];
    assert.ok(all.some((s) => s.id === id));
    e.ok(['rm', '-f', 'api']);
    await assert.rejects(client.call('GET', '/bulkhead/containers/api/stats', { query: { stream: 0 } }), /no such container/);
  });

  it('the v1 reader agrees with the kernel files of a real container', async () => {
    const id = runDetached(e, ['-m', '48m', '--pids-limit', '64'], 'sleep 1000 & sleep 1000 & echo ready; wait');
    await logsWhen(e, id, 'ready');
    const pid = inspectContainer(e, id).State.pid;
    const usage = await readCgroupUsage(processCgroupDirs(pid));
    assert.equal(usage.memoryLimit, 48 * MiB);
    assert.equal(usage.pidsLimit, 64);
    assert.equal(usage.pids, 3);
    assert.equal(usage.pids, Number(cgroupFile('pids', id, 'pids.current')));
    const cpuNow = Number(readFileSync(`/sys/fs/cgroup/cpuacct/bulkhead/${id}/cpuacct.usage`, 'utf8'));
    assert.ok(usage.cpuUsageNs > 0 && usage.cpuUsageNs <= cpuNow);
    assert.ok(usage.memoryUsage > 0 && usage.memoryUsage <= Number(cgroupFile('memory', id, 'memory.usage_in_bytes')));
    e.ok(['rm', '-f', id]);
  });
});
