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

it('sqlite goes back to an fsync per write after one that need not be durable, even a failed one', () => {
  const s = new SqliteStateStore(join(dir, 'sync.db'));
  const FULL = 2;
  assert.equal(s.synchronousMode(), FULL);
  s.addContainer('x', containerConfig('8'.repeat(64)), initialState());
  s.saveState('8'.repeat(64), { ...initialState(), status: 'removing' }, { durable: false });
  assert.equal(s.synchronousMode(), FULL);
  assert.throws(() => s.saveState('6'.repeat(64), initialState(), { durable: false }), (err) => errorKind(err) === 'NotFound');
  assert.equal(s.synchronousMode(), FULL);
  s.removeContainer('8'.repeat(64), { durable: false });
  assert.equal(s.synchronousMode(), FULL);
  s.close();
  const reopened = new SqliteStateStore(join(dir, 'sync.db'));
  assert.equal(reopened.getContainer('8'.repeat(64)), undefined, 'the deletion survived closing');
  reopened.close();
});

it('sqlite refuses a database from a newer engine', () => {
  const path = join(dir, 'newer.db');
  const raw = new Database(path);
  raw.pragma('user_version = 99');
  raw.close();
  assert.throws(() => new SqliteStateStore(path), (err) => errorKind(err) === 'StateInvalid');
});

it('migrates a version 1 database: old containers keep the confinement they were created with', () => {
  const path = join(dir, 'v1.db');
  const raw = new Database(path);
  raw.exec(`CREATE TABLE containers (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, config TEXT NOT NULL, state TEXT NOT NULL, created TEXT NOT NULL);
    CREATE TABLE images (id TEXT PRIMARY KEY, record TEXT NOT NULL);
    CREATE TABLE image_names (name TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);
    CREATE INDEX image_names_by_image ON image_names(image_id);
    CREATE TABLE volumes (name TEXT PRIMARY KEY, record TEXT NOT NULL);`);
  const { security: _dropped, ...v1config } = containerConfig('7'.repeat(64));
  raw.prepare('INSERT INTO containers VALUES (?, ?, ?, ?, ?)').run('7'.repeat(64), 'old', JSON.stringify(v1config), JSON.stringify(initialState()), v1config.created);
  raw.pragma('user_version = 1');
  raw.close();
  const s = new SqliteStateStore(path);
  const sec = s.lookupContainer('old').config.security;
  assert.equal(sec.seccomp, 'unconfined');
  assert.equal(sec.noNewPrivileges, false);
  assert.equal(sec.privileged, false);
  assert.equal(s.schemaVersion(), 4);
  assert.deepEqual(s.lookupContainer('old').config.networks, []);
  assert.equal(s.lookupContainer('old').config.network, 'none');
  assert.deepEqual(s.listAllocations(), []);
  s.close();
});
