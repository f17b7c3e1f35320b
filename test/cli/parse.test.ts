// The CLI's parsing of docker-style flag values.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind } from '../../src/core/index.js';
import { parseFilters, parseLabels, parseMount, parseTmpfs, parseVolume } from '../../src/cli/parse.js';
import { toCreateRequest } from '../../src/cli/commands/run.js';

const kindOf = (fn: () => unknown) => { try { fn(); } catch (err) { return errorKind(err); } return 'none'; };

it('parses -v in its three forms', () => {
  assert.deepEqual(parseVolume('/src:/dst:ro'), { type: 'bind', source: '/src', target: '/dst', readOnly: true });
  assert.deepEqual(parseVolume('data:/dst'), { type: 'volume', source: 'data', target: '/dst', readOnly: false });
  assert.deepEqual(parseVolume('/data'), { type: 'volume', source: '', target: '/data', readOnly: false });
  for (const bad of ['', 'a:b:c:d', './rel:/x', '/a:/b:xx', 'a/b:/x', '/a::/b']) assert.equal(kindOf(() => parseVolume(bad)), 'InvalidArgument', bad);
});

it('parses --mount and --tmpfs', () => {
  assert.deepEqual(parseMount('type=bind,source=/a,target=/b,readonly'), { type: 'bind', source: '/a', target: '/b', readOnly: true, options: [] });
  assert.deepEqual(parseMount('type=tmpfs,target=/t,tmpfs-size=1m').options, ['size=1048576']);
  assert.equal(kindOf(() => parseMount('type=nfs,target=/x')), 'InvalidArgument');
  assert.equal(kindOf(() => parseMount('type=bind,target=/x')), 'InvalidArgument');
  assert.deepEqual(parseTmpfs('/run:size=64m,mode=1777').options, ['size=64m', 'mode=1777']);
  assert.equal(kindOf(() => parseTmpfs('/run:exec=yes')), 'InvalidArgument');
});

it('parses labels, filters and numbers', () => {
  assert.deepEqual(parseLabels(['a=1', 'b']), { a: '1', b: '' });
  assert.deepEqual(parseFilters(['name=x', 'name=y', 'status=exited']), { name: ['x', 'y'], status: ['exited'] });
  assert.equal(kindOf(() => parseFilters(['nokey'])), 'InvalidArgument');
  const base = { env: [], envFile: [], volume: [], mount: [], tmpfs: [], label: [], annotation: [] };
  assert.equal(kindOf(() => toCreateRequest('b', [], { ...base, memory: '12q' })), 'InvalidArgument');
  assert.equal(kindOf(() => toCreateRequest('b', [], { ...base, cpus: 'two' })), 'InvalidArgument');
  assert.equal(toCreateRequest('b', [], { ...base, memory: '1g' }).resources?.memory, 1024 ** 3);
  assert.deepEqual(toCreateRequest('b', [], { ...base, entrypoint: '' }).entrypoint, []);
  assert.deepEqual(toCreateRequest('b', [], { ...base, annotation: ['a=1', 'b=', 'c=x=y'] }).annotations, { a: '1', b: '', c: 'x=y' });
  assert.equal(toCreateRequest('b', [], base).annotations, undefined);
  for (const bad of ['novalue', '=v']) {
    assert.throws(() => toCreateRequest('b', [], { ...base, annotation: [bad] }), new RegExp(`^InvalidArgumentError: invalid annotation "${bad}": expected KEY=VALUE$`));
  }
});
