// conmon's control fifo (<bundle>/ctl): one line per event, "TYPE ROWS COLS\n", where type 1 resizes the
// terminal (ctrl.c). Opened non-blocking so a dead conmon (no reader) is an immediate, clear error, not a hang.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, StateInvalidError, errnoCode, wrap } from '../../core/index.js';

const RESIZE_EVENT = 1;

export async function writeControl(dir: string, rows: number, cols: number): Promise<void> {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0 || rows > 65535 || cols > 65535) {
    throw new InvalidArgumentError(`invalid terminal size ${rows}x${cols}: rows and columns must be whole numbers from 1 to 65535`);
  }
  const path = join(dir, 'ctl');
  let handle;
  try {
    handle = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENXIO' || code === 'ENOENT') throw new StateInvalidError('cannot resize: the container is not running');
    throw wrap(err, `resize terminal via ${path}`);
  }
  try {
    await handle.write(`${RESIZE_EVENT} ${rows} ${cols}\n`);
  } finally {
    await handle.close();
  }
}
