// Builds the static syscall probe (fixtures/syscall-probe.c) into a test's temp dir, to bind into containers.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/security/x.js → the repository's test/security/fixtures.
const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'security', 'fixtures', 'syscall-probe.c');

/** Compiles the probe into `<dir>/bin/syscall-probe`; returns the directory to mount (read-only) at /probe. */
export function buildProbe(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const r = spawnSync('gcc', ['-static', '-O1', '-o', join(bin, 'syscall-probe'), SOURCE], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot build the syscall probe (needs gcc and a static libc): ${r.stderr || r.error}`);
  return bin;
}

/** The engine's own bounding set, which is what --privileged can give (CapEff inside a privileged container). */
export function engineCapMask(): string {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m![1]!;
}
