// Instructions that change only the image config (no layer): each returns the new run config.
import { posix } from 'node:path';
import { InvalidArgumentError, parseDuration, type ImageRunConfig } from '../core/index.js';
import { expandWord, expandWords, keyValuePairs, type Vars } from './expand.js';
import type { Instruction } from './parse.js';

export interface MetaContext { vars: Vars; escape: string; shell: string[]; cmdSetInStage: boolean }

function setEnv(env: string[] | undefined, key: string, value: string): string[] {
  return [...(env ?? []).filter((e) => e.split('=')[0] !== key), `${key}=${value}`];
}

/** exec form as written; shell form wrapped in the stage's SHELL. */
export function commandOf(inst: Instruction, shell: string[]): string[] | null {
  if (inst.json) return inst.json;
  return inst.args === '' ? null : [...shell, inst.args];
}

export function applyMetadata(inst: Instruction, run: ImageRunConfig, c: MetaContext): ImageRunConfig {
  const next: ImageRunConfig = { ...run };
  switch (inst.name) {
    case 'ENV':
      for (const [k, v] of keyValuePairs(inst.args, c.vars, c.escape, true)) next.Env = setEnv(next.Env, k, v);
      break;
    case 'LABEL':
      next.Labels = { ...(run.Labels ?? {}) };
      for (const [k, v] of keyValuePairs(inst.args, c.vars, c.escape, false)) next.Labels[k] = v;
      break;
    case 'WORKDIR':
      next.WorkingDir = posix.resolve(run.WorkingDir || '/', expandWord(inst.args, c.vars, c.escape));
      break;
    case 'USER':
      next.User = expandWord(inst.args, c.vars, c.escape);
      break;
    case 'CMD':
      next.Cmd = commandOf(inst, c.shell);
      break;
    case 'ENTRYPOINT':
      next.Entrypoint = commandOf(inst, c.shell);
      // docker: an ENTRYPOINT resets a CMD inherited from the base image (one set in this stage stays)
      if (!c.cmdSetInStage) next.Cmd = null;
      break;
    case 'EXPOSE':
      next.ExposedPorts = { ...(run.ExposedPorts ?? {}) };
      for (const p of expandWords(inst.args, c.vars, c.escape)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw new InvalidArgumentError(`invalid port "${p}"`);
        next.ExposedPorts[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      break;
    case 'VOLUME':
      next.Volumes = { ...(run.Volumes ?? {}) };
      for (const v of inst.json ?? expandWords(inst.args, c.vars, c.escape)) {
        if (v.trim() === '') throw new InvalidArgumentError('VOLUME with an empty path');
        next.Volumes[v] = {};
      }
      break;
    case 'STOPSIGNAL':
      next.StopSignal = expandWord(inst.args, c.vars, c.escape);
      break;
    case 'SHELL':
      next.Shell = inst.json!;
      break;
    case 'HEALTHCHECK':
      next.Healthcheck = healthcheck(inst);
      break;
    case 'MAINTAINER':
      break;
    default:
      throw new InvalidArgumentError(`${inst.name} is not a metadata instruction`);
  }
  return next;
}

function healthcheck(inst: Instruction): Record<string, unknown> {
  const rest = inst.args.replace(/^\S+\s*/, '');
  if (/^NONE$/i.test(inst.args.trim())) return { Test: ['NONE'] };
  let exec: string[] | undefined;
  if (rest.startsWith('[')) { try { exec = JSON.parse(rest) as string[]; } catch { /* shell form */ } }
  const hc: Record<string, unknown> = { Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', rest] };
  const ns = (k: string) => Math.round(parseDuration(inst.flags[k]!, `--${k}`) * 1e6);
  if (inst.flags.interval) hc.Interval = ns('interval');
  if (inst.flags.timeout) hc.Timeout = ns('timeout');
  if (inst.flags['start-period']) hc.StartPeriod = ns('start-period');
  if (inst.flags['start-interval']) hc.StartInterval = ns('start-interval');
  if (inst.flags.retries) {
    const r = Number(inst.flags.retries);
    if (!Number.isInteger(r) || r < 0) throw new InvalidArgumentError(`invalid --retries "${inst.flags.retries}"`);
    hc.Retries = r;
  }
  return hc;
}
