// A real registry for tests: Debian's docker-registry on 127.0.0.1 with a free port and a temp storage dir,
// optionally with htpasswd auth and TLS (a self-signed certificate for 127.0.0.1 made with openssl, which is
// its own CA). stop() kills it and removes everything it made.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const haveRegistry = existsSync(REGISTRY_BIN);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function answers(port: number, address = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, address, () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  });
}

export interface RegistryOptions {
  auth?: { user: string; password: string };
  tls?: boolean;
  /** Listen on this address instead of 127.0.0.1 (a non-loopback one is not insecure by default). */
  address?: string;
}

export class TestRegistry {
  // The log goes to a file, not a pipe: tests drive the CLI with spawnSync, which blocks our event loop, and a
  // pipe would only be read later.
  private constructor(readonly dir: string, readonly port: number, readonly proc: ChildProcess, readonly certFile?: string,
    readonly address = '127.0.0.1') {}

  get host(): string { return `${this.address}:${this.port}`; }
  get storage(): string { return join(this.dir, 'storage'); }
  get log(): string { return readFileSync(join(this.dir, 'registry.log'), 'utf8'); }

  /** How many blob downloads (GET …/blobs/sha256:…) the registry has answered so far. */
  blobGets(): number {
    return (this.log.match(/"GET \/v2\/[^ "]*\/blobs\/sha256:[a-f0-9]{64} HTTP/g) ?? []).length;
  }

  /** The file holding a blob in the registry's filesystem storage. */
  blobFile(digest: string): string {
    const hex = digest.replace('sha256:', '');
    return join(this.storage, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
  }

  static async start(opts: RegistryOptions = {}): Promise<TestRegistry> {
    const dir = mkdtempSync(join(tmpdir(), 'bh-test-registry-'));
    try {
      const port = await freePort();
      const lines = [
        'version: 0.1',
        'log: { level: warn, accesslog: { disabled: false } }',
        `storage: { filesystem: { rootdirectory: ${join(dir, 'storage')} }, delete: { enabled: true } }`,
      ];
      let certFile: string | undefined;
      const address = opts.address ?? '127.0.0.1';
      let http = `http: { addr: ${address}:${port}`;
      if (opts.tls) {
        certFile = join(dir, 'cert.pem');
        const key = join(dir, 'key.pem');
        const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certFile, '-days', '2',
          '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE'], { stdio: 'pipe' });
        if (r.status !== 0) throw new Error(`openssl: ${r.stderr.toString()}`);
        http += `, tls: { certificate: ${certFile}, key: ${key} }`;
      }
      lines.push(`${http} }`);
      if (opts.auth) {
        const r = spawnSync('htpasswd', ['-Bbn', opts.auth.user, opts.auth.password]);
        if (r.status !== 0) throw new Error(`htpasswd: ${r.stderr.toString()}`);
        writeFileSync(join(dir, 'htpasswd'), r.stdout);
        lines.push(`auth: { htpasswd: { realm: bh-test, path: ${join(dir, 'htpasswd')} } }`);
      }
      writeFileSync(join(dir, 'config.yml'), lines.join('\n') + '\n');
      const logFd = openSync(join(dir, 'registry.log'), 'a');
      const proc = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', logFd, logFd] });
      closeSync(logFd);
      const reg = new TestRegistry(dir, port, proc, certFile, address);
      for (let i = 0; i < 200 && !(await answers(port, address)); i++) {
        if (proc.exitCode !== null) throw new Error(`docker-registry exited: ${reg.log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return reg;
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null) {
      await new Promise<void>((resolve) => { this.proc.once('exit', () => resolve()); this.proc.kill('SIGKILL'); });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  cert(): string { return readFileSync(this.certFile!, 'utf8'); }
}
