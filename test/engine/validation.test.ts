// Validation of what users send: request shapes, create intent, daemon config, units.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorKind, parseDuration, parseSize, type ImageRecord } from '../../src/core/index.js';
import { checkCreateRequest, checkExecRequest } from '../../src/engine/request-shape.js';
import { buildContainerConfig, mergeEnv } from '../../src/engine/validate-create.js';
import { loadDaemonConfig } from '../../src/engine/daemon-config.js';
import type { CreateRequest } from '../../src/engine/types.js';
import { logLimits } from '../../src/engine/logs/index.js';
import { linkEnv, parseLink } from '../../src/engine/containers/links.js';

const kindOf = (fn: () => unknown) => { try { fn(); } catch (err) { return errorKind(err); } return 'none'; };
const image: ImageRecord = {
  id: 'sha256:' + 'a'.repeat(64), names: [], created: '', size: 0, layers: [],
  config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Cmd: ['sh'], Env: ['PATH=/bin', 'A=1'] } },
};

it('refuses request bodies of the wrong shape, naming the field', () => {
  assert.throws(() => checkCreateRequest({ image: 'busybox', cmd: 'ls' }), /"cmd" must be an array of strings/);
  assert.throws(() => checkCreateRequest({ image: 5 }), /"image" must be a string/);
  assert.throws(() => checkCreateRequest({}), /"image" is required/);
  assert.throws(() => checkCreateRequest({ image: 'x', bogus: 1 }), /unknown field "bogus"/);
  assert.throws(() => checkCreateRequest({ image: 'x', mounts: [{ type: 'nfs', target: '/a' }] }), /unknown mount type/);
  assert.throws(() => checkCreateRequest([]), /JSON object/);
  assert.throws(() => checkExecRequest({ cmd: [1] }), /"cmd" must be an array of strings/);
  assert.throws(() => checkCreateRequest({ image: 'x', init: 'yes' }), /"init" must be true or false/);
  assert.throws(() => checkCreateRequest({ image: 'x', annotations: { a: 1 } }), /"annotations" must be an object of strings/);
  assert.deepEqual(checkCreateRequest({ image: 'x', mounts: [], cmd: [] }).image, 'x');
});

it('merges image and user settings the way docker does', () => {
  const { config } = buildContainerConfig({ image: 'b', env: ['A=2', 'B=3'] }, image, { runtime: 'runc' });
  assert.deepEqual(config.cmd, ['sh']);
  assert.deepEqual(config.env, ['PATH=/bin', 'A=2', 'B=3']);
  const ep = buildContainerConfig({ image: 'b', entrypoint: ['/bin/echo'] }, image, { runtime: 'runc' }).config;
  assert.deepEqual([ep.entrypoint, ep.cmd], [['/bin/echo'], []], 'a new entrypoint drops the image cmd');
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['A']), ['B=2']);
  const plain = buildContainerConfig({ image: 'b', init: false, annotations: {} }, image, { runtime: 'runc' }).config;
  assert.deepEqual([plain.init, plain.annotations], [undefined, undefined], 'no init and no annotations leave the stored config as before');
});

it('refuses bad create intent with InvalidArgument', () => {
  const bad: CreateRequest[] = [
    { image: 'b', name: 'bad name' }, { image: 'b', network: 'bad network!' }, { image: 'b', stopSignal: 'sig term' },
    { image: 'b', workingDir: 'relative' }, { image: 'b', hostname: '-bad' }, { image: 'b', network: 'host', hostname: 'x' },
    { image: 'b', mounts: [{ type: 'bind' as const, source: 'rel', target: '/x', readOnly: false }] },
    { image: 'b', mounts: [{ type: 'tmpfs' as const, source: '', target: '/', readOnly: false }] },
    { image: 'b', runtime: 'crun' }, { image: 'b', env: ['=x'] },
    { image: 'b', annotations: { '': 'x' } }, { image: 'b', annotations: { 'org.criu.config': '/x' } },
    { image: 'b', init: true, mounts: [{ type: 'tmpfs' as const, source: '', target: '/sbin/docker-init', readOnly: false }] },
  ];
  for (const req of bad) assert.equal(kindOf(() => buildContainerConfig(req, image, { runtime: 'runc' })), 'InvalidArgument', JSON.stringify(req));
  const noCmd = { ...image, config: { ...image.config, config: {} } };
  assert.throws(() => buildContainerConfig({ image: 'b' }, noCmd, { runtime: 'runc' }), /no command specified/);
});

it('reads log options as docker\'s json-file does, and refuses the others naming them', () => {
  const limits = (logOptions: Record<string, string>) => logLimits(buildContainerConfig({ image: 'b', logOptions }, image, { runtime: 'runc' }).config);
  assert.deepEqual(limits({ 'max-size': '10m' }), { maxSize: 10_000_000, maxFile: 1 }, 'decimal units, max-file 1 by default');
  assert.deepEqual(limits({ 'max-size': '1.5k', 'max-file': '3' }), { maxSize: 1500, maxFile: 3 });
  assert.deepEqual(limits({ 'max-size': '2MiB' }), { maxSize: 2_000_000, maxFile: 1 }, 'as go-units FromHumanSize reads it');
  assert.equal(buildContainerConfig({ image: 'b', logOptions: {} }, image, { runtime: 'runc' }).config.logOptions, undefined);
  assert.equal(logLimits(buildContainerConfig({ image: 'b' }, image, { runtime: 'runc' }).config), undefined, 'no options: no limit');
  for (const [opts, message] of [[{ 'max-size': '-1' }, /max-size "-1"/], [{ 'max-size': '10x' }, /max-size "10x"/],
    [{ 'max-size': '1k', 'max-file': '1.5' }, /max-file "1.5"/], [{ 'max-file': '2' }, /max-file needs max-size/],
    [{ tag: 'x' }, /"tag" is not supported/], [{ 'max_size': '1m' }, /unknown log option "max_size=1m"/]] as Array<[Record<string, string>, RegExp]>) {
    assert.throws(() => buildContainerConfig({ image: 'b', logOptions: opts }, image, { runtime: 'runc' }), message);
  }
  assert.throws(() => checkCreateRequest({ image: 'b', logOptions: { 'max-file': 2 } }), /"logOptions" must be an object of strings/);
});

it('parses sizes and durations and refuses malformed ones', () => {
  assert.equal(parseSize('64m'), 64 * 1024 * 1024);
  assert.equal(parseSize('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('10'), 10_000);
  for (const s of ['', 'm', '12q', '-1m']) assert.equal(kindOf(() => parseSize(s)), 'InvalidArgument', s);
  for (const d of ['', 's', '10x', '1m30']) assert.equal(kindOf(() => parseDuration(d)), 'InvalidArgument', d);
});

it('loads the daemon config file and refuses unknown keys and bad JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bh-test-cfg-'));
  try {
    const f = join(dir, 'daemon.json');
    writeFileSync(f, '{"runtime":"crun"}');
    assert.deepEqual(await loadDaemonConfig(f), { runtime: 'crun' });
    writeFileSync(f, '{"runtim":"crun"}');
    await assert.rejects(loadDaemonConfig(f), /unknown key "runtim"/);
    writeFileSync(f, '{"runtime":1}');
    await assert.rejects(loadDaemonConfig(f), /"runtime" must be a string/);
    writeFileSync(f, '{');
    await assert.rejects(loadDaemonConfig(f), /not valid JSON/);
    writeFileSync(f, '{"reservedCpus":"0-1","memoryReserve":"2g","fullPhysicalCores":true,"memoryLimitsAreGuarantees":false}');
    assert.equal((await loadDaemonConfig(f)).fullPhysicalCores, true);
    writeFileSync(f, '{"reservedCpus":"zero"}');
    await assert.rejects(loadDaemonConfig(f), /"reservedCpus" must be a CPU list/);
    writeFileSync(f, '{"memoryReserve":"lots"}');
    await assert.rejects(loadDaemonConfig(f), /memoryReserve/);
    writeFileSync(f, '{"fullPhysicalCores":"yes"}');
    await assert.rejects(loadDaemonConfig(f), /"fullPhysicalCores" must be true or false/);
    writeFileSync(f, '{"initPath":"tini"}');
    await assert.rejects(loadDaemonConfig(f), /"initPath" must be an absolute path, not "tini"/);
    writeFileSync(f, '{"logOpts":{"max-size":"10m","max-file":"3"}}');
    assert.deepEqual((await loadDaemonConfig(f)).logOpts, { 'max-size': '10m', 'max-file': '3' });
    writeFileSync(f, '{"logOpts":{"max-size":"10m","max-file":3}}');
    await assert.rejects(loadDaemonConfig(f), /"logOpts" values must be strings/);
    writeFileSync(f, '{"logOpts":{"max-size":"big"}}');
    await assert.rejects(loadDaemonConfig(f), /"logOpts": invalid log option max-size "big"/);
    await assert.rejects(loadDaemonConfig(join(dir, 'missing.json')), /cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('reads --link as docker does and builds its variables: ports TCP first, consecutive ones also as a range', () => {
  assert.deepEqual(parseLink('db'), { ref: 'db', alias: 'db' });
  assert.deepEqual(parseLink('my-db:store'), { ref: 'my-db', alias: 'store' });
  assert.deepEqual(parseLink('/my-db:/web/store'), { ref: 'my-db', alias: 'store' }, "docker's stored form");
  for (const spec of ['', 'a:b:c', ':x', 'a:', 'a:b/c', 'a:-x']) {
    assert.throws(() => parseLink(spec), (e) => errorKind(e) === 'InvalidArgument' && /invalid --link/.test(String(e)), spec);
  }
  const target = { name: 'db', config: { env: ['PATH=/bin', 'HOME=/root', 'ROLE=a=b'], exposedPorts: ['53/udp', '81', '80/tcp'],
    ports: [{ hostIp: '', hostPort: 0, containerPort: 90, protocol: 'tcp' }] } } as unknown as Parameters<typeof linkEnv>[3];
  const p = (n: string, port: number, proto = 'tcp') => [`${n}=${proto}://10.0.0.2:${port}`, `${n}_ADDR=10.0.0.2`, `${n}_PORT=${port}`, `${n}_PROTO=${proto}`];
  assert.deepEqual(linkEnv('/web/my-db', 'my-db', '10.0.0.2', target), [
    'MY_DB_PORT=tcp://10.0.0.2:80',
    ...p('MY_DB_PORT_80_TCP', 80), ...p('MY_DB_PORT_81_TCP', 81),
    // As moby's loop: a range is written when the port after it (here 90) is reached.
    ...p('MY_DB_PORT_90_TCP', 90),
    'MY_DB_PORT_80_TCP_START=tcp://10.0.0.2:80', 'MY_DB_PORT_80_TCP_PORT_START=80', 'MY_DB_PORT_80_TCP_END=tcp://10.0.0.2:81', 'MY_DB_PORT_80_TCP_PORT_END=81',
    ...p('MY_DB_PORT_53_UDP', 53, 'udp'),
    'MY_DB_NAME=/web/my-db', 'MY_DB_ENV_ROLE=a=b',
  ]);
});
