// The CLI builds only the commands a call can reach: each lazily built program must hold the command called exactly
// as the full program has it, so that no flag, subcommand or alias depends on which command was called.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram, calledCommand } from '../../src/cli/main.js';

interface Shape { name: string; aliases: string[]; options: string[]; args: string[]; subcommands: Shape[] }

function shape(c: Command): Shape {
  return {
    name: c.name(),
    aliases: c.aliases(),
    options: c.options.map((o) => `${o.flags} ${o.description}`),
    args: c.registeredArguments.map((a) => `${a.name()}${a.variadic ? '...' : ''}${a.required ? '!' : '?'}`),
    subcommands: c.commands.map(shape),
  };
}

const argv = (...args: string[]) => ['node', 'bulkhead', ...args];

it('finds the called command after the program\'s own options', () => {
  assert.equal(calledCommand(['run', '--rm', 'busybox']), 'run');
  assert.equal(calledCommand(['-H', '/s.sock', 'ps', '-a']), 'ps');
  assert.equal(calledCommand(['--host', '/s.sock', '--root', '/r', 'images']), 'images');
  assert.equal(calledCommand(['--host=/s.sock', '-H/other', 'volume', 'ls']), 'volume');
  assert.equal(calledCommand(['--help']), undefined);
  assert.equal(calledCommand(['--no-such-option', 'ps']), undefined);
  assert.equal(calledCommand([]), undefined);
});

it('builds every command, alias and subcommand the same whichever command is called', () => {
  const full = buildProgram(argv());
  const names = full.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  assert.ok(names.length > 40, `only ${names.length} commands in the full program`);
  for (const name of names) {
    const lazy = buildProgram(argv('-H', '/nowhere.sock', name, '--help'));
    const found = lazy.commands.find((c) => c.name() === name || c.aliases().includes(name));
    assert.ok(found, `${name} is missing when it is the command called`);
    const original = full.commands.find((c) => c.name() === name || c.aliases().includes(name))!;
    assert.deepEqual(shape(found), shape(original), `${name} differs when built alone`);
  }
});

it('builds only part of the program for a known command, and all of it otherwise', () => {
  const total = buildProgram(argv()).commands.length;
  assert.ok(buildProgram(argv('run', 'busybox')).commands.length < total / 2, 'run should not need most modules');
  for (const args of [['--help'], ['no-such-command'], ['help', 'run'], []]) {
    assert.equal(buildProgram(argv(...args)).commands.length, total, `${args.join(' ')} must see every command`);
  }
});
