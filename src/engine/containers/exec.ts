// exec: a new process in a running container, with docker's two steps (create an exec instance, then start it)
// so API clients can inspect its exit code afterwards. Instances live in memory: they end with their process.
import { ConflictError, InvalidArgumentError, NotFoundError, newId } from '../../core/index.js';
import { execProcessSpec } from '../../specgen/index.js';
import type { ExecSession } from '../../runtime/types.js';
import { containerPaths, mountRootfs, type EngineContext } from '../context.js';
import type { ExecRequest } from '../types.js';
import { checkExecRequest } from '../request-shape.js';
import { enforceExecStartPolicy, enforceExecUserPolicy } from '../policy.js';
import { mergeEnv } from '../validate-create.js';
import { linkFacts } from './links.js';

export interface ExecInstance {
  id: string;
  containerId: string;
  request: ExecRequest;
  running: boolean;
  exitCode: number | null;
  session?: ExecSession;
}

const instances = new Map<string, ExecInstance>();

export async function createExec(ctx: EngineContext, ref: string, body: ExecRequest): Promise<ExecInstance> {
  const req = checkExecRequest(body);
  const rec = ctx.state.lookupContainer(ref);
  if (rec.state.status !== 'running') throw new ConflictError(`container "${rec.name}" is not running`);
  if (!Array.isArray(req.cmd) || req.cmd.length === 0) throw new InvalidArgumentError('exec needs a command');
  await enforceExecUserPolicy(ctx, rec.config, req.user); // here, not at start: Docker clients show a hijacked start's status only
  const inst: ExecInstance = { id: newId(), containerId: rec.config.id, request: req, running: false, exitCode: null };
  instances.set(inst.id, inst);
  return inst;
}

export function inspectExec(execId: string): ExecInstance {
  const inst = instances.get(execId);
  if (!inst) throw new NotFoundError(`no such exec instance: ${execId}`);
  return inst;
}

export async function startExec(ctx: EngineContext, execId: string): Promise<ExecSession> {
  const inst = inspectExec(execId);
  if (inst.running || inst.exitCode !== null) throw new ConflictError(`exec instance ${execId.slice(0, 12)} has already been started`);
  const rec = ctx.state.getContainer(inst.containerId);
  if (!rec || rec.state.status !== 'running') throw new ConflictError(`container ${inst.containerId.slice(0, 12)} is not running`);
  const req = inst.request;
  const rootfs = await mountRootfs(ctx, rec.config);
  // The link variables as they are now, as docker gives them to exec too; a link that no longer resolves (its
  // container stopped) is left out, where docker would refuse the exec.
  const env = mergeEnv(linkFacts(ctx, rec, { lenient: true }).env, rec.config.env);
  const process = await execProcessSpec({ ...rec.config, env }, {
    cmd: req.cmd, env: req.env ?? [], user: req.user || undefined,
    workingDir: req.workingDir || undefined, tty: req.tty ?? false, consoleSize: req.consoleSize,
  }, rootfs);
  enforceExecStartPolicy(ctx, req.user || rec.config.user, process.user.uid);
  const session = await ctx.runtime.exec(rec.config.id, {
    sessionId: inst.id, process, tty: req.tty ?? false, stdin: req.stdin ?? false, paths: containerPaths(ctx, rec.config.id),
  });
  inst.running = true;
  inst.session = session;
  ctx.events.emit('container', 'exec_start', rec.config.id, { name: rec.name, execID: inst.id });
  void session.exitCode.then((code) => { inst.exitCode = code; }, () => { inst.exitCode = 126; }).finally(() => {
    inst.running = false;
    ctx.events.emit('container', 'exec_die', rec.config.id, { name: rec.name, execID: inst.id, exitCode: String(inst.exitCode) });
    // Keep finished instances a while for inspect, as docker does, then forget them.
    setTimeout(() => instances.delete(inst.id), 5 * 60_000).unref();
  });
  return session;
}
