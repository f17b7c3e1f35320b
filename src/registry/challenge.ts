// Parsing of WWW-Authenticate challenges (RFC 7235 as registries use it): `Basic realm="…"` or
// `Bearer realm="https://auth…/token",service="registry",scope="repository:x:pull"`.

export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

const PARAM_RE = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;

/** The first Basic or Bearer challenge in the header; other schemes are ignored (we cannot answer them). */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  for (const h of Array.isArray(header) ? header : header ? [header] : []) {
    const m = /^\s*(Basic|Bearer)\b\s*(.*)$/i.exec(h);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of m[2]!.matchAll(PARAM_RE)) params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
    return { scheme: m[1]!.toLowerCase() as Challenge['scheme'], params };
  }
  return undefined;
}
