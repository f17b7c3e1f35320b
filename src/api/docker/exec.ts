// Docker exec endpoints: create (POST /containers/{id}/exec), start (hijacked, plain, or detached), resize and
// inspect. The engine keeps the instances; this layer only changes their JSON.
import { InvalidArgumentError, StateInvalidError } from '../../core/index.js';
import type { ExecRequest } from '../../engine/index.js';
import { queryInt, readJson, response, sendJson } from '../request.js';
import type { ApiRequest, Router } from '../router.js';
import { isSet } from './fields.js';
import { beginStream, endSession, plainAnswer, pumpStream, readUpgradeBody } from './hijack.js';

type Obj = Record<string, unknown>;

export function dockerExecRoutes(router: Router): void {
  router
    .add('POST', '/containers/:ref/exec', async (r) => {
      const inst = await r.engine.createExec(r.params.ref!, translateExec(await readJson<Obj>(r.raw)));
      sendJson(response(r), 201, { Id: inst.id });
    })
    .add('POST', '/exec/:id/start', async (r) => {
      const { body, rest } = r.upgrade ? await readUpgradeBody(r) : { body: await readJson<Obj>(r.raw), rest: Buffer.alloc(0) };
      const inst = r.engine.inspectExec(r.params.id!);
      const session = await r.engine.startExec(inst.id);
      const tty = inst.request.tty ?? false;
      if ((body as Obj).Detach === true) {
        // Nobody reads a detached exec's output: drain it so the process never blocks on a full pipe.
        session.stdout.resume();
        session.stderr.resume();
        session.stdin.end();
        if (r.upgrade) plainAnswer(r.upgrade.socket, 200); else sendJson(response(r), 200, {});
        return;
      }
      beginStream(r, tty);
      await pumpStream(r, session, { tty, stdin: inst.request.stdin ?? false, head: rest });
      // The exit code is recorded before the stream ends, so the client's exec inspect right after reads it.
      await session.exitCode.catch(() => undefined);
      endSession(r);
    })
    .add('POST', '/exec/:id/resize', async (r) => {
      const session = r.engine.inspectExec(r.params.id!).session;
      if (!session) throw new StateInvalidError('exec instance has not started');
      await session.resize(queryInt(r.query, 'h') ?? 0, queryInt(r.query, 'w') ?? 0);
      sendJson(response(r), 200, {});
    })
    .add('GET', '/exec/:id/json', async (r) => sendJson(response(r), 200, execInspect(r)));
}

function translateExec(body: Obj): ExecRequest {
  if (isSet(body.Privileged)) throw new InvalidArgumentError('Privileged is not supported by Bulkhead for exec: the process gets the container\'s confinement');
  const cmd = body.Cmd;
  if (!Array.isArray(cmd) || cmd.length === 0 || !cmd.every((c) => typeof c === 'string')) throw new InvalidArgumentError('exec: Cmd must be a non-empty array of strings');
  const req: ExecRequest = { cmd, tty: body.Tty === true, stdin: body.AttachStdin === true };
  if (isSet(body.Env)) req.env = body.Env as string[];
  if (isSet(body.User)) req.user = String(body.User);
  if (isSet(body.WorkingDir)) req.workingDir = String(body.WorkingDir);
  const size = body.ConsoleSize;
  if (req.tty && Array.isArray(size) && Number(size[0]) > 0 && Number(size[1]) > 0) req.consoleSize = { height: Number(size[0]), width: Number(size[1]) };
  return req;
}

function execInspect(r: ApiRequest) {
  const inst = r.engine.inspectExec(r.params.id!);
  const [entrypoint, ...args] = inst.request.cmd;
  return {
    ID: inst.id, ContainerID: inst.containerId, Running: inst.running, ExitCode: inst.exitCode, Pid: 0,
    OpenStdin: inst.request.stdin ?? false, OpenStdout: true, OpenStderr: true, CanRemove: false, DetachKeys: '',
    ProcessConfig: { tty: inst.request.tty ?? false, entrypoint, arguments: args, privileged: false, user: inst.request.user ?? '' },
  };
}
