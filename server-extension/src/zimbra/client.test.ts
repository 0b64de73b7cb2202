import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { AuthRequiredError, ServiceUnavailableError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { ZimbraAdmin, ZimbraClient, ZimbraFaultError } from './client.ts';

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
  body: { Header: { context: Record<string, unknown> }; Body: Record<string, Record<string, unknown>> };
}
type Reply = (seen: Seen, res: ServerResponse) => void;

const lines: string[] = [];
const log = createLogger({
  level: 'debug',
  destination: new Writable({
    write(c: Buffer, _e, cb) {
      lines.push(c.toString());
      cb();
    },
  }),
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};
const fault = (code: string, text = 'x') => ({ Body: { Fault: { Code: { Value: 'soap:Sender' }, Reason: { Text: text }, Detail: { Error: { Code: code, _jsns: 'urn:zimbra' } } } } });

describe('ZimbraClient against a stub Zimbra', () => {
  let server: Server;
  let url: string;
  let reply: Reply;
  const seen: Seen[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        const s: Seen = { path: req.url ?? '', headers: req.headers, body: JSON.parse(data) as Seen['body'] };
        seen.push(s);
        reply(s, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const client = (timeoutMs = 2000) => new ZimbraClient({ url, adminUrl: `${url}/admin-port`, timeoutMs, log });

  test('GetInfoRequest: the auth token in the context, the CSRF token in the header; attrs and prefs read', async () => {
    seen.length = 0;
    reply = (_s, res) =>
      json(res, 200, {
        Body: {
          GetInfoResponse: {
            id: 'uuid-1',
            name: 'marie.schmit@esante.lu',
            attrs: { _attrs: { displayName: 'Marie Schmit', esanteAuthMethod: 'card' } },
            prefs: { _attrs: { zimbraPrefLocale: 'de' } },
            _jsns: 'urn:zimbraAccount',
          },
        },
      });
    const info = await client().getInfo('the-token', 'the-csrf');
    assert.deepEqual(info, { id: 'uuid-1', name: 'marie.schmit@esante.lu', displayName: 'Marie Schmit', locale: 'de', authMethod: 'card' });
    const s = seen[0]!;
    assert.equal(s.path, '/service/soap/GetInfoRequest');
    assert.equal(s.headers['x-zimbra-csrf-token'], 'the-csrf');
    assert.deepEqual(s.body.Header.context['authToken'], { _content: 'the-token' });
    assert.equal(s.body.Header.context['_jsns'], 'urn:zimbra');
    assert.equal(s.body.Body['GetInfoRequest']!['_jsns'], 'urn:zimbraAccount');
  });

  test('auth faults and a bare 401 (CSRF mismatch in SoapEngine) become AuthRequiredError', async () => {
    for (const code of ['service.AUTH_REQUIRED', 'service.AUTH_EXPIRED', 'account.AUTH_FAILED']) {
      reply = (_s, res) => json(res, 500, fault(code));
      await assert.rejects(client().getInfo('t', 'c'), AuthRequiredError, code);
    }
    reply = (_s, res) => {
      res.writeHead(401);
      res.end();
    };
    await assert.rejects(client().getInfo('t', 'c'), AuthRequiredError);
  });

  test('other faults keep Zimbra’s code; a 502 without a fault is service.unavailable', async () => {
    reply = (_s, res) => json(res, 500, fault('service.FAILURE', 'system failure: boom'));
    await assert.rejects(client().getInfo('t', 'c'), (e: unknown) => e instanceof ZimbraFaultError && e.zimbraCode === 'service.FAILURE' && e.code === 'service.internal');
    reply = (_s, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    };
    await assert.rejects(client().getInfo('t', 'c'), ServiceUnavailableError);
  });

  test('a Zimbra that does not answer in time is service.unavailable', async () => {
    reply = () => {
      /* never answers */
    };
    const started = Date.now();
    await assert.rejects(client(150).getInfo('t', 'c'), ServiceUnavailableError);
    assert.ok(Date.now() - started < 1500);
  });

  test('verifyAuthToken: AuthRequest with verifyAccount, false when refused', async () => {
    seen.length = 0;
    reply = (_s, res) => json(res, 200, { Body: { AuthResponse: { authToken: [{ _content: 'x' }] } } });
    assert.equal(await client().verifyAuthToken('tok', 'marie.schmit@esante.lu'), true);
    assert.deepEqual(seen[0]!.body.Body['AuthRequest'], {
      _jsns: 'urn:zimbraAccount',
      authToken: { verifyAccount: '1', _content: 'tok' },
      account: { by: 'name', _content: 'marie.schmit@esante.lu' },
    });
    reply = (_s, res) => json(res, 500, fault('account.AUTH_FAILED'));
    assert.equal(await client().verifyAuthToken('tok', 'marie.schmit@esante.lu'), false);
  });

  test('admin: logs in once, re-authenticates once on an expired token, NO_SUCH_ACCOUNT is null', async () => {
    seen.length = 0;
    let adminLogins = 0;
    let expireNext = false;
    reply = (s, res) => {
      const name = Object.keys(s.body.Body)[0];
      if (name === 'AuthRequest') {
        adminLogins++;
        return json(res, 200, { Body: { AuthResponse: { authToken: [{ _content: `admin-${adminLogins}` }], _jsns: 'urn:zimbraAdmin' } } });
      }
      if (expireNext) {
        expireNext = false;
        return json(res, 500, fault('service.AUTH_EXPIRED'));
      }
      if (name === 'GetAccountRequest') return json(res, 500, fault('account.NO_SUCH_ACCOUNT'));
      return json(res, 200, { Body: { CreateAccountResponse: { account: [{ id: 'new-id', name: 'jean.dupont@esante.lu', a: [{ n: 'displayName', _content: 'Jean Dupont' }] }] } } });
    };
    const admin = new ZimbraAdmin(client(), () => ({ name: 'admin@esante.lu', password: 'admin-pw-1' }));
    assert.equal(await admin.getAccount('jean.dupont@esante.lu'), null);
    expireNext = true;
    const created = await admin.createAccount('jean.dupont@esante.lu', { displayName: 'Jean Dupont' });
    assert.deepEqual(created, { id: 'new-id', name: 'jean.dupont@esante.lu', attrs: { displayName: 'Jean Dupont' } });
    assert.equal(adminLogins, 2, 'one login, one re-login after expiry');
    const auth = seen.find((s) => s.body.Body['AuthRequest'])!;
    assert.equal(auth.path, '/admin-port/service/admin/soap/AuthRequest');
    assert.deepEqual(auth.body.Body['AuthRequest'], { _jsns: 'urn:zimbraAdmin', name: 'admin@esante.lu', password: 'admin-pw-1' });
    const create = seen.filter((s) => s.body.Body['CreateAccountRequest']).at(-1)!;
    assert.deepEqual(create.body.Header.context['authToken'], { _content: 'admin-2' });
    assert.deepEqual(create.body.Body['CreateAccountRequest']!['a'], [{ n: 'displayName', _content: 'Jean Dupont' }]);
  });

  test('refused admin credentials are the service’s problem (unavailable), not the caller’s', async () => {
    reply = (_s, res) => json(res, 500, fault('account.AUTH_FAILED'));
    const admin = new ZimbraAdmin(client(), () => ({ name: 'admin@esante.lu', password: 'wrong' }));
    await assert.rejects(admin.getAccount('x@esante.lu'), ServiceUnavailableError);
  });

  test('nothing logged carries a token or a password', () => {
    const all = lines.join('');
    for (const s of ['the-token', 'the-csrf', 'admin-pw-1', 'admin-1']) assert.ok(!all.includes(s), s);
  });
});

test('a Zimbra that refuses connections is service.unavailable', async () => {
  const c = new ZimbraClient({ url: 'http://127.0.0.1:1', adminUrl: 'http://127.0.0.1:1', timeoutMs: 1000, log });
  await assert.rejects(c.getInfo('t', 'c'), ServiceUnavailableError);
});
