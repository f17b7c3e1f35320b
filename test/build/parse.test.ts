// Containerfile parsing and substitution, without an engine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContainerfile } from '../../src/build/parse.js';
import { expandWord, expandWords, keyValuePairs } from '../../src/build/expand.js';
import { IgnoreMatcher } from '../../src/build/ignore.js';

describe('Containerfile parser', () => {
  it('joins continuations, drops comments and keeps the starting line', () => {
    const f = parseContainerfile('# top comment\nFROM busybox\n\nRUN echo a \\\n  # inside\n  && echo b\nCMD ["sh", "-c", "x"]\n');
    assert.deepEqual(f.instructions.map((i) => [i.line, i.name]), [[2, 'FROM'], [4, 'RUN'], [7, 'CMD']]);
    assert.equal(f.instructions[1]!.args, 'echo a   && echo b');
    assert.deepEqual(f.instructions[2]!.json, ['sh', '-c', 'x']);
  });

  it('honours the escape directive', () => {
    const f = parseContainerfile('# escape=`\nFROM busybox\nRUN echo a `\n b\n');
    assert.equal(f.escape, '`');
    assert.equal(f.instructions[1]!.args, 'echo a  b');
  });

  it('treats a non-JSON bracket as shell form and parses flags', () => {
    const f = parseContainerfile('FROM busybox AS b\nRUN [ -f /x ] || true\nCOPY --from=b --chown=1:2 /a /b\n');
    assert.equal(f.instructions[1]!.json, undefined);
    assert.deepEqual(f.instructions[2]!.flags, { from: 'b', chown: '1:2' });
    assert.equal(f.instructions[2]!.args, '/a /b');
  });

  it('reports an unknown instruction and bad syntax with the line number', () => {
    assert.throws(() => parseContainerfile('FROM busybox\n\nFROOB x\n'), /line 3: unknown instruction: FROOB/);
    assert.throws(() => parseContainerfile('FROM busybox\nCOPY onlyone\n'), /line 2: COPY needs at least one source/);
    assert.throws(() => parseContainerfile('RUN true\nFROM busybox\n'), /line 1: RUN before the first FROM/);
    assert.throws(() => parseContainerfile('FROM a b c d\n'), /line 1: FROM expects/);
    assert.throws(() => parseContainerfile('FROM busybox\nSHELL sh -c\n'), /line 2: SHELL needs a JSON array/);
  });
});

describe('substitution', () => {
  const vars = new Map([['A', 'one'], ['E', '']]);
  it('expands $VAR, ${VAR}, :- and :+', () => {
    assert.equal(expandWord('$A-${A}-${B:-def}-${A:+alt}-${E:+alt}-${E:-empty}', vars), 'one-one-def-alt--empty');
  });
  it('keeps single quotes literal and escapes $', () => {
    assert.deepEqual(expandWords(`'$A' "$A b" \\$A`, vars), ['$A', 'one b', '$A']);
  });
  it('splits KEY=VALUE pairs and the legacy form', () => {
    assert.deepEqual(keyValuePairs('X="a b" Y=$A', vars, '\\', true), [['X', 'a b'], ['Y', 'one']]);
    assert.deepEqual(keyValuePairs('X a b', vars, '\\', true), [['X', 'a b']]);
  });
});

describe('.dockerignore', () => {
  it('excludes by glob, directory and exception, last match wins', () => {
    const m = new IgnoreMatcher('# c\n*.log\nbuild\n!build/keep.txt\n**/tmp\n');
    assert.equal(m.ignored('a.log'), true);
    assert.equal(m.ignored('sub/a.log'), false);
    assert.equal(m.ignored('build/x'), true);
    assert.equal(m.ignored('build/keep.txt'), false);
    assert.equal(m.ignored('deep/er/tmp/f'), true);
    assert.equal(m.ignored('src/main.c'), false);
  });
});
