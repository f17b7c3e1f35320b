// `bulkhead run` as one request (POST /bulkhead/containers/run): what the CLI relies on, checked over the API as a
// client sees it — output frames and the closing exit frame, --rm honoured before the exit is reported, detach,
// and a start that fails answering with the error (and nothing left behind with autoRemove).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, Client } from '../../src/cli/client.js';
import { CONTAINER_ID_HEADER, FrameDecoder, STDERR, STDOUT, SYSTEM } from '../../src/api/wire.js';
import { TestEngine } from '../helpers/engine-harness.js';
import { containerGone, inspectContainer } from './cli-checks.js';

describe('run in one request (API)', () => {
  const e = new TestEngine('bh-test-runreq-');
  let client: Client;
  before(async () => { await e.setup(); client = new Client({ socketPath: e.socket }); });
  after(() => e.cleanup());

  async function runFrames(json: unknown): Promise<{ id: string; frames: Array<{ stream: number; text: string }> }> {
    const res = await client.stream('POST', '/bulkhead/containers/run', { json });
    assert.equal(res.statusCode, 200);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const frames = new FrameDecoder().push(Buffer.concat(chunks)).map((f) => ({ stream: f.stream, text: f.data.toString() }));
    return { id: String(res.headers[CONTAINER_ID_HEADER]), frames };
  }

  it('streams stdout and stderr as frames and ends with the exit, after --rm removed the container', async () => {
    const { id, frames } = await runFrames({ image: 'busybox', name: 'rr-out', autoRemove: true,
      cmd: ['sh', '-c', 'echo out; echo err >&2; exit 7'] });
    assert.match(id, /^[0-9a-f]{64}$/);
    const text = (s: number) => frames.filter((f) => f.stream === s).map((f) => f.text).join('');
    assert.equal(text(STDOUT), 'out\n');
    assert.equal(text(STDERR), 'err\n');
    const last = frames.at(-1)!;
    assert.equal(last.stream, SYSTEM, 'the exit frame comes last');
    assert.deepEqual(JSON.parse(last.text), { exitCode: 7, oomKilled: false });
    assert.ok(containerGone(e, 'rr-out'), 'the exit is reported once the container is gone');
  });

  it('keeps the container without autoRemove, and frames a terminal\'s output too', async () => {
    const { frames } = await runFrames({ image: 'busybox', name: 'rr-tty', tty: true, cmd: ['sh', '-c', 'tty; exit 2'] });
    assert.match(frames.filter((f) => f.stream === STDOUT).map((f) => f.text).join(''), /^\/dev\/pts\/\d+\r\n$/);
    assert.deepEqual(JSON.parse(frames.at(-1)!.text), { exitCode: 2, oomKilled: false });
    assert.equal(inspectContainer(e, 'rr-tty').State.status, 'exited');
    e.ok(['rm', 'rr-tty']);
  });

  it('with detach=1 answers the id of the running container', async () => {
    const made = await client.call<{ id: string; name: string }>('POST', '/bulkhead/containers/run',
      { json: { image: 'busybox', name: 'rr-detached', cmd: ['sleep', '300'] }, query: { detach: 1 } });
    assert.equal(made.name, 'rr-detached');
    assert.equal(inspectContainer(e, made.id).State.status, 'running');
    e.ok(['rm', '-f', made.id]);
  });

  it('answers a failed start with its error and exit code, leaving nothing with autoRemove', async () => {
    const failed = await client.stream('POST', '/bulkhead/containers/run',
      { json: { image: 'busybox', name: 'rr-missing', autoRemove: true, cmd: ['no-such-command'] } }).then(() => undefined, (err: unknown) => err);
    assert.ok(failed instanceof ApiError, `expected an API error, got ${String(failed)}`);
    assert.equal(failed.exitCode, 127);
    assert.match(failed.message, /no-such-command/);
    assert.ok(containerGone(e, 'rr-missing'));
    // Without autoRemove the container stays, created, as docker leaves it; the engine still answers.
    await assert.rejects(client.call('POST', '/bulkhead/containers/run', { json: { image: 'busybox', name: 'rr-kept', cmd: ['no-such-command'] } }),
      /no-such-command/);
    assert.equal(inspectContainer(e, 'rr-kept').State.status, 'created');
    e.ok(['rm', 'rr-kept']);
    await assert.rejects(client.call('POST', '/bulkhead/containers/run', { json: { image: 'bh-no-such-image' } }), /no such image/);
  });
});
