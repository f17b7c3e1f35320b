// `bulkhead build` end to end through the CLI against a real engine: every instruction, multi-stage builds,
// ARG/--build-arg, .dockerignore, the cache, the error cases (no dangling image, no leftover container) and
// the built image running with the config the Containerfile set.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';

interface ImageJson { Id: string; Names: string[]; Config: { config?: Record<string, unknown>; history?: Array<Record<string, unknown>> } }

let engine: TestEngine;
let n = 0;

/** A fresh context directory with the given files. */
function context(files: Record<string, string>): string {
  const dir = join(engine.dir, `ctx-${n++}`);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

function inspect(ref: string): ImageJson {
  return (JSON.parse(engine.ok(['image', 'inspect', ref])) as ImageJson[])[0]!;
}

const cachedSteps = (out: string) => out.split('\n').filter((l) => l === ' ---> Using cache').length;

function assertNoContainers(): void {
  assert.equal(engine.ok(['ps', '-aq']), '', 'a build left a container behind');
}

describe('bulkhead build', () => {
  before(async () => { engine = await new TestEngine('bh-test-build-').setup(); });
  after(async () => { await engine.cleanup(); });

  it('applies every instruction and the image runs with that config', () => {
    const dir = context({
      'Containerfile': [
        'ARG BASE=busybox',
        'FROM ${BASE}',
        'SHELL ["/bin/sh", "-c"]',
        'ENV GREETING="hello world" OTHER=x',
        'ARG WHO=nobody',
        'LABEL org.example.k="v 1" other=$OTHER',
        'WORKDIR /app',
        'WORKDIR sub',
        'RUN echo "$GREETING from $WHO" > msg && \\',
        '    mkdir -p /owned',
        'COPY --chown=1000:1000 file.txt /owned/',
        'ADD bundle.tar /unpacked/',
        'EXPOSE 8080 53/udp',
        'VOLUME ["/data"]',
        'HEALTHCHECK --interval=5s --retries=2 CMD true',
        'STOPSIGNAL SIGUSR1',
        'USER 1000',
        'ENTRYPOINT ["/bin/sh", "-c"]',
        'CMD ["echo $GREETING; id -u; pwd"]',
      ].join('\n'),
      'file.txt': 'file content\n',
    });
    // a real tar for ADD to unpack
    const tarSrc = join(engine.dir, 'tarsrc');
    mkdirSync(join(tarSrc, 'inner'), { recursive: true });
    writeFileSync(join(tarSrc, 'inner', 'x.txt'), 'from tar\n');
    assert.equal(spawnSync('tar', ['-cf', join(dir, 'bundle.tar'), '-C', tarSrc, 'inner']).status, 0);

    const out = engine.ok(['build', '-t', 'bh-every:1', '--build-arg', 'WHO=tester', dir]);
    assert.match(out, /Step 1\/17 : FROM \$\{BASE\}/);
    assert.match(out, /Successfully tagged bh-every:1/);
    const c = inspect('bh-every:1').Config.config!;
    assert.ok((c.Env as string[]).includes('GREETING=hello world'));
    assert.ok(!(c.Env as string[]).some((e) => e.startsWith('WHO=')), 'a build arg leaked into the image env');
    assert.deepEqual(c.Labels, { 'org.example.k': 'v 1', other: 'x' });
    assert.equal(c.WorkingDir, '/app/sub');
    assert.equal(c.User, '1000');
    assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(c.Cmd, ['echo $GREETING; id -u; pwd']);
    assert.deepEqual(c.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
    assert.deepEqual(c.Volumes, { '/data': {} });
    assert.equal(c.StopSignal, 'SIGUSR1');
    assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 2 });
    assert.deepEqual(c.Shell, ['/bin/sh', '-c']);
    const history = inspect('bh-every:1').Config.history!;
    assert.ok(history.some((h) => h.created_by === 'STOPSIGNAL SIGUSR1' && h.empty_layer === true));

    assert.equal(engine.ok(['run', '--rm', 'bh-every:1']), 'hello world\n1000\n/app/sub'.trim());
    const files = engine.ok(['run', '--rm', '-u', '0', '--entrypoint', '', 'bh-every:1', 'sh', '-c',
      'cat /app/sub/msg /owned/file.txt /unpacked/inner/x.txt; stat -c %u:%g /owned/file.txt']);
    assert.equal(files, 'hello world from tester\nfile content\nfrom tar\n1000:1000');
    assertNoContainers();
  });

  it('builds several stages, copies between them with --from and stops at --target', () => {
    const dir = context({
      'Containerfile': [
        'FROM busybox AS builder',
        'RUN mkdir -p /out && echo built > /out/artifact && echo other > /out/skip.log',
        'FROM busybox AS second',
        'COPY --from=builder /out/*.log /logs/',
        'FROM scratch',
        'COPY --from=builder /out/artifact /artifact',
        'COPY --from=second /logs /logs',
      ].join('\n'),
    });
    engine.ok(['build', '-t', 'bh-multi:1', dir]);
    const img = inspect('bh-multi:1');
    assert.equal(img.Config.config?.Cmd, undefined, 'a scratch stage inherits nothing');
    const t = engine.ok(['build', '-t', 'bh-multi:second', '--target', 'second', dir]);
    assert.match(t, /Step 4\/4 : COPY --from=builder/);
    assert.equal(engine.ok(['run', '--rm', 'bh-multi:second', 'cat', '/logs/skip.log']), 'other');
    // the scratch image has no shell: export it and look inside
    const cid = engine.ok(['create', 'bh-multi:1', '/artifact']);
    try {
      const listing = spawnSync('tar', ['-t'], { input: spawnSync(process.execPath, [join(dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'bin', 'bulkhead'), 'export', cid], { env: engine.env, maxBuffer: 64 << 20 }).stdout });
      const names = listing.stdout.toString().split('\n');
      assert.ok(names.includes('artifact') && names.some((x) => x.startsWith('logs/skip.log')), names.join(','));
    } finally {
      engine.ok(['rm', cid]);
    }
  });

  it('honours .dockerignore and globs in COPY sources', () => {
    const dir = context({
      'Containerfile': 'FROM busybox\nCOPY *.txt /in/\nCOPY . /all/\n',
      '.dockerignore': 'secret*\n*.log\n',
      'a.txt': 'a', 'b.txt': 'b', 'secret.txt': 's', 'debug.log': 'd', 'sub/c.txt': 'c',
    });
    engine.ok(['build', '-t', 'bh-ignore:1', dir]);
    const ls = engine.ok(['run', '--rm', 'bh-ignore:1', 'sh', '-c', 'ls /in; echo --; ls -a /all /all/sub']);
    assert.equal(ls, 'a.txt\nb.txt\n--\n/all:\n.\n..\n.dockerignore\nContainerfile\na.txt\nb.txt\nsub\n\n/all/sub:\n.\n..\nc.txt');
  });

  it('hits the cache at every step of an unchanged rebuild and reruns only the steps after a changed COPY', () => {
    const dir = context({
      'Containerfile': 'FROM busybox\nRUN echo one > /one\nCOPY app.txt /app.txt\nRUN cat /app.txt > /copy\nENV X=1\n',
      'app.txt': 'v1\n',
    });
    const first = engine.ok(['build', '-t', 'bh-cache:1', dir]);
    assert.equal(cachedSteps(first), 0);
    const again = engine.ok(['build', '-t', 'bh-cache:1', dir]);
    assert.equal(cachedSteps(again), 4, again);
    assert.equal(inspect('bh-cache:1').Id.length, 71);
    writeFileSync(join(dir, 'app.txt'), 'v2\n');
    const changed = engine.ok(['build', '-t', 'bh-cache:2', dir]);
    assert.equal(cachedSteps(changed), 1, changed); // only the RUN before the COPY
    assert.equal(engine.ok(['run', '--rm', 'bh-cache:2', 'cat', '/copy']), 'v2');
    const noCache = engine.ok(['build', '--no-cache', '-t', 'bh-cache:3', dir]);
    assert.equal(cachedSteps(noCache), 0);
    // build args used by RUN are part of its key
    const withArg = context({ 'Containerfile': 'FROM busybox\nARG V=a\nRUN echo $V > /v\n' });
    engine.ok(['build', '-t', 'bh-arg:a', withArg]);
    assert.equal(cachedSteps(engine.ok(['build', '-t', 'bh-arg:b', '--build-arg', 'V=b', withArg])), 0);
    assert.equal(engine.ok(['run', '--rm', 'bh-arg:b', 'cat', '/v']), 'b');
  });

  it('adds --label labels to the final image', () => {
    const dir = context({ 'Containerfile': 'FROM busybox\nLABEL a=1\n' });
    engine.ok(['build', '-t', 'bh-label:1', '--label', 'b=2', dir]);
    assert.deepEqual(inspect('bh-label:1').Config.config?.Labels, { a: '1', b: '2' });
  });

  describe('errors', () => {
    const tagMissing = (ref: string) => assert.notEqual(engine.run(['image', 'inspect', ref]).code, 0, `${ref} exists after a failed build`);

    it('an unknown instruction names its line', () => {
      const r = engine.run(['build', '-t', 'bh-bad:1', context({ 'Containerfile': 'FROM busybox\nRUN true\nFROOB x\n' })]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /line 3: unknown instruction: FROOB/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      tagMissing('bh-bad:1');
    });

    it('a missing COPY source names the file and the line', () => {
      const r = engine.run(['build', '-t', 'bh-bad:2', context({ 'Containerfile': 'FROM busybox\nCOPY nothere /x\n' })]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /line 2: nothere: no such file or directory in the build context/);
      tagMissing('bh-bad:2');
    });

    it('a failing RUN shows its output and line, keeps the cache of earlier steps and leaves nothing else', () => {
      const before = engine.ok(['images', '-q']).split('\n').length;
      const dir = context({ 'Containerfile': 'FROM busybox\nRUN echo earlier > /e\nRUN echo "it broke"; exit 7\n' });
      const r = engine.run(['build', '-t', 'bh-bad:3', dir]);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout, /it broke/);
      assert.match(r.stderr, /line 3: RUN .* returned a non-zero code: 7/);
      tagMissing('bh-bad:3');
      assertNoContainers();
      assert.equal(engine.ok(['images', '-q']).split('\n').length, before + 1, 'only the succeeded step stays, as cache');
      const again = engine.run(['build', '-t', 'bh-bad:3', dir]);
      assert.equal(cachedSteps(again.stdout), 1);
    });

    it('a bad --target or build arg is refused', () => {
      const dir = context({ 'Containerfile': 'FROM busybox\n' });
      assert.match(engine.run(['build', '--target', 'nope', dir]).stderr, /target stage "nope"/);
      assert.match(engine.run(['build', '--build-arg', 'NOEQUALS', dir]).stderr, /expected KEY=VALUE/);
      assertNoContainers();
    });
  });
});
