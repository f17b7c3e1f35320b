// Whether something answers on a unix socket: how the CLI knows a daemon is up, and how a starting daemon
// refuses to steal the socket of a live one.
import { connect } from 'node:net';

export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
