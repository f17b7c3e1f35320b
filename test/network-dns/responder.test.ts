// The per-network DNS responder on loopback addresses: local answers, forwarding over UDP and TCP, upstream
// failover and SERVFAIL, isolation between two networks, malformed packets, and bind errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encode } from 'dns-packet';
import { errorKind } from '../../src/core/index.js';
import { NetworkDnsServer } from '../../src/network/dns/index.js';
import {
  FakeUpstream, addressesOf, deadPort, question, rcodeOf, serveOnRandomPort, tcpQuery, udpExchange, udpQuery,
} from './dns-fixtures.js';

const NOERROR = 0, SERVFAIL = 2, NXDOMAIN = 3;

describe('network DNS responder', () => {
  const upstream = new FakeUpstream();
  const notices: string[] = [];
  let server: NetworkDnsServer;
  let portA = 0;
  let portB = 0;

  before(async () => {
    await upstream.start();
    server = new NetworkDnsServer({ upstreams: [upstream.address], searchDomains: ['corp.example'], notice: (m) => notices.push(m) });
    portA = await serveOnRandomPort(server, 'bh-test-neta', '127.0.0.1');
    portB = await serveOnRandomPort(server, 'bh-test-netb', '127.0.0.2');
    server.setRecords('bh-test-neta', new Map([['web', ['10.89.0.2']], ['www', ['10.89.0.2']], ['db', ['10.89.0.3', '10.89.0.4']]]));
    server.setRecords('bh-test-netb', new Map([['cache', ['10.89.1.2']]]));
  });
  after(async () => {
    await server.close();
    await upstream.stop();
  });

  it('answers A for a container name from its network, case-insensitive, with or without the trailing dot', async () => {
    for (const name of ['web', 'WeB', 'web.']) {
      const r = await udpQuery('127.0.0.1', portA, question(name));
      assert.equal(rcodeOf(r), NOERROR, name);
      assert.deepEqual(addressesOf(r), ['10.89.0.2'], name);
      assert.ok(r.flag_aa, 'local answers are authoritative');
      assert.ok((r.answers?.[0] as { ttl: number }).ttl <= 5, 'short TTL');
    }
    assert.deepEqual(addressesOf(await udpQuery('127.0.0.1', portA, question('db'))).sort(), ['10.89.0.3', '10.89.0.4']);
    // With an EDNS OPT record, as dig and glibc with "options edns0" send it.
    const edns = { ...question('web'), additionals: [{ type: 'OPT' as const, name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] };
    assert.deepEqual(addressesOf(await udpQuery('127.0.0.1', portA, edns)), ['10.89.0.2']);
  });

  it('answers a short name with a search domain appended, but forwards other dotted names', async () => {
    assert.deepEqual(addressesOf(await udpQuery('127.0.0.1', portA, question('web.corp.example'))), ['10.89.0.2']);
    const before = upstream.asked.length;
    const r = await udpQuery('127.0.0.1', portA, question('web.other.example'));
    assert.deepEqual(addressesOf(r), ['203.0.113.7'], 'answered by the upstream');
    assert.deepEqual(upstream.asked.slice(before), ['udp web.other.example']);
  });

  it('answers AAAA and other types of a known name with an empty NOERROR, without asking upstream', async () => {
    const before = upstream.asked.length;
    for (const type of ['AAAA', 'MX', 'TXT'] as const) {
      const r = await udpQuery('127.0.0.1', portA, question('web', type));
      assert.equal(rcodeOf(r), NOERROR, type);
      assert.deepEqual(r.answers, [], type);
    }
    assert.equal(upstream.asked.length, before);
  });

  it('answers PTR for a container address with its first name; other addresses go upstream', async () => {
    const r = await udpQuery('127.0.0.1', portA, question('2.0.89.10.in-addr.arpa', 'PTR'));
    assert.deepEqual(addressesOf(r), ['web']);
    const before = upstream.asked.length;
    await udpQuery('127.0.0.1', portA, question('2.1.89.10.in-addr.arpa', 'PTR'));
    assert.deepEqual(upstream.asked.slice(before), ['udp 2.1.89.10.in-addr.arpa'], 'netb\'s address is not neta\'s');
  });

  it('keeps each network\'s names to itself', async () => {
    assert.deepEqual(addressesOf(await udpQuery('127.0.0.2', portB, question('cache'))), ['10.89.1.2']);
    const before = upstream.asked.length;
    const leak = await udpQuery('127.0.0.2', portB, question('web'));
    assert.ok(!addressesOf(leak).includes('10.89.0.2'), 'neta\'s web answered on netb');
    const leak2 = await udpQuery('127.0.0.1', portA, question('cache'));
    assert.ok(!addressesOf(leak2).includes('10.89.1.2'), 'netb\'s cache answered on neta');
    assert.deepEqual(upstream.asked.slice(before), ['udp web', 'udp cache'], 'foreign names are forwarded like any unknown name');
  });

  it('answers only the clients the network admits, over UDP and TCP', async () => {
    const port = await serveOnRandomPort(server, 'bh-test-netc', '127.0.0.3', (ip) => ip !== '127.0.0.1');
    server.setRecords('bh-test-netc', new Map([['secret', ['10.89.2.2']]]));
    assert.equal(await udpExchange('127.0.0.3', port, encode(question('secret')), 1000), undefined, 'no answer to an outsider');
    await assert.rejects(tcpQuery('127.0.0.3', port, question('secret')), 'the TCP connection of an outsider is closed');
    await server.unserve('bh-test-netc');
  });

  it('setRecords replaces the set: a removed container stops resolving', async () => {
    server.setRecords('bh-test-netb', new Map([['cache2', ['10.89.1.3']]]));
    assert.deepEqual(addressesOf(await udpQuery('127.0.0.2', portB, question('cache2'))), ['10.89.1.3']);
    assert.ok(!addressesOf(await udpQuery('127.0.0.2', portB, question('cache'))).includes('10.89.1.2'));
    server.setRecords('bh-test-netb', new Map([['cache', ['10.89.1.2']]]));
  });

  it('answers and forwards over TCP', async () => {
    assert.deepEqual(addressesOf(await tcpQuery('127.0.0.1', portA, question('web'))), ['10.89.0.2']);
    const before = upstream.asked.length;
    assert.deepEqual(addressesOf(await tcpQuery('127.0.0.1', portA, question('example.org'))), ['203.0.113.7']);
    assert.deepEqual(upstream.asked.slice(before), ['tcp example.org'], 'a TCP query is forwarded over TCP');
  });

  it('sends a local answer too large for UDP truncated, and whole over TCP', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `10.89.3.${i + 1}`);
    server.setRecords('bh-test-netb', new Map([['cache', ['10.89.1.2']], ['many', many]]));
    const udp = await udpQuery('127.0.0.2', portB, question('many'));
    assert.ok(udp.flag_tc, 'TC set');
    assert.deepEqual(udp.answers, []);
    assert.deepEqual(addressesOf(await tcpQuery('127.0.0.2', portB, question('many'))), many);
    server.setRecords('bh-test-netb', new Map([['cache', ['10.89.1.2']]]));
  });

  it('drops malformed packets and keeps answering', async () => {
    const garbage = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f, 0x61])];
    for (const g of garbage) assert.equal(await udpExchange('127.0.0.1', portA, g, 300), undefined);
    // A response sent to the server is not answered either (that could loop between two responders).
    const response = encode({ type: 'response', id: 7, flags: 0, questions: [{ type: 'A', name: 'web' }] });
    assert.equal(await udpExchange('127.0.0.1', portA, response, 300), undefined);
    assert.deepEqual(addressesOf(await udpQuery('127.0.0.1', portA, question('web'))), ['10.89.0.2']);
  });

  it('rejects invalid records with a clear error', () => {
    assert.throws(() => server.setRecords('bh-test-neta', new Map([['web', ['fe80::1']]])), /not an IPv4 address/);
    assert.throws(() => server.setRecords('bh-test-neta', new Map([['bad..name', ['10.0.0.1']]])), /not a valid name/);
  });
});

describe('network DNS responder: upstream failures', () => {
  const upstream = new FakeUpstream();
  const servers: NetworkDnsServer[] = [];
  before(() => upstream.start());
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await upstream.stop();
  });
  const start = async (upstreams: string[]) => {
    const notices: string[] = [];
    const server = new NetworkDnsServer({ upstreams, searchDomains: [], upstreamTimeoutMs: 400, notice: (m) => notices.push(m) });
    servers.push(server);
    return { port: await serveOnRandomPort(server, 'bh-test-up', '127.0.0.1'), notices };
  };

  it('answers SERVFAIL when every upstream is down, and says so once', async () => {
    const { port, notices } = await start([`127.0.0.1:${await deadPort()}`, `127.0.0.1:${await deadPort()}`]);
    const r = await udpQuery('127.0.0.1', port, question('example.org'));
    assert.equal(rcodeOf(r), SERVFAIL);
    assert.equal(rcodeOf(await tcpQuery('127.0.0.1', port, question('example.org'))), SERVFAIL);
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0], /all upstream resolvers failed/);
  });

  it('moves on to the next upstream when one is down, silent, or answers SERVFAIL', async () => {
    const { port } = await start([`127.0.0.1:${await deadPort()}`, upstream.address]);
    assert.deepEqual(addressesOf(await udpQuery('127.0.0.1', port, question('example.org'))), ['203.0.113.7']);

    const before = upstream.asked.length;
    const twice = await start([upstream.address, upstream.address]);
    const started = Date.now();
    assert.equal(rcodeOf(await udpQuery('127.0.0.1', twice.port, question('silent.example.org'))), SERVFAIL);
    assert.ok(Date.now() - started >= 700, 'each upstream had its timeout');
    assert.equal(rcodeOf(await udpQuery('127.0.0.1', twice.port, question('broken.example.org'))), SERVFAIL);
    assert.deepEqual(upstream.asked.slice(before),
      ['udp silent.example.org', 'udp silent.example.org', 'udp broken.example.org', 'udp broken.example.org']);
  });

  it('passes an upstream NXDOMAIN through as it is, without trying the next upstream', async () => {
    const before = upstream.asked.length;
    const { port } = await start([upstream.address, upstream.address]);
    const r = await udpQuery('127.0.0.1', port, question('nx.example.org'));
    assert.equal(rcodeOf(r), NXDOMAIN);
    assert.deepEqual(upstream.asked.slice(before), ['udp nx.example.org']);
  });
});

describe('network DNS responder: serving', () => {
  const server = new NetworkDnsServer({ upstreams: ['127.0.0.1:9'], searchDomains: [] });
  after(() => server.close());

  it('gives a typed, clear error for an address this host does not have, a busy port, or a bad argument', async () => {
    await assert.rejects(server.serve('bh-test-x', '198.51.100.7', 5353), (err: Error) =>
      errorKind(err) === 'InvalidArgument' && /198\.51\.100\.7:5353: the address is not assigned/.test(err.message));
    const port = await serveOnRandomPort(server, 'bh-test-y', '127.0.0.1');
    await assert.rejects(server.serve('bh-test-z', '127.0.0.1', port), (err: Error) =>
      errorKind(err) === 'Conflict' && /already in use/.test(err.message));
    await assert.rejects(server.serve('bh-test-z', 'localhost', 5353), /not an IP address/);
    await assert.rejects(server.serve('bh-test-z', '127.0.0.1', 0), /not between 1 and 65535/);
    await server.serve('bh-test-y', '127.0.0.1', port); // the same place again: a no-op
    await assert.rejects(server.serve('bh-test-y', '127.0.0.2', port), (err: Error) => errorKind(err) === 'Conflict');
  });

  it('unserve closes the sockets: the port can be bound again', async () => {
    server.setRecords('bh-test-u', new Map([['web', ['10.89.2.2']]]));
    const port = await serveOnRandomPort(server, 'bh-test-u', '127.0.0.1');
    assert.deepEqual(addressesOf(await udpQuery('127.0.0.1', port, question('web'))), ['10.89.2.2']);
    await server.unserve('bh-test-u');
    assert.equal(await udpExchange('127.0.0.1', port, encode(question('web')), 300), undefined);
    const other = new NetworkDnsServer({ upstreams: [], searchDomains: [] });
    try {
      await other.serve('bh-test-u2', '127.0.0.1', port);
    } finally {
      await other.close();
    }
  });
});
