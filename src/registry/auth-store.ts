// Registry credentials in <root>/auth.json, in the containers-auth.json shape ({"auths": {"host": {"auth":
// base64("user:password")}}}) so the file is familiar. The file is 0600 and replaced atomically (temp + rename),
// so a crash never leaves it half-written and no other user can read the passwords.
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError, errnoCode } from '../core/index.js';

export interface Credentials { username: string; password: string }

interface AuthFile { auths: Record<string, { auth?: string }> }

export class AuthStore {
  readonly path: string;

  constructor(root: string) {
    this.path = join(root, 'auth.json');
  }

  private async read(): Promise<AuthFile> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return { auths: {} };
      throw err;
    }
    try {
      const doc = JSON.parse(text) as Partial<AuthFile>;
      return { auths: doc.auths && typeof doc.auths === 'object' ? doc.auths : {} };
    } catch (err) {
      throw new InvalidArgumentError(`${this.path} is not valid JSON: fix or remove it`, { cause: err });
    }
  }

  private async write(doc: AuthFile): Promise<void> {
    const tmp = `${this.path}.tmp-${process.pid}-${Date.now()}`;
    try {
      await writeFile(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
      await chmod(tmp, 0o600); // the umask may have narrowed it further, never widened; be exact
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(registry: string): Promise<Credentials | undefined> {
    const entry = (await this.read()).auths[registry];
    if (!entry?.auth) return undefined;
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return undefined;
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }

  async set(registry: string, creds: Credentials): Promise<void> {
    const doc = await this.read();
    doc.auths[registry] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
    await this.write(doc);
  }

  async remove(registry: string): Promise<void> {
    const doc = await this.read();
    if (!doc.auths[registry]) throw new NotFoundError(`not logged in to ${registry}`);
    delete doc.auths[registry];
    await this.write(doc);
  }
}
