// Docker API containers through dockerode (a programmatic client): create with HostConfig, attach without a
// hijack (output in the response body) before start, wait, logs framing, exec with a hijack and its inspect,
// one-shot stats in Docker's shape, list filters, archive, and typed errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Readable } from 'node:stream';
import { FrameDecoder } from '../../src/api/wire.js';
import { DockerTestEngine } from './helpers.js';

function demux(buf: Buffer): { out: string; err: string } {
  const frames = new FrameDecoder().push(buf);
  const text = (id: number) => Buffer.concat(frames.filter((f) => f.stream === id).map((f) => f.data)).toString();
  return { out: text(1), err: text(2) };
}

function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  return new Promise((resolve) => { stream.on('end', () => resolve(Buffer.concat(chunks))); stream.on('close', () => resolve(Buffer.concat(chunks))); });
}

describe('Docker API: containers (dockerode)', () => {
  const e = new DockerTestEngine('bh-test-docker-dode-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('create, attach before start, wait and logs with stdout/stderr framing', async () => {
    const d = e.dockerode();
    const c = await d.createContainer({ name: 'bh-dode', Image: 'busybox', Env: ['BH_V=7'], WorkingDir: '/tmp', Labels: { 'bh.t': 'dode' },
      Cmd: ['sh', '-c', 'echo out-$BH_V $(pwd); echo err >&2; exit 7'], HostConfig: { Memory: 64 << 20, Tmpfs: { '/run': 'size=1m' } } });
    const stream = await c.attach({ stream: true, stdout: true, stderr: true }) as unknown as Readable;
    const output = collect(stream);
    await c.start();
    assert.deepEqual(await c.wait(), { StatusCode: 7, Error: null });
    assert.deepEqual(demux(await output), { out: 'out-7 /tmp\n', err: 'err\n' });
    assert.deepEqual(demux(await c.logs({ stdout: true, stderr: true, follow: false }) as unknown as Buffer), { out: 'out-7 /tmp\n', err: 'err\n' });
    const info = await c.inspect();
    assert.equal(info.Name, '/bh-dode');
    assert.equal(info.State.Status, 'exited');
    assert.equal(info.State.ExitCode, 7);
    assert.equal(info.HostConfig.Memory, 64 << 20);
    assert.deepEqual(info.Config.Labels, { 'bh.t': 'dode' });
    const listed = await d.listContainers({ all: true, filters: { label: ['bh.t=dode'] } });
    assert.deepEqual(listed.map((x) => [x.Names[0], x.State]), [['/bh-dode', 'exited']]);
    await c.remove();
    await assert.rejects(c.inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
  });

  it('exec with a hijacked stream, exec inspect, stats in Docker\'s shape, archive and errors', async () => {
    const d = e.dockerode();
    const c = await d.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'] });
    try {
      await c.start();
      await assert.rejects(c.start(), (err: { statusCode?: number }) => err.statusCode === 304);
      const ex = await c.exec({ Cmd: ['sh', '-c', 'cat; echo done >&2; exit 2'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
      const duplex = await ex.start({ hijack: true, stdin: true });
      const output = collect(duplex);
      duplex.end('typed-in\n');
      assert.deepEqual(demux(await output), { out: 'typed-in\n', err: 'done\n' });
      const inspected = await ex.inspect();
      assert.equal(inspected.ExitCode, 2);
      assert.equal(inspected.Running, false);

      const s = await c.stats({ stream: false });
      assert.ok(s.cpu_stats.cpu_usage.total_usage >= s.precpu_stats.cpu_usage.total_usage);
      assert.ok(s.cpu_stats.system_cpu_usage > s.precpu_stats.system_cpu_usage!);
      assert.ok(s.memory_stats.usage! > 0 && s.memory_stats.limit! > 0);
      assert.ok((s.pids_stats?.current ?? 0) >= 1);

      const head = await e.http('HEAD', `/containers/${c.id}/archive?path=/etc`);
      const stat = JSON.parse(Buffer.from(String(head.headers['x-docker-container-path-stat']), 'base64').toString());
      assert.equal(stat.name, 'etc');
      assert.ok(stat.mode >= 2 ** 31, 'a directory carries Go\'s ModeDir bit');
      await assert.rejects(c.getArchive({ path: '/bh-nope' }), (err: { statusCode?: number }) => err.statusCode === 404);
      await assert.rejects(d.createContainer({ Image: 'busybox', HostConfig: { StorageOpt: { size: '1G' } } }),
        (err: { statusCode?: number; message: string }) => err.statusCode === 400 && /StorageOpt/.test(err.message));
    } finally {
      await c.remove({ force: true });
    }
  });
});
