// Conformance suite for the StateStore seam: every implementation must pass it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind, initialState, type ContainerConfig, type ImageRecord } from '../../src/core/index.js';
import type { StateStore } from '../../src/state/index.js';
import { defaultSecurity } from '../../src/engine/validate-security.js';

export function containerConfig(id: string, created = new Date().toISOString()): ContainerConfig {
  return {
    id, created, image: 'busybox', imageId: 'sha256:' + 'a'.repeat(64), entrypoint: [], cmd: ['true'], env: [], workingDir: '/',
    user: '', hostname: id.slice(0, 12), tty: false, openStdin: false, labels: {}, mounts: [], readOnlyRootfs: false,
    network: 'none', networks: [], ports: [], publishAll: false, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [], autoRemove: false, stopSignal: 'SIGTERM', stopTimeout: 10, runtime: 'runc', resources: {},
    security: defaultSecurity(),
  };
}

function image(id: string, names: string[]): ImageRecord {
  return { id, names, created: '2026-01-01T00:00:00Z', size: 1, layers: [],
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } } };
}

export function stateSuite(name: string, open: () => StateStore): void {
  describe(`StateStore conformance: ${name}`, () => {
    it('adds, finds by name, id and prefix, and lists containers newest first', () => {
      const s = open();
      s.addContainer('one', containerConfig('a1'.padEnd(64, '0'), '2026-01-01T00:00:00Z'), initialState());
      s.addContainer('two', containerConfig('b2'.padEnd(64, '0'), '2026-01-02T00:00:00Z'), initialState());
      assert.equal(s.lookupContainer('one').config.id, 'a1'.padEnd(64, '0'));
      assert.equal(s.lookupContainer('b2').name, 'two');
      assert.equal(s.lookupContainer('/two').name, 'two');
      assert.deepEqual(s.listContainers().map((c) => c.name), ['two', 'one']);
      assert.equal(errorKind(catchErr(() => s.lookupContainer('nope'))), 'NotFound');
      s.close();
    });

    it('finds the containers whose links point at a container, and no other', () => {
      const s = open();
      const target = 'f1'.padEnd(64, '0');
      s.addContainer('target', containerConfig(target), initialState());
      s.addContainer('linker', { ...containerConfig('f2'.padEnd(64, '0')), links: [{ id: target, alias: 'db' }] }, initialState());
      s.addContainer('other', { ...containerConfig('f3'.padEnd(64, '0')), labels: { note: target } }, initialState());
      assert.deepEqual(s.containersLinkingTo(target).map((c) => c.name), ['linker']);
      assert.deepEqual(s.containersLinkingTo('f2'.padEnd(64, '0')), []);
      s.close();
    });

    it('refuses a duplicate name and an ambiguous prefix', () => {
      const s = open();
      s.addContainer('dup', containerConfig('c'.repeat(64)), initialState());
      assert.equal(errorKind(catchErr(() => s.addContainer('dup', containerConfig('d'.repeat(64)), initialState()))), 'AlreadyExists');
      s.addContainer('other', containerConfig('c'.repeat(63) + 'e'), initialState());
      assert.equal(errorKind(catchErr(() => s.lookupContainer('ccc'))), 'InvalidArgument');
      s.close();
    });

    it('keeps config apart from state and renames without losing either', () => {
      const s = open();
      const id = 'e'.repeat(64);
      s.addContainer('x', containerConfig(id), initialState());
      s.saveState(id, { ...initialState(), status: 'running', pid: 42 });
      s.rename(id, 'y');
      const rec = s.lookupContainer('y');
      assert.equal(rec.state.pid, 42);
      assert.deepEqual(rec.config.cmd, ['true']);
      assert.equal(errorKind(catchErr(() => s.saveState('f'.repeat(64), initialState()))), 'NotFound');
      s.removeContainer(id);
      assert.equal(s.getContainer(id), undefined);
      s.close();
    });

    it('reads back a write that need not be durable like any other', () => {
      const s = open();
      const id = 'd'.repeat(64);
      s.addContainer('lazy', containerConfig(id), initialState());
      s.saveState(id, { ...initialState(), status: 'removing', exitCode: 3 }, { durable: false });
      assert.deepEqual([s.getContainer(id)?.state.status, s.getContainer(id)?.state.exitCode], ['removing', 3]);
      assert.equal(errorKind(catchErr(() => s.saveState('f'.repeat(64), initialState(), { durable: false }))), 'NotFound');
      s.removeContainer(id, { durable: false });
      assert.equal(s.getContainer(id), undefined);
      s.close();
    });

    it('flushes for any number of callers at once, with writes made during a flush', async () => {
      const s = open();
      await s.flush(); // nothing written yet
      const id = 'a'.repeat(64);
      s.addContainer('flushed', containerConfig(id), initialState(), { durable: false });
      const first = s.flush();
      s.saveState(id, { ...initialState(), status: 'running', pid: 7 }, { durable: false });
      await Promise.all([first, s.flush(), s.flush()]);
      assert.equal(s.getContainer(id)?.state.pid, 7);
      s.close();
    });

    it('rolls back a failed transaction', () => {
      const s = open();
      assert.throws(() => s.transaction(() => {
        s.addContainer('tx', containerConfig('1'.repeat(64)), initialState());
        throw new Error('boom');
      }));
      assert.equal(s.listContainers().length, 0);
      s.close();
    });

    it('stores images with names that move between images', () => {
      const s = open();
      s.putImage(image('sha256:1', ['docker.io/library/a:latest']));
      s.putImage(image('sha256:2', []));
      s.setImageName('docker.io/library/a:latest', 'sha256:2');
      assert.deepEqual(s.getImage('sha256:1')?.names, []);
      assert.deepEqual(s.getImage('sha256:2')?.names, ['docker.io/library/a:latest']);
      assert.equal(s.imageIdByName('docker.io/library/a:latest'), 'sha256:2');
      s.deleteImage('sha256:2');
      assert.equal(s.imageIdByName('docker.io/library/a:latest'), undefined);
      assert.equal(s.listImages().length, 1);
      s.close();
    });

    it('stores networks, refuses duplicate names, and keeps attachments per container in order', () => {
      const s = open();
      const net = { id: 'a'.repeat(63) + '1', name: 'front', driver: 'bridge' as const, bridge: 'bh-nnn', subnet: '10.1.0.0/24',
        gateway: '10.1.0.1', internal: false, labels: {}, options: {}, created: '', isDefault: false };
      s.addNetwork(net);
      assert.equal(errorKind(catchErr(() => s.addNetwork({ ...net, id: 'b'.repeat(64) }))), 'AlreadyExists');
      assert.equal(s.lookupNetwork('front').id, net.id);
      assert.equal(s.lookupNetwork('aaa').name, 'front');
      assert.equal(errorKind(catchErr(() => s.lookupNetwork('back'))), 'NotFound');
      const a = { containerId: 'c1', networkId: net.id, ifname: 'eth0', netns: '/x', status: 'adding' as const, ip: '', prefixLen: 24,
        mac: '', hostVeth: '', aliases: [], ports: [] };
      s.saveAttachment(a);
      s.saveAttachment({ ...a, containerId: 'c2' });
      s.saveAttachment({ ...a, status: 'attached', ip: '10.1.0.2' });
      assert.deepEqual(s.listAttachments().map((x) => [x.containerId, x.status]), [['c1', 'attached'], ['c2', 'adding']]);
      assert.equal(s.listAttachments('c1')[0]!.ip, '10.1.0.2');
      s.removeAttachment('c1', net.id);
      assert.deepEqual(s.listAttachments().map((x) => x.containerId), ['c2']);
      s.removeNetwork(net.id);
      assert.deepEqual(s.listNetworks(), []);
      s.close();
    });

    it('keeps allocations by container, replacing on save and rolling back with a failed transaction', () => {
      const s = open();
      s.saveAllocation({ containerId: 'c2', cpus: [1], memoryGuaranteed: 0 });
      s.saveAllocation({ containerId: 'c1', cpus: [], memoryGuaranteed: 1024 });
      s.saveAllocation({ containerId: 'c2', cpus: [1, 2], memoryGuaranteed: 0 });
      assert.deepEqual(s.listAllocations().map((a) => [a.containerId, a.cpus]), [['c1', []], ['c2', [1, 2]]]);
      assert.throws(() => s.transaction(() => { s.removeAllocation('c1'); throw new Error('boom'); }), /boom/);
      assert.equal(s.listAllocations().length, 2);
      s.removeAllocation('c1');
      s.removeAllocation('c1');
      assert.deepEqual(s.listAllocations().map((a) => a.containerId), ['c2']);
      s.close();
    });

    it('stores volumes and refuses duplicates', () => {
      const s = open();
      const v = { name: 'data', driver: 'local' as const, mountpoint: '/x', labels: {}, created: '' };
      s.addVolume(v);
      assert.equal(errorKind(catchErr(() => s.addVolume(v))), 'AlreadyExists');
      assert.deepEqual(s.listVolumes().map((x) => x.name), ['data']);
      s.removeVolume('data');
      assert.equal(s.getVolume('data'), undefined);
      s.close();
    });
  });
}

function catchErr(fn: () => unknown): unknown {
  try { fn(); } catch (err) { return err; }
  throw new Error('expected an error');
}
