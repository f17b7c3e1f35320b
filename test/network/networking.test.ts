// Container networking through the CLI, as root, with traffic only between the host's loopback and containers
// this test creates: name resolution and isolation between networks, internal networks, published ports, the
// one-line errors, the bandwidth limit, network counters in stats, a complete teardown after a daemon crash, and
// a daemon stop that lets the DELs under way finish.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestEngine } from '../helpers/engine-harness.js';
import { sweepNatLeftovers } from '../../src/network/index.js';
import { assertOneLineError, waitFor } from '../integration/cli-checks.js';

/** The host's view that teardown must restore: links, routes, iptables rules (counters dropped), raw. */
function hostSnapshot(): string[] {
  const sh = (cmd: string, args: string[]) => execFileSync(cmd, args).toString().split('\n');
  return [...sh('ip', ['-br', 'link']).map((l) => l.split(/\s+/)[0] ?? ''), ...sh('ip', ['-4', 'route']),
    ...sh('iptables-save', []).filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/g, ''))];
}

/**
 * Only what concerns this engine (its bridges and subnets): other engines on the machine may be running tests
 * at the same time and change the rest.
 */
function ours(snapshot: string[], bridges: string[], subnets: string[]): string[] {
  const prefixes = subnets.map((s) => s.split('.').slice(0, 3).join('.') + '.');
  return snapshot.filter((l) => bridges.some((b) => l.includes(b)) || prefixes.some((p) => l.includes(p))).sort();
}

function sendBytes(port: number, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = connect({ host: '127.0.0.1', port }, () => s.end(Buffer.alloc(bytes, 7)));
    s.on('error', reject);
    s.on('close', () => resolve(Date.now() - t0));
    s.resume();
  });
}

describe('container networking (CLI)', () => {
  const e = new TestEngine('bh-test-net-');
  let before0: string[];
  before(async () => { before0 = hostSnapshot(); await e.setup(); });
  after(() => e.cleanup());
  const ip = (c: string) => e.ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', c]);
  /** The IPv4 addresses the container sees on its interfaces, as `ip addr` shows them inside. */
  const inets = (c: string) => [...e.ok(['exec', c, 'ip', '-4', 'addr']).matchAll(/inet ([\d.]+)\//g)].map((m) => m[1]!);

  it('containers on one network reach each other by name and alias (wget, nc, ping); other networks cannot', () => {
    e.ok(['network', 'create', 'bh-t-front']);
    e.ok(['network', 'create', 'bh-t-back']);
    e.ok(['run', '-d', '--name', 'nt-web', '--network', 'bh-t-front', '--network-alias', 'www', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    e.ok(['run', '-d', '--name', 'nt-echo', '--network', 'bh-t-front', 'busybox', 'sh', '-c', 'while true; do echo pong | nc -l -p 7000; done']);
    const out = e.ok(['run', '--rm', '--network', 'bh-t-front', 'busybox', 'sh', '-c',
      'wget -q -O - http://nt-web/hostname && wget -q -O - http://www/hostname && nc nt-echo 7000 </dev/null && ping -c 1 -W 2 nt-web >/dev/null && echo ping-ok']);
    const webId = e.ok(['inspect', '-f', '{{.Id}}', 'nt-web']).slice(0, 12);
    assert.deepEqual(out.split('\n'), [webId, webId, 'pong', 'ping-ok']);
    const resolv = e.ok(['run', '--rm', '--network', 'bh-t-front', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.match(resolv, /^nameserver 10\./m);
    // From another network: the name is unknown there, and the address does not answer.
    // Nor does asking the other network's DNS responder directly (its gateway address is reachable through the host).
    const frontGateway = (JSON.parse(e.ok(['network', 'inspect', 'bh-t-front']))[0].IPAM.Config[0].Gateway) as string;
    const other = e.run(['run', '--rm', '--network', 'bh-t-back', 'busybox', 'sh', '-c',
      `nslookup nt-web >/dev/null 2>&1 && echo resolved; timeout 5 nslookup nt-web ${frontGateway} >/dev/null 2>&1 && echo resolved-there; ` +
      `nc -w 2 ${ip('nt-web')} 80 </dev/null && echo reached; echo done`]);
    assert.equal(other.stdout.trim(), 'done', other.stderr);
    e.ok(['rm', '-f', 'nt-web', 'nt-echo']);
  });

  it('a plain container on the default network gets a recycled namespace; one with NET_ADMIN hands none on', async () => {
    const netnsDir = join(e.root, 'run', 'netns');
    try {
      // A container that stays on the default network for the whole test: with none left, the pool would be
      // drained 1.5 s after the last one went (RELEASE_GRACE_MS), and a loaded machine may take that long
      // between two commands.
      const holderId = e.ok(['run', '-d', '--name', 'nt-holder', 'busybox', 'sleep', '300']);
      const namespaces = () => readdirSync(netnsDir).filter((n) => n !== holderId);
      e.ok(['run', '-d', '--name', 'nt-first', 'busybox', 'sleep', '300']);
      const firstId = e.ok(['inspect', '-f', '{{.Id}}', 'nt-first']);
      const firstIp = ip('nt-first');
      e.ok(['rm', '-f', 'nt-first']);
      assert.deepEqual(namespaces(), [firstId], 'the namespace stays, still attached, for the next container');
      e.ok(['run', '-d', '--name', 'nt-second', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
      assert.equal(ip('nt-second'), firstIp, 'the recycled namespace, with its address');
      assert.equal(e.ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'nt-second']), join(netnsDir, firstId));
      await waitFor(() => /:80\s/.test(e.ok(['exec', 'nt-second', 'netstat', '-ltn'])), 'httpd to listen', 10_000);
      // It works like a fresh one: another container reaches it, and its /etc/hosts names itself.
      const secondId = e.ok(['inspect', '-f', '{{.Id}}', 'nt-second']).slice(0, 12);
      // The client's input (a fifo whose writer the shell holds open) never ends, so it never closes first: it
      // exits when httpd has answered and closed (HTTP/1.0), and the server's side, not the client's, holds the
      // TIME_WAIT. (wget, or an input that ends, may close first and leave the client's namespace a lingering
      // socket, depending on how fast httpd answers.)
      const fetched = e.ok(['run', '--rm', 'busybox', 'sh', '-c', 'mkfifo /tmp/in; ' +
        `nc ${firstIp} 80 </tmp/in >/tmp/out & exec 3>/tmp/in; printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' >&3; wait $!; tail -n 1 /tmp/out`]);
      assert.equal(fetched, secondId);
      assert.match(e.ok(['exec', 'nt-second', 'cat', '/etc/hosts']), new RegExp(`^${firstIp.replace(/\./g, '\\.')}\\s.*nt-second`, 'm'));
      // The client above left no socket behind (the server closed first): its namespace went to the pool.
      assert.equal(namespaces().length, 2, 'nt-second\'s namespace and one pooled');
      // A container that closes a TCP connection first leaves it in TIME_WAIT: its namespace (the pooled one it
      // took) is not handed on again. Its input is empty, so nc shuts its side down before httpd has anything to
      // answer, and the client's FIN is always the first.
      e.ok(['run', '--rm', 'busybox', 'sh', '-c', `nc ${firstIp} 80 </dev/null >/dev/null; true`]);
      assert.equal(namespaces().length, 1, 'the client\'s namespace (TIME_WAIT inside) was torn down');
      e.ok(['rm', '-f', 'nt-second']);
      // NET_ADMIN could have changed the namespace: it may take one from the pool but never hands it on.
      e.ok(['run', '-d', '--name', 'nt-admin', '--cap-add', 'NET_ADMIN', 'busybox', 'sleep', '300']);
      const pooled = namespaces().length;
      e.ok(['rm', '-f', 'nt-admin']);
      assert.equal(namespaces().length, pooled - 1, 'its namespace was torn down, not pooled');
    } finally {
      e.run(['rm', '-f', 'nt-first', 'nt-second', 'nt-admin', 'nt-holder']);
    }
  });

  it('an internal network has no route out and cannot reach another network', () => {
    e.ok(['network', 'create', '--internal', 'bh-t-int']);
    e.ok(['run', '-d', '--name', 'nt-target', '--network', 'bh-t-front', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    const out = e.ok(['run', '--rm', '--network', 'bh-t-int', 'busybox', 'sh', '-c',
      `ip route; nc -w 2 ${ip('nt-target')} 80 </dev/null && echo reached; echo done`]);
    assert.doesNotMatch(out, /default/);
    assert.doesNotMatch(out, /reached/);
    e.ok(['rm', '-f', 'nt-target']);
  });

  it('a published port answers on 127.0.0.1 and goes away with the container; port shows it', async () => {
    e.ok(['run', '-d', '--name', 'nt-pub', '-p', '127.0.0.1:18931:80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    assert.equal(e.ok(['port', 'nt-pub']), '80/tcp -> 127.0.0.1:18931');
    assert.match(e.ok(['ps', '--filter', 'name=nt-pub']), /\s127\.0\.0\.1:18931->80\/tcp\s+nt-pub$/m, 'ps shows the binding');
    const body = await waitFor(() => {
      try { return execFileSync('wget', ['-q', '-O', '-', 'http://127.0.0.1:18931/hostname'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString(); } catch { return undefined; }
    }, 'published port to answer', 5000).catch(() => execFileSync('busybox', ['wget', '-q', '-O', '-', 'http://127.0.0.1:18931/hostname']).toString());
    assert.equal(body.trim(), e.ok(['inspect', '-f', '{{.Id}}', 'nt-pub']).slice(0, 12));
    e.ok(['rm', '-f', 'nt-pub']);
    assert.throws(() => execFileSync('busybox', ['wget', '-T', '2', '-q', '-O', '-', 'http://127.0.0.1:18931/hostname'], { stdio: 'ignore' }));
  });

  it('bad input is one line and leaves nothing configured', async () => {
    e.ok(['run', '-d', '--name', 'nt-hold', '-p', '18932:80', 'busybox', 'sleep', '300']);
    assertOneLineError(e.run(['run', '--rm', '-p', '18932:80', 'busybox', 'true']), /port 18932 is already in use/, 125);
    assertOneLineError(e.run(['run', '--rm', '-p', '80:80:80:80', 'busybox', 'true']), /invalid port specification/, 125);
    assertOneLineError(e.run(['run', '--rm', '-p', '70000', 'busybox', 'true']), /invalid port specification/, 125);
    assertOneLineError(e.run(['run', '--rm', '--network', 'bh-t-nope', 'busybox', 'true']), /no such network: bh-t-nope/, 125);
    const subnet = JSON.parse(e.ok(['network', 'inspect', 'bh-t-front']))[0].IPAM.Config[0].Subnet as string;
    assertOneLineError(e.run(['network', 'create', '--subnet', subnet, 'bh-t-clash']), /overlaps network "bh-t-front"/);
    e.ok(['run', '-d', '--name', 'nt-busy', '--network', 'bh-t-back', 'busybox', 'sleep', '300']);
    assertOneLineError(e.run(['network', 'rm', 'bh-t-back']), /in use by container nt-busy/);
    e.ok(['rm', '-f', 'nt-hold', 'nt-busy']);
    assert.match(e.ok(['network', 'prune']), /bh-t-back/);
    e.ok(['network', 'create', 'bh-t-unused']);
    assert.match(e.ok(['system', 'prune', '-f']), /^Deleted networks: 1 \(bh-t-unused\)$/m);
    // A plain container's namespace waits in the pool until the default network has been idle for a moment.
    await waitFor(() => readdirSync(join(e.root, 'run', 'netns')).length === 0 || undefined, 'the pooled namespace to be released', 8000)
      .catch(() => undefined);
    assert.equal(readdirSync(join(e.root, 'run', 'netns')).length, 0, 'no network namespace is left');
  });

  it('--network-opt rate limits the bandwidth to within 20%, and stats counts the bytes', async () => {
    const rateBits = 8_000_000;
    try {
      e.ok(['run', '-d', '--name', 'nt-bw', '--network-opt', 'rate=8mbit', '-p', '127.0.0.1:18933:5001', 'busybox', 'sh', '-c',
        'while true; do nc -l -p 5001 > /dev/null; done']);
      // nc restarts between transfers: retry a refused connection.
      const send = async (n: number) => {
        for (let i = 0; ; i++) {
          try { return await sendBytes(18933, n); } catch (err) { if (i > 50) throw err; await new Promise((r) => setTimeout(r, 100)); }
        }
      };
      await send(100_000);
      // The sustained rate is the slope between a short and a long transfer: what the shaper's burst and the
      // socket buffers let through at once is the same in both and cancels out.
      const small = await send(1_000_000);
      const large = await send(5_000_000);
      const bytes = 5_000_000;
      const measured = ((bytes - 1_000_000) * 8) / ((large - small) / 1000);
      assert.ok(Math.abs(measured - rateBits) / rateBits < 0.2, `measured ${Math.round(measured)} bit/s for a limit of ${rateBits}`);
      const stats = JSON.parse(e.ok(['stats', '--no-stream', '--format', 'json'])) as Array<{ name: string; netRx: number; netRxPackets: number }>;
      const s = stats.find((x) => x.name === 'nt-bw')!;
      assert.ok(s.netRx >= bytes && s.netRxPackets > 0, `stats: ${JSON.stringify(s)}`);
    } finally {
      // Left running, it would keep the default network in use and its pool from being drained in later tests.
      e.run(['rm', '-f', 'nt-bw']);
    }
  });

  it('a container whose namespace is gone by the time it is removed leaves no nat rules behind', async () => {
    e.ok(['network', 'create', 'bh-t-lost']);
    const id = e.ok(['run', '-d', '--name', 'nt-lost', '--network', 'bh-t-lost', 'busybox', 'sleep', '300']);
    const tagged = () => execFileSync('iptables', ['-w', '-t', 'nat', '-S']).toString().split('\n').filter((l) => l.includes(`id: \\"${id}\\"`));
    try {
      assert.ok(tagged().length > 0, 'the container is masqueraded while it runs');
      // As after a reboot or a lost run root: the pinned namespace the engine recorded no longer exists.
      const netns = join(e.root, 'run', 'netns', id);
      execFileSync('umount', [netns]);
      rmSync(netns);
      e.ok(['rm', '-f', 'nt-lost']);
      assert.deepEqual(tagged(), [], "the bridge plugin's nat chain went with the container");
    } finally {
      await sweepNatLeftovers([id]); // only if the assertion failed: the host must not keep them
      e.run(['rm', '-f', 'nt-lost']);
      e.ok(['network', 'rm', 'bh-t-lost']);
    }
  });

  it('a daemon stopped while it drains the recycled namespaces of an idle network finishes their DELs first', async () => {
    // Exited plain containers leave their namespaces, still attached, in the pool; 1.5 s after the network's last
    // container went, the pool is drained, a CNI DEL each. The stop (SIGTERM, as systemd sends) lands in the
    // middle of that drain, after the first namespace went and before the last.
    const nsDir = join(e.root, 'run', 'netns');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(e.ok(['run', '-d', 'busybox', 'sleep', '300']));
    const tagged = () => execFileSync('iptables', ['-w', '-t', 'nat', '-S']).toString().split('\n')
      .filter((l) => ids.some((id) => l.includes(`id: \\"${id}\\"`)));
    try {
      e.ok(['rm', '-f', ...ids]);
      const pooled = readdirSync(nsDir).length;
      assert.ok(pooled >= 2 && tagged().length > 0, `the namespaces wait in the pool (${pooled})`);
      for (const end = Date.now() + 10_000; readdirSync(nsDir).length === pooled;) {
        if (Date.now() > end) assert.fail('the pool was not drained');
        await new Promise((r) => setTimeout(r, 5));
      }
      await e.killDaemon('SIGTERM');
      assert.deepEqual(tagged(), [], 'every DEL of the drain ran to the end: no container keeps a nat chain');
      assert.deepEqual(readdirSync(nsDir), [], 'and no namespace is left');
    } finally {
      await sweepNatLeftovers(ids); // only if an assertion failed: the host must not keep them
      await e.startDaemon();
    }
  });

  it('a stopped container starts again after another one took its recycled namespace', () => {
    const nsDir = join(e.root, 'run', 'netns');
    try {
      e.ok(['run', '-d', '--name', 'nt-aholder', 'busybox', 'sleep', '300']); // keeps the pool from being drained
      const aId = e.ok(['run', '-d', '--name', 'nt-again', 'busybox', 'sleep', '300']);
      e.ok(['stop', '-t', '0', 'nt-again']);
      e.ok(['run', '-d', '--name', 'nt-taker', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
      assert.equal(e.ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'nt-taker']), join(nsDir, aId), 'the pool handed it on');
      e.ok(['start', 'nt-again']);
      const key = e.ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'nt-again']);
      assert.ok(key.startsWith(join(nsDir, `${aId}-`)), `a namespace of its own, under another name: ${key}`);
      assert.match(e.ok(['exec', 'nt-again', 'wget', '-q', '-O', '-', `http://${ip('nt-taker')}/hostname`]), /^[0-9a-f]{12}$/);
      // Connected again, it is connected in that namespace of its own, not in `netns/<its id>`, nt-taker's.
      e.ok(['network', 'disconnect', 'bridge', 'nt-again']);
      e.ok(['network', 'connect', 'bridge', 'nt-again']);
      assert.equal(e.ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'nt-again']), key);
      assert.match(e.ok(['exec', 'nt-again', 'ip', '-4', 'addr', 'show', 'eth0']), new RegExp(`inet ${ip('nt-again').replace(/\./g, '\\.')}/`));
      assert.deepEqual(inets('nt-taker'), ['127.0.0.1', ip('nt-taker')], 'nothing was added to the other namespace');
    } finally {
      e.run(['rm', '-f', 'nt-again', 'nt-taker', 'nt-aholder']);
    }
  });

  it('a container in a recycled namespace is disconnected and connected in it, and leaves nothing behind', async () => {
    const nsDir = join(e.root, 'run', 'netns');
    const ids: string[] = [];
    const tagged = () => execFileSync('iptables-save', []).toString().split('\n').filter((l) => ids.some((id) => l.includes(id)));
    const networks = (c: string) => JSON.parse(e.ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', c])) as
      Record<string, { IPAddress: string; Gateway: string; Interface: string }>;
    try {
      // The holder keeps the default network in use, so that the pool is not drained between rm and run.
      e.ok(['run', '-d', '--name', 'nt-rholder', 'busybox', 'sleep', '300']);
      e.ok(['run', '-d', '--name', 'nt-rfirst', 'busybox', 'sleep', '300']);
      e.ok(['rm', '-f', 'nt-rfirst']);
      const id = e.ok(['run', '-d', '--name', 'nt-rsecond', 'busybox', 'sleep', '300']);
      // A pooled namespace (nt-rfirst's, or one an earlier test left in the pool): named after another container.
      const pooled = e.ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'nt-rsecond']);
      assert.ok(!basename(pooled).startsWith(id), `a pooled namespace: ${pooled}`);
      ids.push(id, basename(pooled));
      e.ok(['network', 'create', 'bh-t-again']);
      e.ok(['network', 'connect', 'bh-t-again', 'nt-rsecond']);
      assert.deepEqual(inets('nt-rsecond'), ['127.0.0.1', networks('nt-rsecond').bridge!.IPAddress, networks('nt-rsecond')['bh-t-again']!.IPAddress]);
      // Off every network it keeps its namespace, with loopback only (as with docker); connected again, the
      // interface appears in that namespace (pinned meanwhile under its own name), and it reaches the gateway.
      e.ok(['network', 'disconnect', 'bridge', 'nt-rsecond']);
      e.ok(['network', 'disconnect', 'bh-t-again', 'nt-rsecond']);
      assert.deepEqual(inets('nt-rsecond'), ['127.0.0.1']);
      e.ok(['network', 'connect', 'bh-t-again', 'nt-rsecond']);
      const again = networks('nt-rsecond')['bh-t-again']!;
      assert.deepEqual(inets('nt-rsecond'), ['127.0.0.1', again.IPAddress]);
      const key = e.ok(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', 'nt-rsecond']);
      assert.ok(key.startsWith(join(nsDir, id)), `pinned under a name of its own: ${key}`);
      assert.ok(!existsSync(pooled), 'the file named after the other container went');
      e.ok(['exec', 'nt-rsecond', 'ping', '-c', '1', '-W', '5', again.Gateway]);
      assert.ok(tagged().length > 0, 'masqueraded while connected');
      e.ok(['rm', '-f', 'nt-rsecond']);
      assert.deepEqual(readdirSync(nsDir).filter((n) => ids.some((id) => n.startsWith(id))), [], 'its namespace went');
      assert.deepEqual(tagged(), [], 'and its firewall rules');
      e.ok(['network', 'rm', 'bh-t-again']);
    } finally {
      await sweepNatLeftovers(ids); // only if an assertion failed: the host must not keep them
      e.run(['rm', '-f', 'nt-rholder', 'nt-rfirst', 'nt-rsecond']);
      e.run(['network', 'rm', 'bh-t-again']);
    }
  });

  it('a SIGKILLed daemon, restart and rm -f leave links, routes, iptables and IPAM as before', async () => {
    e.ok(['network', 'create', 'bh-t-front']);
    e.ok(['network', 'create', '--internal', 'bh-t-int']);
    e.ok(['run', '-d', '--name', 'nt-k1', '--network', 'bh-t-front', '-p', '18934:80', 'busybox', 'sleep', '300']);
    e.ok(['run', '-d', '--name', 'nt-k2', 'busybox', 'sleep', '300']);
    e.ok(['run', '-d', '--name', 'nt-k3', '--network', 'bh-t-int', 'busybox', 'sh', '-c', 'sleep 1']);
    await e.killDaemon('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500)); // nt-k3 exits while the daemon is down
    await e.startDaemon();
    assert.equal(e.ok(['port', 'nt-k1']), '80/tcp -> 0.0.0.0:18934');
    const nets = JSON.parse(e.ok(['network', 'inspect', 'bh-t-front', 'bh-t-int', 'bridge'])) as Array<{ Bridge: string; IPAM: { Config: Array<{ Subnet: string }> } }>;
    const bridges = nets.map((n) => n.Bridge);
    const subnets = nets.map((n) => n.IPAM.Config[0]!.Subnet);
    assert.ok(ours(hostSnapshot(), bridges, subnets).length > 0, 'the containers are connected before the rm');
    e.ok(['rm', '-f', 'nt-k1', 'nt-k2', 'nt-k3']);
    e.ok(['network', 'rm', 'bh-t-front', 'bh-t-int']);
    // The default network's bridge goes after a short grace period (kept for the next container meanwhile).
    const want = JSON.stringify(ours(before0, bridges, subnets));
    const ipam = join(e.root, 'networks', 'ipam');
    const leases = () => (existsSync(ipam) ? readdirSync(ipam) : []);
    await waitFor(() => JSON.stringify(ours(hostSnapshot(), bridges, subnets)) === want && leases().length === 0,
      'the default bridge to be released', 8000).catch(() => undefined);
    assert.deepEqual(ours(hostSnapshot(), bridges, subnets), ours(before0, bridges, subnets));
    assert.deepEqual(existsSync(ipam) ? readdirSync(ipam) : [], []);
    assert.deepEqual(readdirSync(join(e.root, 'run', 'netns')), []);
  });
});
