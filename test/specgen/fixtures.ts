// Test fixtures for specgen: a ContainerConfig with sensible values and a minimal rootfs on disk.
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig } from '../../src/core/index.js';
import { defaultSecurity } from '../../src/engine/validate-security.js';

export function makeConfig(over: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    id: 'bh-test-' + Math.random().toString(16).slice(2, 10),
    created: new Date().toISOString(),
    image: 'busybox',
    imageId: 'sha256:' + '0'.repeat(64),
    entrypoint: [],
    cmd: ['sh'],
    env: ['FOO=bar'],
    workingDir: '',
    user: '',
    hostname: 'bhhost',
    tty: false,
    openStdin: false,
    labels: {},
    mounts: [],
    readOnlyRootfs: false,
    network: 'none',
    networks: [],
    ports: [],
    publishAll: false,
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    extraHosts: [],
    autoRemove: false,
    stopSignal: 'SIGTERM',
    stopTimeout: 10,
    runtime: 'runc',
    resources: {},
    security: defaultSecurity(),
    ...over,
  };
}

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'app:x:1000:1000:App:/home/app:/bin/sh',
  '',
].join('\n');

export const GROUP = [
  'root:x:0:',
  'wheel:x:10:root',
  'app:x:1000:',
  'extra:x:2000:app,daemon',
  'more:x:2001:app',
  '',
].join('\n');

/** A temp dir with rootfs/ (etc/passwd, etc/group; busybox and its links when withBusybox) and ctr/. */
export function makeRootfs(withBusybox = false): { base: string; rootfs: string; containerDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'bh-test-specgen-'));
  const rootfs = join(base, 'rootfs');
  const containerDir = join(base, 'ctr');
  for (const d of ['etc', 'bin', 'proc', 'sys', 'dev', 'tmp', 'root', 'home/app']) mkdirSync(join(rootfs, d), { recursive: true });
  mkdirSync(containerDir);
  writeFileSync(join(rootfs, 'etc/passwd'), PASSWD);
  writeFileSync(join(rootfs, 'etc/group'), GROUP);
  if (withBusybox) {
    copyFileSync('/usr/bin/busybox', join(rootfs, 'bin/busybox'));
    for (const app of ['sh', 'id', 'cat', 'grep', 'wc', 'ls', 'hostname', 'echo']) symlinkSync('busybox', join(rootfs, 'bin', app));
  }
  return { base, rootfs, containerDir };
}
