// SQLite-backed state (better-sqlite3 12). WAL mode, so a crash or SIGKILL never tears a write, with
// synchronous=FULL (an fsync per commit) except for the writes the engine marks `durable: false`, which a later
// flush() or fsync takes to the disk; each public method is one transaction, and transaction() nests several into one.
import Database from 'better-sqlite3';
import { open } from 'node:fs/promises';
import { AlreadyExistsError, NotFoundError, errnoCode, type ContainerConfig, type ContainerRecord, type ContainerState,
  type ImageRecord, type VolumeRecord } from '../../core/index.js';
import { withNetworkDefaults } from '../../core/index.js';
import type { AttachmentRecord, NetworkRecord } from '../../network/types.js';
import type { Allocation } from '../../resources/types.js';
import type { StateStore, WriteOptions } from '../types.js';
import { lookupByRef } from '../lookup.js';
import { SCHEMA_VERSION, migrate } from './migrations.js';

interface ContainerRow { id: string; name: string; config: string; state: string }

function toRecord(row: ContainerRow): ContainerRecord {
  return { name: row.name, config: withNetworkDefaults(JSON.parse(row.config) as ContainerConfig), state: JSON.parse(row.state) as ContainerState };
}

export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  private readonly walPath: string;
  /** Writes made without their own fsync so far, and how many of them the last finished flush covered. */
  private unsynced = 0;
  private synced = 0;
  private syncing?: Promise<void>;

  constructor(path: string) {
    this.db = new Database(path);
    this.walPath = `${path}-wal`;
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
  }

  /**
   * The prepared statement for a query text, compiled once: compiling is most of the cost of the small queries
   * every container operation makes (and the texts are a fixed set, so the cache stays small).
   */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  private readonly statements = new Map<string, Database.Statement>();

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Runs a write without its fsync when the caller allows it: a commit in WAL mode with synchronous=NORMAL is
   * still atomic and survives a crash of the daemon, and the next synchronous=FULL commit's fsync of the WAL takes
   * it to the disk too. (A commit's fsync costs 1-4 ms on the project's VM and blocks the event loop.) The
   * setting is per connection and read when a transaction commits, so it goes back to FULL at once.
   */
  private write<T>(opts: WriteOptions | undefined, fn: () => T): T {
    // Inside a transaction the enclosing commit decides (SQLite refuses to change the setting there).
    if (opts?.durable !== false || this.db.inTransaction) return fn();
    this.db.exec('PRAGMA synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.db.exec('PRAGMA synchronous = FULL');
      this.unsynced++;
    }
  }

  async flush(): Promise<void> {
    const target = this.unsynced;
    while (this.synced < target) {
      this.syncing ??= this.syncWal().finally(() => { this.syncing = undefined; });
      await this.syncing;
    }
  }

  /**
   * fdatasync of the WAL on a pool thread. A commit stays in the WAL until a checkpoint copies it into the
   * database file, and the checkpoint syncs that file itself; with no WAL file, everything is there already.
   */
  private async syncWal(): Promise<void> {
    const upTo = this.unsynced;
    try {
      const wal = await open(this.walPath, 'r');
      try {
        await wal.datasync();
      } finally {
        await wal.close();
      }
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    this.synced = upTo;
  }

  schemaVersion(): number {
    return SCHEMA_VERSION;
  }

  close(): void {
    this.db.close();
  }

  // --- containers ---

  addContainer(name: string, config: ContainerConfig, state: ContainerState, opts?: WriteOptions): void {
    this.write(opts, () => this.transaction(() => {
      if (this.sql('SELECT 1 FROM containers WHERE name = ?').get(name)) {
        throw new AlreadyExistsError(`container name "${name}" is already in use`);
      }
      this.sql('INSERT INTO containers (id, name, config, state, created) VALUES (?, ?, ?, ?, ?)')
        .run(config.id, name, JSON.stringify(config), JSON.stringify(state), config.created);
    }));
  }

  getContainer(id: string): ContainerRecord | undefined {
    const row = this.sql('SELECT * FROM containers WHERE id = ?').get(id) as ContainerRow | undefined;
    return row && toRecord(row);
  }

  lookupContainer(ref: string): ContainerRecord {
    return lookupByRef(ref,
      (name) => {
        const row = this.sql('SELECT * FROM containers WHERE name = ?').get(name) as ContainerRow | undefined;
        return row && toRecord(row);
      },
      (prefix) => (this.sql('SELECT * FROM containers WHERE id LIKE ? LIMIT 2').all(`${prefix}%`) as ContainerRow[]).map(toRecord));
  }

  listContainers(): ContainerRecord[] {
    return (this.sql('SELECT * FROM containers ORDER BY created DESC').all() as ContainerRow[]).map(toRecord);
  }

  containersLinkingTo(id: string): ContainerRecord[] {
    // SQLite's instr() passes over the JSON text: only the rows that name the id (few) are parsed, and checked.
    return (this.sql('SELECT * FROM containers WHERE id <> ? AND instr(config, ?) > 0').all(id, `"${id}"`) as ContainerRow[])
      .map(toRecord).filter((c) => c.config.links?.some((l) => l.id === id));
  }

  saveState(id: string, state: ContainerState, opts?: WriteOptions): void {
    this.write(opts, () => this.mustChange(this.sql('UPDATE containers SET state = ? WHERE id = ?').run(JSON.stringify(state), id), id));
  }

  saveConfig(id: string, config: ContainerConfig): void {
    this.mustChange(this.sql('UPDATE containers SET config = ? WHERE id = ?').run(JSON.stringify(config), id), id);
  }

  rename(id: string, newName: string): void {
    this.transaction(() => {
      const holder = this.sql('SELECT id FROM containers WHERE name = ?').get(newName) as { id: string } | undefined;
      if (holder && holder.id !== id) throw new AlreadyExistsError(`container name "${newName}" is already in use`);
      this.mustChange(this.sql('UPDATE containers SET name = ? WHERE id = ?').run(newName, id), id);
    });
  }

  removeContainer(id: string, opts?: WriteOptions): void {
    this.write(opts, () => this.sql('DELETE FROM containers WHERE id = ?').run(id));
  }

  /** The connection's synchronous setting (2 is FULL), for the tests. */
  synchronousMode(): number {
    return this.db.pragma('synchronous', { simple: true }) as number;
  }

  private mustChange(result: Database.RunResult, id: string): void {
    if (result.changes === 0) throw new NotFoundError(`no such container: ${id}`);
  }

  // --- images ---

  putImage(image: ImageRecord): void {
    this.transaction(() => {
      const { names, ...rest } = image;
      this.sql('INSERT OR REPLACE INTO images (id, record) VALUES (?, ?)').run(image.id, JSON.stringify(rest));
      for (const name of names) this.setImageName(name, image.id);
    });
  }

  getImage(id: string): ImageRecord | undefined {
    const row = this.sql('SELECT record FROM images WHERE id = ?').get(id) as { record: string } | undefined;
    return row && this.withNames(id, row.record);
  }

  listImages(): ImageRecord[] {
    const rows = this.sql('SELECT id, record FROM images').all() as Array<{ id: string; record: string }>;
    return rows.map((r) => this.withNames(r.id, r.record));
  }

  deleteImage(id: string): void {
    this.sql('DELETE FROM images WHERE id = ?').run(id);
  }

  setImageName(name: string, imageId: string): void {
    this.sql('INSERT OR REPLACE INTO image_names (name, image_id) VALUES (?, ?)').run(name, imageId);
  }

  removeImageName(name: string): void {
    this.sql('DELETE FROM image_names WHERE name = ?').run(name);
  }

  imageIdByName(name: string): string | undefined {
    const row = this.sql('SELECT image_id FROM image_names WHERE name = ?').get(name) as { image_id: string } | undefined;
    return row?.image_id;
  }

  private withNames(id: string, record: string): ImageRecord {
    const names = (this.sql('SELECT name FROM image_names WHERE image_id = ? ORDER BY name').all(id) as Array<{ name: string }>)
      .map((r) => r.name);
    return { ...(JSON.parse(record) as Omit<ImageRecord, 'names'>), names };
  }

  // --- volumes ---

  addVolume(volume: VolumeRecord): void {
    try {
      this.sql('INSERT INTO volumes (name, record) VALUES (?, ?)').run(volume.name, JSON.stringify(volume));
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new AlreadyExistsError(`volume "${volume.name}" already exists`, { cause: err });
      }
      throw err;
    }
  }

  getVolume(name: string): VolumeRecord | undefined {
    const row = this.sql('SELECT record FROM volumes WHERE name = ?').get(name) as { record: string } | undefined;
    return row && (JSON.parse(row.record) as VolumeRecord);
  }

  listVolumes(): VolumeRecord[] {
    return (this.sql('SELECT record FROM volumes ORDER BY name').all() as Array<{ record: string }>)
      .map((r) => JSON.parse(r.record) as VolumeRecord);
  }

  removeVolume(name: string): void {
    this.sql('DELETE FROM volumes WHERE name = ?').run(name);
  }

  // --- networks ---

  addNetwork(network: NetworkRecord): void {
    this.transaction(() => {
      if (this.sql('SELECT 1 FROM networks WHERE name = ?').get(network.name)) {
        throw new AlreadyExistsError(`network with name "${network.name}" already exists`);
      }
      this.sql('INSERT INTO networks (id, name, record) VALUES (?, ?, ?)').run(network.id, network.name, JSON.stringify(network));
    });
  }

  getNetwork(id: string): NetworkRecord | undefined {
    const row = this.sql('SELECT record FROM networks WHERE id = ?').get(id) as { record: string } | undefined;
    return row && (JSON.parse(row.record) as NetworkRecord);
  }

  lookupNetwork(ref: string): NetworkRecord {
    const parse = (row: { record: string } | undefined) => row && (JSON.parse(row.record) as NetworkRecord);
    return lookupByRef(ref, (name) => parse(this.sql('SELECT record FROM networks WHERE name = ?').get(name) as { record: string } | undefined),
      (prefix) => (this.sql('SELECT record FROM networks WHERE id LIKE ? LIMIT 2').all(`${prefix}%`) as Array<{ record: string }>)
        .map((r) => parse(r)!), 'network');
  }

  listNetworks(): NetworkRecord[] {
    return (this.sql('SELECT record FROM networks ORDER BY name').all() as Array<{ record: string }>)
      .map((r) => JSON.parse(r.record) as NetworkRecord);
  }

  removeNetwork(id: string): void {
    this.sql('DELETE FROM networks WHERE id = ?').run(id);
  }

  saveAttachment(a: AttachmentRecord): void {
    this.sql(`INSERT INTO network_attachments (container_id, network_id, record) VALUES (?, ?, ?)
      ON CONFLICT (container_id, network_id) DO UPDATE SET record = excluded.record`).run(a.containerId, a.networkId, JSON.stringify(a));
  }

  listAttachments(containerId?: string): AttachmentRecord[] {
    const rows = (containerId === undefined
      ? this.sql('SELECT record FROM network_attachments ORDER BY seq').all()
      : this.sql('SELECT record FROM network_attachments WHERE container_id = ? ORDER BY seq').all(containerId)) as Array<{ record: string }>;
    return rows.map((r) => JSON.parse(r.record) as AttachmentRecord);
  }

  removeAttachment(containerId: string, networkId: string): void {
    this.sql('DELETE FROM network_attachments WHERE container_id = ? AND network_id = ?').run(containerId, networkId);
  }

  saveAllocation(a: Allocation): void {
    this.sql(`INSERT INTO allocations (container_id, record) VALUES (?, ?)
      ON CONFLICT (container_id) DO UPDATE SET record = excluded.record`).run(a.containerId, JSON.stringify(a));
  }

  listAllocations(): Allocation[] {
    return (this.sql('SELECT record FROM allocations ORDER BY container_id').all() as Array<{ record: string }>)
      .map((r) => JSON.parse(r.record) as Allocation);
  }

  removeAllocation(containerId: string): void {
    this.sql('DELETE FROM allocations WHERE container_id = ?').run(containerId);
  }
}
