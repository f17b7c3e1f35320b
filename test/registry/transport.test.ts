// Transport auth against a tiny in-process server speaking the Docker token protocol (the Debian registry
// only does htpasswd Basic): a Bearer challenge is answered with a token from the realm, fetched with the
// stored credentials and the request's scope, and cached per scope.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { Transport } from '../../src/registry/transport.js';
import { parseChallenge } from '../../src/registry/challenge.js';

describe('registry transport', () => {
  let server: Server;
  let port = 0;
  const tokenRequests: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/token') {
        if (req.headers.authorization !== `Basic ${Buffer.from('bob:pw').toString('base64')}`) { res.writeHead(401).end(); return; }
        tokenRequests.push(url.searchParams.get('scope') ?? '');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token: `tok:${url.searchParams.get('scope') ?? ''}` }));
        return;
      }
      const scope = url.pathname === '/v2/' ? '' : 'repository:x:pull';
      if (req.headers.authorization !== `Bearer tok:${scope}`) {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test"${scope ? `,scope="${scope}"` : ''}` }).end();
        return;
      }
      res.writeHead(200).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('parses Basic and Bearer challenges', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"'),
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' } });
    assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
    assert.equal(parseChallenge('Negotiate abc'), undefined);
  });

  it('answers a Bearer challenge with a token per scope, and caches it', async () => {
    const t = new Transport({ host: `127.0.0.1:${port}`, credentials: { username: 'bob', password: 'pw' } });
    await t.ping();
    for (let i = 0; i < 2; i++) {
      const res = await t.request({ method: 'GET', path: '/v2/x/manifests/latest', scope: 'repository:x:pull' });
      res.resume();
      assert.equal(res.statusCode, 200);
    }
    assert.deepEqual(tokenRequests, ['', 'repository:x:pull']);
  });

  it('reports wrong credentials at the token server in one line', async () => {
    const t = new Transport({ host: `127.0.0.1:${port}`, credentials: { username: 'bob', password: 'wrong' } });
    await assert.rejects(t.ping(), /unauthorized: incorrect username or password/);
  });
});
