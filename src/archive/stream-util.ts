// Backpressure for writing into tar-stream's streamx streams by hand (Node's pipeline does not drive them).
interface DrainableSink {
  write(chunk: unknown): boolean;
  once(event: 'drain' | 'close', fn: () => void): unknown;
  off(event: 'drain' | 'close', fn: () => void): unknown;
  destroyed: boolean;
}

/** Resolves when sink wants more data, or when it closed (the caller then notices sink.destroyed). */
export function waitForDrain(sink: DrainableSink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { sink.off('drain', done); sink.off('close', done); resolve(); };
    sink.once('drain', done);
    sink.once('close', done);
  });
}

/** Writes every chunk of source into sink, honouring backpressure; stops early if sink is destroyed. */
export async function writeAll(source: AsyncIterable<unknown>, sink: DrainableSink): Promise<void> {
  for await (const chunk of source) {
    if (!sink.write(chunk)) await waitForDrain(sink);
    if (sink.destroyed) return;
  }
}
