// Progress events of a pull or push, one per change: what the API streams as NDJSON lines.
export interface Progress {
  id: string;          // short blob digest, or the image reference for whole-image lines
  status: string;      // "Waiting", "Downloading", "Download complete", "Already exists", "Pushing", "Pushed", …
  current?: number;    // bytes so far
  total?: number;      // bytes in all
}

export type ProgressSink = (p: Progress) => void;

/** Twelve hex digits of a digest, as docker shows layer ids. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Byte progress at most every 100 ms per blob, so a fast local pull does not flood the stream. */
export function throttled(sink: ProgressSink, id: string, status: string, total: number): (n: number) => void {
  let current = 0;
  let last = 0;
  return (n) => {
    current += n;
    const now = Date.now();
    if (now - last >= 100 || current === total) {
      last = now;
      sink({ id, status, current, total });
    }
  };
}

/** Runs tasks with at most `limit` at a time; the first failure is thrown after the running ones settle. */
export async function parallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try { await task(item); } catch (err) { failure ??= { err }; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}
