// Shared by the Docker-compatibility tests: an isolated Bulkhead engine whose socket the real docker CLI and
// dockerode talk to (DOCKER_HOST=unix://…), with a private DOCKER_CONFIG so nothing of the user's ~/.docker is read
// or written, raw HTTP requests for what the CLI does not show (headers, statuses), and a pseudo-terminal runner
// for `-it` sessions.
import { spawn, spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { TestEngine, type CliResult } from '../helpers/engine-harness.js';

export class DockerTestEngine extends TestEngine {
  constructor(prefix = 'bh-test-docker-') {
    super(prefix);
    mkdirSync(join(this.dir, 'docker-config'), { recursive: true });
  }

  /** The environment a docker CLI needs to talk to this engine (and nothing else). */
  get dockerEnv(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: `unix://${this.socket}`, DOCKER_CONFIG: join(this.dir, 'docker-config'),
      DOCKER_CLI_HINTS: 'false', DOCKER_BUILDKIT: '0', DOCKER_CONTEXT: '' };
  }

  docker(args: string[], opts: { input?: string | Buffer; timeoutMs?: number } = {}): CliResult {
    const r = spawnSync('docker', args, { env: this.dockerEnv, input: opts.input, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20 });
    return { code: r.status ?? -1, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
  }

  /** Runs docker and fails the test with its stderr unless it exits 0; returns trimmed stdout. */
  dockerOk(args: string[], opts: { input?: string | Buffer } = {}): string {
    const r = this.docker(args, opts);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  /** A long-lived docker command (logs -f, events, stats); the caller kills it. */
  dockerSpawn(args: string[]) {
    return spawn('docker', args, { env: this.dockerEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /**
   * Runs docker in a pseudo-terminal (python3's pty module): waits for `waitFor` in the output, types `input`, and
   * returns everything the terminal showed and the exit code.
   */
  dockerPty(args: string[], input: string, waitFor: string, timeoutMs = 30_000): CliResult {
    const r = spawnSync('python3', ['-c', PTY_SCRIPT, 'docker', ...args], {
      env: { ...this.dockerEnv, PTY_INPUT: input, PTY_WAIT: waitFor, PTY_TIMEOUT: String(timeoutMs / 1000) }, timeout: timeoutMs + 5000,
    });
    return { code: r.status ?? -1, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
  }

  dockerode(): Docker {
    return new Docker({ socketPath: this.socket });
  }

  /** One raw HTTP request to the socket: for statuses and headers the CLI hides. */
  http(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    return new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest({ socketPath: this.socket, method, path,
        headers: { ...(text ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } : {}), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(text);
    });
  }
}

const PTY_SCRIPT = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
want = os.environ['PTY_WAIT'].encode()
deadline = time.time() + float(os.environ['PTY_TIMEOUT'])
out = b''
sent = False
while time.time() < deadline:
    if not sent and want in out:
        os.write(fd, os.environ['PTY_INPUT'].encode())
        sent = True
    r, _, _ = select.select([fd], [], [], 0.2)
    if not r:
        continue
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
sys.stdout.buffer.write(out)
sys.stdout.flush()
p, st = os.waitpid(pid, os.WNOHANG)
if p == 0:
    os.kill(pid, 9)
    _, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
`;

/** Whether the docker CLI is installed (the tests need it; CI images have it). */
export function haveDockerCli(): boolean {
  return spawnSync('docker', ['--version']).status === 0;
}
