// Engine-wide quotas from the daemon config (`"quotas": {"maxContainers": 50, "maxRunning": 10,
// "maxGuaranteedMemory": "8g"}`): a cap on how many containers exist, how many run, and how much memory all
// running containers are guaranteed together. Each check is synchronous and sits right before the step that makes
// the count grow (the record's insert at create, the allocator's admission at start), so no await separates
// deciding from counting and two concurrent creates or starts can never both take the last slot.
import { ConflictError, InvalidArgumentError, parseSize, type ContainerRecord } from '../../core/index.js';
import { formatBytes } from '../../resources/index.js';
import type { EngineContext } from '../context.js';

export interface QuotaOptions {
  maxContainers?: number;
  maxRunning?: number;
  /** Bytes. */
  maxGuaranteedMemory?: number;
}

/** The daemon config's "quotas" object as written in the file. */
export interface QuotasConfig {
  maxContainers?: number;
  maxRunning?: number;
  maxGuaranteedMemory?: string;
}

const KEYS = ['maxContainers', 'maxRunning', 'maxGuaranteedMemory'];

/** Validates the config object (unknown keys, types, ranges) and turns sizes into bytes. */
export function parseQuotas(raw: unknown, where: string): QuotaOptions {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidArgumentError(`${where}: "quotas" must be a JSON object`);
  const q = raw as Record<string, unknown>;
  const out: QuotaOptions = {};
  for (const [key, value] of Object.entries(q)) {
    if (!KEYS.includes(key)) throw new InvalidArgumentError(`${where}: unknown key "quotas.${key}" (known: ${KEYS.join(', ')})`);
    if (key === 'maxGuaranteedMemory') {
      if (typeof value !== 'string') throw new InvalidArgumentError(`${where}: "quotas.maxGuaranteedMemory" must be a size such as "8g"`);
      try {
        out.maxGuaranteedMemory = parseSize(value, 'quotas.maxGuaranteedMemory');
      } catch (err) {
        throw new InvalidArgumentError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`${where}: "quotas.${key}" must be a whole number ≥ 0`);
      out[key as 'maxContainers' | 'maxRunning'] = value;
    }
  }
  return out;
}

/** At create, just before the record is inserted: the containers that exist (any state) stay under the cap. */
export function checkCreateQuota(ctx: EngineContext): void {
  const max = ctx.opts.quotas?.maxContainers;
  if (max === undefined) return;
  const n = ctx.state.listContainers().length;
  if (n >= max) throw new ConflictError(`quota maxContainers reached: ${n} containers exist and the limit is ${max} (remove some, or raise quotas.maxContainers in the daemon config)`);
}

/**
 * At start, just before the allocator admits `rec`. Running means running or paused, or admitted by a start
 * still in flight (the allocator holds an entry for every admitted container until it exits or fails to
 * start); guaranteed memory is the allocator's own sum, so the quota and the pools never disagree.
 */
export function checkRunQuotas(ctx: EngineContext, rec: ContainerRecord): void {
  const quotas = ctx.opts.quotas;
  if (!quotas) return;
  const id = rec.config.id;
  if (quotas.maxRunning !== undefined) {
    const running = new Set(ctx.state.listContainers().filter((c) => c.state.status === 'running' || c.state.status === 'paused').map((c) => c.config.id));
    for (const a of ctx.alloc.pools.list()) running.add(a.containerId);
    running.delete(id);
    if (running.size >= quotas.maxRunning) {
      throw new ConflictError(`quota maxRunning reached: ${running.size} containers are running and the limit is ${quotas.maxRunning} (stop some, or raise quotas.maxRunning in the daemon config)`);
    }
  }
  const wanted = ctx.alloc.request(rec).memoryGuaranteed ?? 0;
  if (quotas.maxGuaranteedMemory !== undefined && wanted > 0) {
    const held = ctx.alloc.pools.memory().guaranteed - (ctx.alloc.pools.get(id)?.memoryGuaranteed ?? 0);
    if (held + wanted > quotas.maxGuaranteedMemory) {
      throw new ConflictError(`quota maxGuaranteedMemory exceeded: ${formatBytes(wanted)} asked, ${formatBytes(held)} already guaranteed to running containers, the limit is ${formatBytes(quotas.maxGuaranteedMemory)}`);
    }
  }
}
