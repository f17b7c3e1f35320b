import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStateStore, SqliteStateStore } from '../../src/state/index.js';
import { errorKind, initialState } from '../../src/core/index.js';
import { stateSuite, containerConfig } from './state-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'bh-test-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

stateSuite('memory', () => new MemoryStateStore());
stateSuite('sqlite', () => new SqliteStateStore(join(dir, `s${n++}.db`)));

it('sqlite state survives reopening and uses WAL', () => {
  const path = join(dir, 'reopen.db');
  const a = new SqliteStateStore(path);
  a.addContainer('keep', containerConfig('9'.repeat(64)), initialState());
  a.close();
  const b = new SqliteStateStore(path);
  assert.equal(b.lookupContainer('keep').config.id, '9'.repeat(64));
  b.close();
  const raw = new Database(path);
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
});

it('sqlite refuses a database from a newer engine', () => {
  const path = join(dir, 'newer.db');
  const raw = new Database(path);
  raw.pragma('user_version = 99');
  raw.close();
  assert.throws(() => new SqliteStateStore(path), (err) => errorKind(err) === 'StateInvalid');
});
