// The pull progress display as users see it: under a pseudo-terminal (`script` from bsdutils) one live line
// per layer redrawn in place (ANSI cursor-up and erase-line) with bytes and rate, then a summary; into a pipe,
// plain lines, one per state change. The registry is reached through a throttling proxy so the download lasts
// long enough (about 2 s) for live updates to be seen.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, TestEngine } from '../helpers/engine-harness.js';
import { TestRegistry, haveRegistry } from './registry-server.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !haveRegistry ? 'docker-registry is not installed (apt-get install docker-registry)' : false;
const CHUNK = 64 << 10;
const CHUNK_EVERY_MS = 30;   // about 2 MB/s

/** An HTTP proxy to the registry that sends blob bodies slowly, in 64 KiB steps. */
function throttlingProxy(target: TestRegistry): Promise<Server> {
  const server = createServer((req, res) => {
    const up = request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers }, async (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (!/\/blobs\/sha256:/.test(req.url ?? '')) { upRes.pipe(res); return; }
      for await (const c of upRes) {
        for (let i = 0; i < (c as Buffer).length; i += CHUNK) {
          res.write((c as Buffer).subarray(i, i + CHUNK));
          await sleep(CHUNK_EVERY_MS);
        }
      }
      res.end();
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs the CLI under a pseudo-terminal; returns everything the terminal received. */
function underPty(engine: TestEngine, args: string[]): Promise<{ code: number; out: string }> {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: { ...engine.env, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => out.push(d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, out: Buffer.concat(out).toString() })));
}

describe('pull progress display', { skip }, () => {
  let registry: TestRegistry;
  let proxy: Server;
  let pusher: TestEngine;
  let puller: TestEngine;
  let ref = '';
  let bigLayer = '';

  before(async () => {
    registry = await TestRegistry.start();
    proxy = await throttlingProxy(registry);
    pusher = await new TestEngine('bh-test-progress-').setup();
    puller = new TestEngine('bh-test-progress-');
    await puller.startDaemon();
    const ctx = join(pusher.dir, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'noise'), randomBytes(4 << 20)); // incompressible: the layer stays ~4 MB
    writeFileSync(join(ctx, 'Containerfile'), 'FROM busybox\nCOPY noise /noise\n');
    pusher.ok(['build', '-t', `${registry.host}/bh/big:1`, ctx]);
    pusher.ok(['push', `${registry.host}/bh/big:1`]);
    const [image] = JSON.parse(pusher.ok(['image', 'inspect', `${registry.host}/bh/big:1`])) as Array<{ Layers: Array<{ digest: string; size: number }> }>;
    bigLayer = image!.Layers.reduce((a, b) => (b.size > a.size ? b : a)).digest.slice(7, 19);
    ref = `127.0.0.1:${(proxy.address() as { port: number }).port}/bh/big:1`;
  });

  after(async () => {
    await pusher?.cleanup();
    await puller?.cleanup();
    proxy?.close();
    proxy?.closeAllConnections();
    await registry?.stop();
  });

  it('on a terminal: live per-layer lines with bytes and rate, redrawn in place, then a summary', async () => {
    const { code, out } = await underPty(puller, ['pull', ref]);
    assert.equal(code, 0, out);
    assert.match(out, /\x1b\[\d+A/, 'moves the cursor up to redraw');
    assert.match(out, /\x1b\[2K/, 'erases lines it redraws');
    const live = out.split(/\r?\n|\x1b\[\d+A/).map((l) => l.replace(/\x1b\[2K/g, '')).filter((l) => l.startsWith(`${bigLayer}: Downloading `));
    assert.ok(live.length >= 3, `the big layer's line is updated while it downloads (${live.length} updates)`);
    const withRate = live.filter((l) => /^[0-9a-f]{12}: Downloading [\d.]+\s?[kKMG]?i?B\/[\d.]+\s?[kKMG]?i?B {2}[\d.]+\s?[kKMG]?i?B\/s$/.test(l));
    assert.ok(withRate.length >= 1, `bytes done/total and a rate: ${JSON.stringify(live.slice(0, 3))}`);
    const sizes = live.map((l) => l.split(' ')[2]);
    assert.ok(new Set(sizes).size >= 2, 'the byte count moves');
    assert.match(out, new RegExp(`${bigLayer}: Pull complete`));
    assert.match(out, /Downloaded 2 layers \([\d.]+\s?[kKMG]?i?B\) in [\d.]+s \([\d.]+\s?[kKMG]?i?B\/s\)/);
    assert.match(out, /sha256:[a-f0-9]{64}\s*$/);
  });

  it('into a pipe: plain lines, one per state change, and the summary', async () => {
    puller.ok(['rmi', ref]);
    puller.ok(['image', 'prune', '-a']);
    const r = await puller.runAsync(['pull', ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\x1b/, 'no terminal control codes');
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.filter((l) => l === `${bigLayer}: Downloading`).length, 1, 'one line for the whole download');
    assert.ok(lines.includes(`${bigLayer}: Pull complete`));
    assert.match(r.stdout, /^Downloaded \d layers? \(/m);
    assert.match(lines.at(-1)!, /^sha256:[a-f0-9]{64}$/);
  });
});
