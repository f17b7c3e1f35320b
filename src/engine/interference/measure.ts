// `interference` and `interference measure`: the static graph over the running containers, and a measurement
// whose probes run as containers of this engine. Whatever a measurement starts is removed when it ends, fails
// or is abandoned by its client.
import { InvalidArgumentError } from '../../core/index.js';
import { analyzeInterference, type InterferenceReport } from '../../analysis/index.js';
import { defaultMeasureOptions, runMeasurement, type MeasureOptions, type MeasurementReport } from '../../analysis/measure/index.js';
import type { EngineContext } from '../context.js';
import { containerFacts, hostFacts, readStealTicks, runningContainers } from './facts.js';
import { ContainerProbeRunner } from './probe-runner.js';

const NUMBERS = ['reps', 'durationMs', 'intensity', 'seed'] as const;

/** The request's shape (ranges are the planner's to check): a typo must not silently run the defaults. */
function checkRequest(req: unknown): Partial<MeasureOptions> {
  if (req === null || typeof req !== 'object' || Array.isArray(req)) throw new InvalidArgumentError('interference measure: the body must be a JSON object');
  const out: Partial<MeasureOptions> = {};
  for (const [key, value] of Object.entries(req)) {
    if (value === undefined || value === null) continue;
    if (key === 'quick' && typeof value === 'boolean') out.quick = value;
    else if ((NUMBERS as readonly string[]).includes(key) && typeof value === 'number') out[key as typeof NUMBERS[number]] = value;
    else if (key === 'paths' && Array.isArray(value) && value.every((p) => typeof p === 'string')) out.paths = value;
    else throw new InvalidArgumentError(`interference measure: invalid option "${key}" (known: quick, ${NUMBERS.join(', ')}, paths)`);
  }
  return out;
}

/** The static analysis of the running containers; `focus` names (or ids) keep only the paths touching them. */
export async function staticInterference(ctx: EngineContext, focus: string[] = [], topPerResource?: number): Promise<InterferenceReport> {
  const running = runningContainers(ctx);
  const ids = focus.map((ref) => {
    const rec = ctx.state.lookupContainer(ref);
    if (!running.some((c) => c.config.id === rec.config.id)) throw new InvalidArgumentError(`container ${rec.name} is not running: only running containers interfere`);
    return rec.config.id;
  });
  return analyzeInterference(await hostFacts(ctx), containerFacts(ctx, running), { ...(ids.length ? { focus: ids } : {}), ...(topPerResource ? { topPerResource } : {}) });
}

export async function measureInterference(ctx: EngineContext, req: Partial<MeasureOptions>, progress?: (line: string) => void,
  signal?: AbortSignal): Promise<MeasurementReport> {
  const opts = { ...defaultMeasureOptions(req.quick === true), ...checkRequest(req) };
  const runner = new ContainerProbeRunner(ctx);
  const abandon = () => void runner.close();
  signal?.addEventListener('abort', abandon);
  try {
    await runner.prepare();
    const host = await hostFacts(ctx);
    return await runMeasurement(runner, { ...host, readSteal: readStealTicks }, opts, progress);
  } finally {
    signal?.removeEventListener('abort', abandon);
    await runner.close();
  }
}
