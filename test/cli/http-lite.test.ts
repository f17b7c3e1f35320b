// The CLI's own HTTP/1.1 (src/cli/http-lite.ts) against node's HTTP server, the daemon's, on a unix socket: every
// way an answer's body is framed, split anywhere, and the errors a client must tell apart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { liteRequest, ResponseParser } from '../../src/cli/http-lite.js';
import { readAll } from '../../src/cli/client.js';

const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Two: a\r\nx-two: b\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nTrailer: t\r\n\r\n';

function parseSplit(text: string, cuts: number[], noBody = false): { head?: { status: number; headers: Record<string, string> }; body: string; ended: boolean } {
  const parser = new ResponseParser(noBody);
  const bytes = Buffer.from(text, 'latin1');
  const result: ReturnType<typeof parseSplit> = { body: '', ended: false };
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    for (const e of parser.push(bytes.subarray(from, to))) {
      if (e.kind === 'head') result.head = { status: e.status, headers: e.headers };
      else if (e.kind === 'data') result.body += e.data.toString('latin1');
      else result.ended = true;
    }
    from = to;
  }
  return result;
}

describe('the response parser', () => {
  it('decodes a chunked body however the bytes are split', () => {
    for (let seed = 1; seed <= 200; seed++) {
      // A cheap deterministic spread of cut points, from none to one between every two bytes.
      const cuts = [...Array(chunked.length).keys()].filter((i) => i > 0 && (i * seed * 7919) % 13 < seed % 13);
      const r = parseSplit(chunked, cuts);
      assert.equal(r.body, 'hello world!', `cuts ${cuts.join(',')}`);
      assert.equal(r.ended, true);
      assert.equal(r.head?.headers['x-two'], 'a, b');
    }
  });

  it('ends a body at its length, and has none for HEAD, 204 or a zero length', () => {
    assert.deepEqual(parseSplit('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcTRAILING', [20, 40]).body, 'abc');
    assert.equal(parseSplit('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n', [], true).ended, true);
    assert.equal(parseSplit('HTTP/1.1 204 No Content\r\n\r\n', []).ended, true);
    assert.equal(parseSplit('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', []).ended, true);
    const open = parseSplit('HTTP/1.1 200 OK\r\n\r\nuntil close', [5]);
    assert.deepEqual([open.body, open.ended], ['until close', false]);
  });

  it('refuses what is not an HTTP answer or not valid chunking', () => {
    assert.throws(() => parseSplit('SSH-2.0-OpenSSH\r\n\r\n', []), /malformed answer/);
    assert.throws(() => parseSplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', []), /malformed chunked/);
    assert.throws(() => parseSplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY', []), /malformed chunked/);
  });
});

describe('requests to a server on a unix socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-test-http-lite-'));
  const socketPath = join(dir, 'api.sock');
  const big = Buffer.alloc(8 << 20, 'x');
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readAll(req);
      if (req.url === '/echo') {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] ?? null }));
      } else if (req.url === '/stream') {
        res.writeHead(200);
        res.flushHeaders();
        for (const word of ['one ', 'two ', 'three']) { res.write(word); await new Promise((r) => setTimeout(r, 5)); }
        res.end();
      } else if (req.url === '/big') {
        res.end(big);
      } else {
        res.writeHead(404).end('{"message":"no such thing"}');
      }
    })();
  });
  before(() => new Promise<void>((resolve) => server.listen(socketPath, resolve)));
  after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });

  const send = (method: string, path: string, payload?: string) =>
    liteRequest({ socketPath, method, path, headers: payload ? { 'Content-Type': 'application/json' } : {}, payload });

  it('sends a JSON body and reads a length-framed answer', async () => {
    const res = await send('POST', '/echo', '{"a":"ü"}');
    assert.equal(res.statusCode, 201);
    assert.deepEqual(JSON.parse(await readAll(res)), { method: 'POST', body: '{"a":"ü"}', type: 'application/json' });
    const empty = await send('DELETE', '/echo');
    assert.deepEqual(JSON.parse(await readAll(empty)), { method: 'DELETE', body: '', type: null });
  });

  it('gives the headers before a streamed body has ended, then the whole body', async () => {
    const res = await send('GET', '/stream');
    assert.equal(res.statusCode, 200);
    assert.equal(await readAll(res), 'one two three');
    assert.equal((await send('GET', '/nothing')).statusCode, 404);
  });

  it('holds the socket back for a slow reader and still delivers every byte', async () => {
    const res = await send('GET', '/big');
    let total = 0;
    for await (const chunk of res) { total += (chunk as Buffer).length; if (total < 1 << 20) await new Promise((r) => setTimeout(r, 1)); }
    assert.equal(total, big.length);
  });

  it('fails with the socket\'s own error code when nothing listens', async () => {
    await assert.rejects(liteRequest({ socketPath: join(dir, 'none.sock'), method: 'GET', path: '/', headers: {} }),
      (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  });
});
