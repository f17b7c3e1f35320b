// ADD <url> against a tiny HTTP server on 127.0.0.1: the daemon downloads the file (a URL with a file name, one
// ending in "/" saved under the destination's name, a redirect), mode 0600, mtime from Last-Modified, not
// unpacked; --checksum checked; the content is part of the cache key (same content: cache hit; changed: rerun).
// Builds run with runAsync so this process can serve while the CLI waits.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : false;
const LAST_MODIFIED = 'Wed, 01 Jan 2025 12:00:00 GMT';

describe('ADD with URLs', { skip }, () => {
  let engine: TestEngine;
  let server: Server;
  let base = '';
  let n = 0;
  const files: Record<string, string> = { '/dl/tool.sh': '#!/bin/sh\necho tool v1\n', '/dl/': 'an index page\n' };
  const requests: string[] = [];

  before(async () => {
    engine = await new TestEngine('bh-test-addurl-').setup();
    server = createServer((req, res) => {
      requests.push(req.url!);
      if (req.url === '/moved') { res.writeHead(302, { Location: '/dl/tool.sh' }); res.end(); return; }
      const body = files[req.url!];
      if (body === undefined) { res.writeHead(404); res.end('no'); return; }
      res.writeHead(200, { 'Last-Modified': LAST_MODIFIED, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server?.close();
    await engine?.cleanup();
  });

  async function build(containerfile: string, tag?: string): Promise<{ code: number; out: string }> {
    const ctx = join(engine.dir, `ctx-${n++}`);
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Containerfile'), containerfile);
    const r = await engine.runAsync(['build', ...(tag ? ['-t', tag] : []), ctx]);
    return { code: r.code, out: r.stdout + r.stderr };
  }
  const run = (image: string, script: string) => engine.runAsync(['run', '--rm', image, 'sh', '-c', script]);

  it('downloads into the image: file name from the URL, 0600, Last-Modified, not unpacked', async () => {
    const cf = `FROM busybox\nADD ${base}/dl/tool.sh /opt/\nADD ${base}/dl/ /opt/index.html\nADD ${base}/moved /opt/again.sh\n`;
    const r = await build(cf, 'addurl:1');
    assert.equal(r.code, 0, r.out);
    const out = await run('addurl:1', 'stat -c "%a %Y %n" /opt/tool.sh /opt/index.html /opt/again.sh; cat /opt/tool.sh /opt/index.html');
    assert.equal(out.code, 0, out.stderr);
    const mtime = Date.parse(LAST_MODIFIED) / 1000;
    assert.equal(out.stdout, `600 ${mtime} /opt/tool.sh\n600 ${mtime} /opt/index.html\n600 ${mtime} /opt/again.sh\n#!/bin/sh\necho tool v1\nan index page\n`);
  });

  it('is a cache hit while the content is the same and reruns when it changed', async () => {
    const cf = `FROM busybox\nADD ${base}/dl/tool.sh /tool.sh\nRUN cat /tool.sh > /copy\n`;
    assert.equal((await build(cf)).code, 0);
    const again = await build(cf, 'addurl:2');
    assert.equal(again.out.split('\n').filter((l) => l === ' ---> Using cache').length, 2, again.out);
    files['/dl/tool.sh'] = '#!/bin/sh\necho tool v2\n';
    const changed = await build(cf, 'addurl:3');
    assert.equal(changed.out.split('\n').filter((l) => l === ' ---> Using cache').length, 0, changed.out);
    assert.equal((await run('addurl:3', 'cat /copy')).stdout, '#!/bin/sh\necho tool v2\n');
  });

  it('checks --checksum, and refuses what cannot work with the line number', async () => {
    const sum = `sha256:${createHash('sha256').update(files['/dl/tool.sh']!).digest('hex')}`;
    assert.equal((await build(`FROM busybox\nADD --checksum=${sum} ${base}/dl/tool.sh /t\n`)).code, 0);
    const bad = await build(`FROM busybox\nADD --checksum=sha256:${'0'.repeat(64)} ${base}/dl/tool.sh /t\n`);
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /Containerfile line 2: ADD http:\S+: checksum mismatch: expected sha256:0{64}, downloaded sha256:[a-f0-9]{64}/);
    const missing = await build(`FROM busybox\nADD ${base}/nothing /t\n`);
    assert.match(missing.out, /Containerfile line 2: ADD http:\S+\/nothing: the server answered 404/);
    const noName = await build(`FROM busybox\nADD ${base}/dl/ /opt/\n`);
    assert.match(noName.out, /the URL names no file: give the destination as a file path/);
    const local = await build(`FROM busybox\nADD --checksum=${sum} Containerfile /t\n`);
    assert.match(local.out, /ADD --checksum is only for URL sources/);
    assert.equal((await engine.runAsync(['ps', '-aq'])).stdout, '', 'no container left');
  });
});
