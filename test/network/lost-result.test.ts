// A DEL after a crash mid-ADD rebuilds the result it needs from host-local's lease files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { resultFromLease } from '../../src/network/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bh-test-lease-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('finds the address leased to a CNI container id and interface, and nothing for others', async () => {
  const net = join(dir, 'bh-net1');
  mkdirSync(net);
  writeFileSync(join(net, 'lock'), '');
  writeFileSync(join(net, 'last_reserved_ip.0'), '10.88.0.3');
  writeFileSync(join(net, '10.88.0.2'), 'other-id\r\neth0');
  writeFileSync(join(net, '10.88.0.3'), 'the-id\r\neth0');
  writeFileSync(join(net, '10.88.0.4'), 'the-id\r\neth1');
  assert.deepEqual(await resultFromLease(dir, 'bh-net1', 'the-id', 'eth0', 24),
    { cniVersion: '1.0.0', interfaces: [{ name: 'eth0', sandbox: 'lost' }], ips: [{ address: '10.88.0.3/24', interface: 0 }] });
  assert.equal((await resultFromLease(dir, 'bh-net1', 'the-id', 'eth1', 24) as { ips: Array<{ address: string }> }).ips[0]!.address, '10.88.0.4/24');
  assert.equal(await resultFromLease(dir, 'bh-net1', 'no-such-id', 'eth0', 24), undefined);
  assert.equal(await resultFromLease(dir, 'bh-absent', 'the-id', 'eth0', 24), undefined);
});
