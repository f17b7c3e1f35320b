// The daemon's long operations (build, pull, push, bootstrap, measurements) answer NDJSON: one JSON object per
// line as the work goes on. Chunks do not respect line ends, so lines are reassembled here, once for all of them.
import { EngineError, type ErrorKind } from '../core/index.js';

/** Every line of the stream as an object; a line carrying {error, kind} ends it as that error. */
export async function* ndjsonLines<T extends object>(stream: AsyncIterable<Buffer | string>, context: string): AsyncGenerator<T> {
  let rest = '';
  for await (const chunk of stream) {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const e = JSON.parse(line) as T & { error?: string; kind?: ErrorKind };
      if (e.error !== undefined) throw new EngineError(e.kind ?? 'Internal', context ? `${context}: ${e.error}` : e.error);
      yield e as Awaited<T>;
    }
  }
}
