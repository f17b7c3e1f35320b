// Container stdio through the CLI: logs (tail, timestamps, since, follow, stdout and stderr kept apart, --log-opt
// size limits and rotation), piping
// stdin into `run -i`, exec, attach, and terminals (`run -it` under a real pty, window size following the outer one).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, TestEngine } from '../helpers/engine-harness.js';
import { logOnDisk } from '../helpers/log-files.js';
import { assertOneLineError, waitFor } from './cli-checks.js';

const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (.*)$/;

/** Quotes a word for sh -c. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('container stdio (CLI)', () => {
  const e = new TestEngine('bh-test-io-');
  before(() => e.setup());
  after(() => e.cleanup());

  /** The bulkhead command line as a shell string, for running under `script`. */
  const cli = (args: string[]) => [process.execPath, BIN, ...args].map(q).join(' ');

  /**
   * Runs a shell command inside a fresh pty (util-linux script), as a terminal user would. Our end of script's
   * stdin stays open until it exits: EOF there would reach the container as terminal input.
   */
  const underPty = async (shell: string) => {
    const child = spawn('script', ['-qec', shell, '/dev/null'], { env: e.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    clearTimeout(timer);
    child.stdin.end();
    return { code, out: out.replace(/\r/g, ''), err };
  };

  it('logs keeps stdout and stderr apart and honours --tail', () => {
    e.ok(['run', '-d', '--name', 'io-logs', 'busybox', 'sh', '-c',
      'echo out-1; echo err-1 >&2; echo out-2; echo err-2 >&2; for i in 3 4 5; do echo out-$i; done']);
    assert.equal(e.ok(['wait', 'io-logs']), '0');
    const all = e.run(['logs', 'io-logs']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, 'out-1\nout-2\nout-3\nout-4\nout-5\n');
    assert.equal(all.stderr, 'err-1\nerr-2\n');
    assert.equal(e.run(['logs', '-n', 'all', 'io-logs']).stdout, all.stdout);
    // --tail counts lines across both streams in the order they were logged; one stream keeps that order certain.
    e.ok(['run', '-d', '--name', 'io-tail', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo line-$i; done']);
    assert.equal(e.ok(['wait', 'io-tail']), '0');
    const tail = e.run(['logs', '--tail', '2', 'io-tail']);
    assert.equal(tail.stdout, 'line-4\nline-5\n');
    assert.equal(tail.stderr, '');
    assert.equal(e.run(['logs', '--tail', '0', 'io-tail']).stdout, '');
    assertOneLineError(e.run(['logs', '--tail', 'lots', 'io-logs']), /lots/);
  });

  it('logs shows a log of 200000 lines whole, and a reader that closes the pipe ends the client quietly', () => {
    e.ok(['run', '-d', '--name', 'io-long', 'busybox', 'seq', '1', '200000']);
    assert.equal(e.ok(['wait', 'io-long']), '0');
    const all = e.run(['logs', 'io-long']);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.split('\n');
    assert.deepEqual([lines.length, lines[0], lines[199_999]], [200_001, '1', '200000']);
    // `logs | head -1` and `run | head -1`: the status of a death by SIGPIPE, and no stack trace.
    const shell = (cmd: string) => spawnSync('/bin/bash', ['-c', `set -o pipefail; ${cmd} | head -1`], { env: e.env, encoding: 'utf8' });
    for (const args of [['logs', 'io-long'], ['run', '--rm', '--network', 'none', 'busybox', 'seq', '1', '200000']]) {
      const piped = shell(cli(args));
      assert.deepEqual([piped.status, piped.stdout, piped.stderr], [141, '1\n', ''], args.join(' '));
    }
    e.ok(['rm', 'io-long']);
  });

  it('logs -t prefixes timestamps and --since drops older lines', () => {
    e.ok(['run', '-d', '--name', 'io-since', 'busybox', 'sh', '-c', 'echo early; sleep 2.2; echo late']);
    assert.equal(e.ok(['wait', 'io-since']), '0');
    const lines = e.ok(['logs', '-t', 'io-since']).split('\n');
    assert.equal(lines.length, 2);
    const stamps = lines.map((l) => {
      const m = TIMESTAMPED.exec(l);
      assert.ok(m, `no timestamp on "${l}"`);
      return { time: Date.parse(m[1]!), text: m[2] };
    });
    assert.deepEqual(stamps.map((s) => s.text), ['early', 'late']);
    assert.ok(Math.abs(stamps[0]!.time - Date.now()) < 60_000, 'timestamp is not the time the line was written');
    assert.ok(stamps[1]!.time - stamps[0]!.time >= 2000, 'timestamps do not follow the writes');
    // A whole second after "early" and at least one before "late".
    const between = Math.floor(stamps[0]!.time / 1000) + 1;
    assert.equal(e.ok(['logs', '--since', String(between), 'io-since']), 'late');
    assert.equal(e.ok(['logs', '--since', new Date(between * 1000).toISOString(), 'io-since']), 'late');
    assert.equal(e.ok(['logs', '--since', '1h', 'io-since']), 'early\nlate');
  });

  it('logs -f follows new output and ends when the container exits', async () => {
    e.ok(['run', '-d', '--name', 'io-follow', 'busybox', 'sh', '-c', 'echo first; echo first-err >&2; sleep 1.5; echo second; exit 3']);
    const t0 = Date.now();
    const r = await e.runAsync(['logs', '-f', 'io-follow']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'first\nsecond\n');
    assert.equal(r.stderr, 'first-err\n');
    assert.ok(Date.now() - t0 >= 1000, 'logs -f returned before the container wrote its last line');
    assert.equal(e.ok(['inspect', '-f', 'State.exitCode', 'io-follow']), '3');
  });

  /** The numbers of "line-N-xxx…" lines, failing on any other line (a torn or garbled entry). */
  const lineNumbers = (out: string) => out.split('\n').filter((l) => l !== '').map((l) => {
    const m = /^line-(\d+)-x{40}$/.exec(l);
    assert.ok(m, `not a whole line: ${JSON.stringify(l)}`);
    return Number(m[1]);
  });
  const assertConsecutive = (nums: number[]) => nums.forEach((n, i) => assert.equal(n, nums[0]! + i, `line ${i} after ${nums[0]}`));
  const printLines = (n: number, pause = '') =>
    `i=0; while [ $i -lt ${n} ]; do echo "line-$i-${'x'.repeat(40)}"; ${pause} i=$((i+1)); done`;

  it('--log-opt max-size and max-file bound the log on disk; logs shows the newest whole lines in order', () => {
    // About 190 kB of log (2000 entries of ~95 bytes) through a limit of 3 files of 4000 bytes.
    const id = e.ok(['run', '-d', '--name', 'io-logopt', '--log-opt', 'max-size=4k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', printLines(2000)]);
    assert.equal(e.ok(['wait', 'io-logopt']), '0');
    const disk = logOnDisk(e.root, id);
    // conmon starts a new file before the entry that would pass max-size, so the bound is exact.
    assert.ok(disk.bytes <= 3 * 4000, `log takes ${disk.bytes} bytes in ${disk.names.join(', ')}`);
    assert.equal(disk.files, 3, `three files are kept: ${disk.names.join(', ')}`);
    const all = e.run(['logs', 'io-logopt']);
    assert.equal(all.stderr, '');
    const nums = lineNumbers(all.stdout);
    assert.equal(nums.at(-1), 1999, 'the newest line is shown');
    assert.ok(nums.length > 50, `more lines than one file holds (about 41): the rotated files are read too (${nums.length})`);
    // In order; at this rate (a file every few ms) a file can be dropped when conmon fills the next one before the
    // daemon completes the rotation (docs/docker-compat.md), so gaps are allowed here and tested away below.
    nums.forEach((n, i) => assert.ok(i === 0 || n > nums[i - 1]!, `line ${n} after ${nums[i - 1]}`));
    assert.deepEqual(lineNumbers(e.ok(['logs', '--tail', '3', 'io-logopt'])), [1997, 1998, 1999]);
    assert.deepEqual(JSON.parse(e.ok(['inspect', '-f', '{{json .Config.logOptions}}', 'io-logopt'])), { 'max-size': '4k', 'max-file': '3' });

    // max-file defaults to 1: one file, started afresh when full, as docker's json-file does.
    const one = e.ok(['run', '-d', '--name', 'io-logopt1', '--log-opt', 'max-size=2k', 'busybox', 'sh', '-c', printLines(500)]);
    assert.equal(e.ok(['wait', 'io-logopt1']), '0');
    const single = logOnDisk(e.root, one);
    assert.deepEqual(single.names, ['ctr.log']);
    assert.ok(single.bytes <= 2000, `${single.bytes} bytes`);
    const last = lineNumbers(e.ok(['logs', 'io-logopt1']));
    assert.equal(last.at(-1), 499);
    assertConsecutive(last);

    // A restart begins a new file: the previous run's log is rotated, still within the bound.
    e.ok(['start', 'io-logopt']);
    assert.equal(e.ok(['wait', 'io-logopt']), '0');
    assert.ok(logOnDisk(e.root, id).bytes <= 3 * 4000);
    assert.equal(lineNumbers(e.ok(['logs', 'io-logopt'])).at(-1), 1999);
    e.ok(['rm', 'io-logopt', 'io-logopt1']);
  });

  it('--log-opt refuses bad keys and values in one line, and creates nothing', () => {
    const cases: Array<[string[], RegExp]> = [
      [['max-size=abc'], /invalid log option max-size "abc"/],
      [['max-size=0'], /max-size "0"/],
      [['max-size=1m', 'max-file=0'], /invalid log option max-file "0"/],
      [['max-size=1m', 'max-file=two'], /max-file "two"/],
      [['max-file=3'], /max-file needs max-size/],
      [['colour=blue'], /unknown log option "colour=blue"/],
      [['compress=true'], /"compress" is not supported/],
      [['max-size'], /invalid --log-opt "max-size": expected KEY=VALUE/],
    ];
    for (const [opts, message] of cases) {
      assertOneLineError(e.run(['create', '--name', 'io-badlog', ...opts.flatMap((o) => ['--log-opt', o]), 'busybox', 'true']), message);
      assert.notEqual(e.run(['inspect', '--type', 'container', 'io-badlog']).code, 0, `${opts.join(' ')} left a container`);
    }
  });

  it('logs -f follows the log across rotations without losing or repeating a line', async () => {
    const gate = join(e.dir, 'io-follow-gate');
    mkdirSync(gate);
    e.ok(['run', '-d', '--name', 'io-rotfollow', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=3', '-v', `${gate}:/gate`, 'busybox', 'sh', '-c',
      `echo ready; while [ ! -e /gate/go ]; do sleep 0.05; done; ${printLines(300, 'sleep 0.01;')}`]);
    const follower = e.spawn(['logs', '-f', 'io-rotfollow']);
    let out = '';
    follower.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    const closed = new Promise<number>((resolve) => follower.on('close', (c) => resolve(c ?? -1)));
    await waitFor(() => out.startsWith('ready\n'), 'logs -f to show the first line');
    writeFileSync(join(gate, 'go'), ''); // only now the container writes its 300 lines: ~20 rotations under the follower
    assert.equal(await closed, 0);
    const nums = lineNumbers(out.slice('ready\n'.length));
    assert.equal(nums.length, 300, 'every line once');
    assertConsecutive(nums);
    assert.ok(logOnDisk(e.root, e.ok(['inspect', '-f', '{{.Id}}', 'io-rotfollow'])).bytes <= 3 * 2000);
    e.ok(['rm', 'io-rotfollow']);
  });

  it('run -i forwards piped stdin and ends at its EOF', () => {
    const r = e.run(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'data\nmore data\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'data\nmore data\n');
    const counted = e.run(['run', '-i', '--rm', 'busybox', 'wc', '-c'], { input: Buffer.alloc(300_000, 'x') });
    assert.equal(counted.stdout.trim(), '300000');
    // Without -i the container gets no stdin: cat sees EOF at once.
    assert.equal(e.run(['run', '--rm', 'busybox', 'cat'], { input: 'ignored\n' }).stdout, '');
  });

  it('exec returns the exit code and applies -e, -u, -w and -i', () => {
    e.ok(['run', '-d', '--name', 'io-exec', 'busybox', 'sleep', '300']);
    assert.equal(e.run(['exec', 'io-exec', 'sh', '-c', 'exit 4']).code, 4);
    const split = e.run(['exec', 'io-exec', 'sh', '-c', 'echo to-out; echo to-err >&2']);
    assert.equal(split.stdout, 'to-out\n');
    assert.equal(split.stderr, 'to-err\n');
    assert.equal(e.ok(['exec', '-e', 'BH_VAR=exec value', 'io-exec', 'sh', '-c', 'echo "$BH_VAR"']), 'exec value');
    assert.equal(e.ok(['exec', '-u', '1234:4321', 'io-exec', 'sh', '-c', 'id -u; id -g']), '1234\n4321');
    assert.equal(e.ok(['exec', '-w', '/etc', 'io-exec', 'pwd']), '/etc');
    assert.equal(e.ok(['exec', '-i', 'io-exec', 'sh', '-c', 'cat; echo end'], { input: 'piped in\n' }), 'piped in\nend');
    const missing = e.run(['exec', 'io-exec', 'bh-no-such-command']);
    assert.equal(missing.code, 127, `exit ${missing.code}, stderr: ${missing.stderr}`);
    assert.match(missing.stderr, /bh-no-such-command/);
    assert.doesNotMatch(missing.stderr, /^\s+at .+[:(]/m);
    // exec only works on a running container, and says so.
    e.ok(['stop', '-t', '0', 'io-exec']);
    assertOneLineError(e.run(['exec', 'io-exec', 'true']), /io-exec.*not running/);
    e.ok(['rm', 'io-exec']);
  });

  it('attach sees output written after it joined and ends with the container', async () => {
    e.ok(['run', '-d', '--name', 'io-attach', 'busybox', 'sh', '-c',
      'echo before-attach; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo after-attach; echo attach-err >&2; exit 9']);
    const child = e.spawn(['attach', '--no-stdin', 'io-attach']);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdin!.end();
    const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    try {
      // Give the attach time to connect before the container writes again; what it prints next must reach us.
      await new Promise((r) => setTimeout(r, 700));
      e.ok(['exec', 'io-attach', 'touch', '/tmp/go']);
      const code = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-2), 15_000))]);
      assert.equal(code, 9, `attach exit code (stderr: ${err})`);
      assert.match(out, /after-attach\n$/);
      assert.match(err, /attach-err/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    e.ok(['rm', 'io-attach']);
  });

  it('run -it gives the container a terminal', async () => {
    const r = await underPty(cli(['run', '-it', '--rm', 'busybox', 'sh', '-c', 'tty; echo "stdin-is-tty=$([ -t 0 ] && echo y)"']));
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^\/dev\/pts\/\d+$/m);
    assert.match(r.out, /^stdin-is-tty=y$/m);
    // Without -t there is no terminal, even under one.
    const plain = await underPty(cli(['run', '--rm', 'busybox', 'sh', '-c', 'tty || true']));
    assert.match(plain.out, /not a tty/);
  });

  it("run -it starts with the outer terminal's window size", async () => {
    const r = await underPty(`stty rows 30 cols 100 && ${cli(['run', '-it', '--rm', 'busybox', 'stty', 'size'])}`);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^30 100$/m, 'the first command in the container must see the outer size');
  });

  it("run -it follows changes of the outer terminal's window size", async () => {
    // Resized while the container runs: the CLI gets SIGWINCH and passes the new size on.
    const resized = await underPty('stty rows 30 cols 100; T=$(tty); (sleep 0.7; stty -F "$T" rows 44 cols 120) & ' +
      cli(['run', '-it', '--rm', 'busybox', 'sh', '-c', 'sleep 2; stty size']));
    assert.match(resized.out, /^44 120$/m);
  });

  it('exec -it gives the exec a terminal of the outer size', async () => {
    e.ok(['run', '-d', '--name', 'io-exec-tty', 'busybox', 'sleep', '300']);
    const r = await underPty(`stty rows 33 cols 90 && ${cli(['exec', '-it', 'io-exec-tty', 'sh', '-c', 'tty; stty size'])}`);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^\/dev\/pts\/\d+$/m);
    assert.match(r.out, /^33 90$/m, 'the exec must start with the outer size');
    e.ok(['rm', '-f', 'io-exec-tty']);
  });
});
