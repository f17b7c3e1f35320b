// Checks the JSON shape of requests that arrive over the API before anything else reads them, so a client that
// sends `"cmd": "ls"` instead of `["ls"]` gets a 400 naming the field rather than a confusing failure later.
import { InvalidArgumentError } from '../core/index.js';
import type { CreateRequest, ExecRequest, NetworkCreateRequest } from './types.js';

type FieldType = 'string' | 'string[]' | 'boolean' | 'number' | 'record' | 'object[]' | 'object';

function typeOf(v: unknown): FieldType | 'other' {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number' && Number.isFinite(v)) return 'number';
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return 'string[]';
    if (v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return 'object[]';
    return 'other';
  }
  if (v !== null && typeof v === 'object') {
    return Object.values(v).every((x) => typeof x === 'string') ? 'record' : 'object';
  }
  return 'other';
}

function check<T>(what: string, body: unknown, fields: Record<string, FieldType>, required: string[]): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError(`${what}: the body must be a JSON object`);
  const obj = body as Record<string, unknown>;
  for (const key of required) {
    if (obj[key] === undefined) throw new InvalidArgumentError(`${what}: "${key}" is required`);
  }
  for (const [key, value] of Object.entries(obj)) {
    const want = fields[key];
    if (!want) throw new InvalidArgumentError(`${what}: unknown field "${key}"`);
    if (value === undefined || value === null) continue;
    const got = typeOf(value);
    // An empty array or object satisfies every array or object type.
    const ok = got === want || (want === 'object[]' && got === 'string[]' && (value as unknown[]).length === 0)
      || (want === 'object' && got === 'record');
    if (!ok) throw new InvalidArgumentError(`${what}: "${key}" must be ${describe(want)}`);
  }
  return obj as T;
}

function describe(t: FieldType): string {
  return { string: 'a string', 'string[]': 'an array of strings', boolean: 'true or false', number: 'a number',
    record: 'an object of strings', 'object[]': 'an array of objects', object: 'an object' }[t];
}

export function checkCreateRequest(body: unknown): CreateRequest {
  const req = check<CreateRequest>('create container', body, {
    image: 'string', name: 'string', cmd: 'string[]', entrypoint: 'string[]', env: 'string[]', workingDir: 'string',
    user: 'string', hostname: 'string', tty: 'boolean', openStdin: 'boolean', labels: 'record', mounts: 'object[]', volumesFrom: 'string[]', links: 'string[]',
    readOnlyRootfs: 'boolean', network: 'string', autoRemove: 'boolean', stopSignal: 'string', stopTimeout: 'number',
    runtime: 'string', cgroupParent: 'string', resources: 'object', security: 'object', consoleSize: 'object',
    networks: 'object[]', ports: 'object[]', publishAll: 'boolean', dns: 'string[]', dnsSearch: 'string[]', dnsOptions: 'string[]',
    extraHosts: 'string[]', networkOpts: 'record', expire: 'string', restartPolicy: 'object', healthcheck: 'object',
    init: 'boolean', annotations: 'record',
    logOptions: 'record',
  }, ['image']);
  if (req.restartPolicy) check('create container: restartPolicy', req.restartPolicy, { name: 'string', maximumRetryCount: 'number' }, ['name']);
  if (req.healthcheck) {
    check('create container: healthcheck', req.healthcheck, { test: 'string[]', intervalMs: 'number', timeoutMs: 'number', retries: 'number',
      startPeriodMs: 'number', startIntervalMs: 'number', onFailure: 'string' }, []);
  }
  checkConsoleSize(req.consoleSize);
  for (const n of req.networks ?? []) check('create container: network', n, { name: 'string', aliases: 'string[]', ip: 'string' }, ['name']);
  for (const p of req.ports ?? []) {
    check('create container: port', p, { hostIp: 'string', hostPort: 'number', containerPort: 'number', protocol: 'string' }, ['containerPort']);
  }
  for (const m of req.mounts ?? []) {
    check('create container: mount', m, { type: 'string', source: 'string', target: 'string', readOnly: 'boolean', options: 'string[]', anonymous: 'boolean' }, ['type', 'target']);
    if (!['bind', 'volume', 'tmpfs'].includes(m.type)) throw new InvalidArgumentError(`create container: unknown mount type "${m.type}"`);
    m.source ??= '';
    m.readOnly ??= false;
    if (m.anonymous) throw new InvalidArgumentError('create container: "anonymous" is set by the engine, not by clients');
  }
  return req;
}

export function checkNetworkCreateRequest(body: unknown): NetworkCreateRequest {
  return check<NetworkCreateRequest>('create network', body, {
    name: 'string', subnet: 'string', gateway: 'string', internal: 'boolean', labels: 'record', options: 'record',
  }, ['name']);
}

export function checkExecRequest(body: unknown): ExecRequest {
  const req = check<ExecRequest>('exec', body, {
    cmd: 'string[]', env: 'string[]', user: 'string', workingDir: 'string', tty: 'boolean', stdin: 'boolean', consoleSize: 'object',
  }, ['cmd']);
  checkConsoleSize(req.consoleSize);
  return req;
}

function checkConsoleSize(size: { height: number; width: number } | undefined): void {
  if (size === undefined) return;
  const ok = (n: unknown) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 10_000;
  if (!ok(size.height) || !ok(size.width)) throw new InvalidArgumentError('consoleSize needs whole-number height and width between 1 and 10000');
}
