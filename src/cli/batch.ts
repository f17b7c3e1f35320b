// Commands that act on several objects (rm, stop, rmi, volume rm…) report each failure on its own line and go on
// with the rest, exiting 1 at the end if any failed, as docker does.
export async function forEachRef(refs: string[], action: (ref: string) => Promise<void>, echo = true): Promise<void> {
  let failed = false;
  for (const ref of refs) {
    try {
      await action(ref);
      if (echo) process.stdout.write(`${ref}\n`);
    } catch (err) {
      failed = true;
      process.stderr.write(`bulkhead: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}
