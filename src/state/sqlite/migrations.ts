// Schema migrations, applied in order at open time inside one transaction each. The schema version is SQLite's
// user_version; a database newer than this engine is refused rather than silently misread.
import type Database from 'better-sqlite3';
import { StateInvalidError } from '../../core/index.js';

// Append only: a released migration is never edited, a new change is a new entry.
const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  // 1: containers keep their immutable config apart from their mutable state.
  (db) => db.exec(`
    CREATE TABLE containers (
      id      TEXT PRIMARY KEY,
      name    TEXT NOT NULL UNIQUE,
      config  TEXT NOT NULL,
      state   TEXT NOT NULL,
      created TEXT NOT NULL
    );
    CREATE TABLE images (
      id     TEXT PRIMARY KEY,
      record TEXT NOT NULL
    );
    CREATE TABLE image_names (
      name     TEXT PRIMARY KEY,
      image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
    );
    CREATE INDEX image_names_by_image ON image_names(image_id);
    CREATE TABLE volumes (
      name   TEXT PRIMARY KEY,
      record TEXT NOT NULL
    );
  `),
  // 2: container configs gain `security`. Containers created before it ran without seccomp and with
  // no-new-privileges off, so they keep exactly that: a migration never changes what an existing container gets.
  (db) => {
    const rows = db.prepare('SELECT id, config FROM containers').all() as Array<{ id: string; config: string }>;
    const update = db.prepare('UPDATE containers SET config = ? WHERE id = ?');
    for (const row of rows) {
      const config = JSON.parse(row.config) as Record<string, unknown>;
      if (config.security) continue;
      config.security = {
        privileged: false, capAdd: [], capDrop: [], seccomp: 'unconfined', noNewPrivileges: false, groupAdd: [],
        devices: [], sysctls: {}, pid: 'private', ipc: 'private', uts: 'private', userns: 'host',
      };
      update.run(JSON.stringify(config), row.id);
    }
  },
  // 3: networks and attachments. Existing containers get empty network fields and keep network "none", so they
  // keep the private, unconnected namespace they always had.
  (db) => {
    db.exec(`
      CREATE TABLE networks (
        id     TEXT PRIMARY KEY,
        name   TEXT NOT NULL UNIQUE,
        record TEXT NOT NULL
      );
      CREATE TABLE network_attachments (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        container_id TEXT NOT NULL,
        network_id   TEXT NOT NULL,
        record       TEXT NOT NULL,
        UNIQUE (container_id, network_id)
      );
    `);
    const rows = db.prepare('SELECT id, config FROM containers').all() as Array<{ id: string; config: string }>;
    const update = db.prepare('UPDATE containers SET config = ? WHERE id = ?');
    for (const row of rows) {
      const config = JSON.parse(row.config) as Record<string, unknown>;
      if (Array.isArray(config.networks)) continue;
      Object.assign(config, { networks: [], ports: [], publishAll: false, dns: [], dnsSearch: [], dnsOptions: [], extraHosts: [] });
      update.run(JSON.stringify(config), row.id);
    }
  },
  // 4: what the allocator handed out (exclusive CPUs, guaranteed memory), one row per container holding any.
  // Existing containers held nothing, so the table starts empty.
  (db) => db.exec(`
    CREATE TABLE allocations (
      container_id TEXT PRIMARY KEY,
      record       TEXT NOT NULL
    );
  `),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new StateInvalidError(`state database has schema version ${current}, newer than this engine's ${SCHEMA_VERSION}: upgrade bulkhead`);
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      MIGRATIONS[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
