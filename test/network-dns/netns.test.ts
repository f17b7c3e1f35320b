// The responder as a container sees it: a network namespace joined to the host by a veth pair, the server on the
// host end's address, port 53, and busybox nslookup inside the namespace asking for container names, addresses
// and an outside name (forwarded to a fake upstream on the host's loopback).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNetns, removeNetns } from '../../src/network/netns.js';
import { runCommand } from '../../src/sys/run-command.js';
import { NetworkDnsServer } from '../../src/network/dns/index.js';
import { FakeUpstream } from './dns-fixtures.js';

const suffix = randomBytes(3).toString('hex');
// The namespace is pinned on a file of the test's own (as the engine does), not under /run/netns, which
// `ip netns add` would turn into a mount point that outlives the test.
const dir = mkdtempSync(join(tmpdir(), 'bh-test-dns-'));
const netns = join(dir, 'netns');
const hostVeth = `bhtd${suffix}`;
const nsVeth = `bhtn${suffix}`;

const ip = (...args: string[]) => runCommand('ip', args);
const inNetnsOk = (...args: string[]) => runCommand('nsenter', [`--net=${netns}`, '--', ...args]);
const inNetns = (...args: string[]) => runCommand('nsenter', [`--net=${netns}`, '--', ...args], { allowFailure: true, timeoutMs: 20_000 });

/** A /30 in 10.213.0.0/16 that no host address or route already uses. */
async function freeSubnet(): Promise<{ host: string; peer: string }> {
  const used = (await ip('-4', '-o', 'addr')).stdout + (await ip('-4', 'route')).stdout;
  for (let attempt = 0; attempt < 50; attempt++) {
    const third = 1 + Math.floor(Math.random() * 254);
    const fourth = 4 * Math.floor(Math.random() * 63);
    if (!used.includes(`10.213.${third}.`) && !used.includes('10.213.0.0/16') && !used.includes('10.0.0.0/8')) {
      return { host: `10.213.${third}.${fourth + 1}`, peer: `10.213.${third}.${fourth + 2}` };
    }
  }
  throw new Error('no free /30 in 10.213.0.0/16');
}

describe('network DNS responder seen from a network namespace', () => {
  const upstream = new FakeUpstream();
  let server: NetworkDnsServer | undefined;
  let subnet: { host: string; peer: string };

  before(async () => {
    subnet = await freeSubnet();
    await upstream.start();
    await createNetns(netns);
    // Made inside, with the host end sent to the host's namespace (that of pid 1).
    await inNetnsOk('ip', 'link', 'add', nsVeth, 'type', 'veth', 'peer', 'name', hostVeth, 'netns', '1');
    await ip('addr', 'add', `${subnet.host}/30`, 'dev', hostVeth);
    await ip('link', 'set', hostVeth, 'up');
    await inNetnsOk('ip', 'addr', 'add', `${subnet.peer}/30`, 'dev', nsVeth);
    await inNetnsOk('ip', 'link', 'set', nsVeth, 'up');
    server = new NetworkDnsServer({ upstreams: [upstream.address], searchDomains: [] });
    await server.serve('bh-test-dns', subnet.host);
    server.setRecords('bh-test-dns', new Map([['web', ['10.213.250.2']], ['web-alias', ['10.213.250.2']]]));
  });

  after(async () => {
    await server?.close();
    await upstream.stop();
    // Deleting the namespace destroys its veth end, which takes the host end with it; the link delete is a fallback.
    await removeNetns(netns);
    await runCommand('ip', ['link', 'del', hostVeth], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a container name and an alias, case-insensitively', async () => {
    for (const name of ['web', 'Web-Alias']) {
      // Without -type busybox asks A and AAAA: the empty AAAA answer must not turn into "can't find".
      const r = await inNetns('busybox', 'nslookup', name, subnet.host);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Address:?\s+10\.213\.250\.2\b/, r.stdout);
      assert.doesNotMatch(r.stdout + r.stderr, /can't find/, r.stdout);
    }
  });

  it('answers the reverse lookup of a container address with its name', async () => {
    const r = await inNetns('busybox', 'nslookup', '10.213.250.2', subnet.host);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /name = web\b/, r.stdout);
  });

  it('forwards an outside name to the host-side upstream', async () => {
    const r = await inNetns('busybox', 'nslookup', '-type=a', 'example.org', subnet.host);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Address:?\s+203\.0\.113\.7\b/, r.stdout);
    assert.ok(upstream.asked.includes('udp example.org'), upstream.asked.join(', '));
  });

  it('a name of another network is not answered from this one', async () => {
    server!.setRecords('bh-test-dns-other', new Map([['secret', ['10.213.251.9']]]));
    const r = await inNetns('busybox', 'nslookup', '-type=a', 'secret', subnet.host);
    assert.doesNotMatch(r.stdout, /10\.213\.251\.9/, r.stdout);
  });
});
