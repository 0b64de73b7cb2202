/**
 * The ZimletHost over Zimbra, against fakes of the few Zimbra globals it uses (the same members the
 * sandbox emulates, zimlets/README.md).
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { MailPortError } from '../../shared/host/mail-port.ts';
import { ZimbraSoapError, ZimbraZimletHost } from './zimbra-host.ts';

interface Recorded {
  sent: ZmSendRequestParams[];
  composed: ZmComposeParams[];
  setAddress: Array<[string, string]>;
  status: string[];
  errors: string[];
}

let rec: Recorded;
let currentView: Partial<ZmComposeViewLike> | null;
let locale: string;
let answer: (params: ZmSendRequestParams) => void;
const saved = new Map<string, unknown>();
const GLOBALS = ['appCtxt', 'ZmSetting', 'ZmApp', 'ZmOperation', 'AjxEmailAddress', 'AjxCallback', 'window', 'fetch'];

class FakeCallback {
  constructor(
    private obj: object | null,
    private fn: (...a: unknown[]) => unknown,
  ) {}
  run(...args: unknown[]): unknown {
    return this.fn.apply(this.obj, args);
  }
}

function fakeZimlet(messages: Record<string, string>): ZmZimletBase {
  return {
    getMessage: (key: string) => messages[key] ?? `???${key}???`,
    getUsername: () => 'marie.muller@esante.lu',
    getConfig: (name: string) => (name === 'portalUrl' ? 'https://regify.esante.lu' : undefined),
    displayStatusMessage: (m: string) => rec.status.push(m),
    displayErrorMessage: (m: string) => rec.errors.push(m),
  } as unknown as ZmZimletBase;
}

beforeEach(() => {
  rec = { sent: [], composed: [], setAddress: [], status: [], errors: [] };
  currentView = null;
  locale = 'de_LU';
  answer = () => {};
  const g = globalThis as Record<string, unknown>;
  for (const name of GLOBALS) saved.set(name, g[name]);
  Object.assign(globalThis, {
    window: { csrfToken: 'csrf-123' },
    ZmSetting: { LOCALE_NAME: 'LOCALE_NAME' },
    ZmApp: { MAIL: 'Mail' },
    ZmOperation: { NEW_MESSAGE: 'NEW_MESSAGE' },
    AjxEmailAddress: { TO: 'TO', CC: 'CC', BCC: 'BCC' },
    AjxCallback: FakeCallback,
    appCtxt: {
      get: (setting: string) => (setting === 'LOCALE_NAME' ? locale : undefined),
      getAppController: () => ({
        sendRequest: (params: ZmSendRequestParams) => {
          rec.sent.push(params);
          answer(params);
        },
      }),
      getApp: (name: string) => {
        assert.equal(name, 'Mail');
        return { compose: (p: ZmComposeParams) => rec.composed.push(p) };
      },
      getCurrentView: () => currentView,
    },
  });
});
afterEach(() => {
  const g = globalThis as Record<string, unknown>;
  for (const name of GLOBALS) {
    if (saved.get(name) === undefined) delete g[name];
    else g[name] = saved.get(name);
  }
});

describe('ZimbraZimletHost', () => {
  test('takes its language from zimbraPrefLocale, French when unknown', () => {
    assert.equal(new ZimbraZimletHost(fakeZimlet({})).lang, 'de');
    locale = 'pt_BR';
    assert.equal(new ZimbraZimletHost(fakeZimlet({})).lang, 'fr');
  });

  test('msg fills {0} arguments; identity, CSRF token and config come from Zimbra', () => {
    const host = new ZimbraZimletHost(fakeZimlet({ hello: 'Bonjour {0}, {1} messages' }));
    assert.equal(host.msg('hello', 'Marie', 3), 'Bonjour Marie, 3 messages');
    assert.equal(host.msg('nope'), '???nope???');
    assert.equal(host.username(), 'marie.muller@esante.lu');
    assert.equal(host.csrfToken(), 'csrf-123');
    assert.equal(host.config('portalUrl'), 'https://regify.esante.lu');
    assert.equal(host.config('missing'), undefined);
  });

  test('zimbra() sends Zimbra JSON and resolves with the named response', async () => {
    answer = (p) => p.callback?.run({ getResponse: () => ({ CreateFolderResponse: { folder: [{ id: '257' }] } }) });
    const host = new ZimbraZimletHost(fakeZimlet({}));
    const res = await host.zimbra<{ folder: Array<{ id: string }> }>('CreateFolderRequest', { folder: { name: 'Professionnels', view: 'contact', l: '1' } });
    assert.deepEqual(res, { folder: [{ id: '257' }] });
    assert.deepEqual(rec.sent[0]?.jsonObj, { CreateFolderRequest: { _jsns: 'urn:zimbraMail', folder: { name: 'Professionnels', view: 'contact', l: '1' } } });
    assert.equal(rec.sent[0]?.asyncMode, true);
  });

  test('zimbra() rejects with Zimbra’s code and tells Zimbra the error is handled', async () => {
    let handled: unknown;
    answer = (p) => {
      handled = p.errorCallback?.run({ code: 'mail.ALREADY_EXISTS', msg: 'object with that name already exists' });
    };
    const host = new ZimbraZimletHost(fakeZimlet({}));
    await assert.rejects(host.zimbra('CreateFolderRequest', {}), (e: unknown) => e instanceof ZimbraSoapError && e.code === 'mail.ALREADY_EXISTS');
    assert.equal(handled, true);
  });

  test('compose() prefills a new message with "; "-separated addresses', () => {
    new ZimbraZimletHost(fakeZimlet({})).compose({ to: ['a@x.lu', 'b@y.lu'], bcc: ['c@z.lu'], subject: 'Patient' });
    assert.deepEqual(rec.composed, [
      { action: 'NEW_MESSAGE', toOverride: 'a@x.lu; b@y.lu', ccOverride: undefined, bccOverride: 'c@z.lu', subjOverride: 'Patient' },
    ]);
  });

  test('addToCurrentCompose() fills the open compose view, and answers false when none is open', () => {
    const host = new ZimbraZimletHost(fakeZimlet({}));
    currentView = {}; // e.g. the message list: no setAddress
    assert.equal(host.addToCurrentCompose('cc', ['a@x.lu']), false);
    currentView = { setAddress: (type, addr) => rec.setAddress.push([type, addr]) };
    assert.equal(host.addToCurrentCompose('cc', ['a@x.lu', 'b@y.lu']), true);
    assert.equal(host.addToCurrentCompose('bcc', []), false);
    assert.deepEqual(rec.setAddress, [['CC', 'a@x.lu; b@y.lu']]);
  });

  test('notify() uses the status line or the error dialog', () => {
    const host = new ZimbraZimletHost(fakeZimlet({}));
    host.notify('Contact ajouté');
    host.notify('Échec', 'error');
    assert.deepEqual([rec.status, rec.errors], [['Contact ajouté'], ['Échec']]);
  });
});

/** Zimbra's SOAP answers by request name; a Fault when the handler throws a {code}. */
function soapAnswers(handlers: Record<string, (body: Record<string, unknown>) => unknown>): void {
  answer = (p) => {
    const [name, body] = Object.entries(p.jsonObj as Record<string, Record<string, unknown>>)[0]!;
    const handler = handlers[name];
    try {
      const res = handler ? handler(body) : {};
      p.callback?.run({ getResponse: () => ({ [name.replace(/Request$/, 'Response')]: res }) });
    } catch (e) {
      p.errorCallback?.run({ code: (e as { code: string }).code, msg: String((e as { code: string }).code) });
    }
  };
}

interface FetchCall {
  url: string;
  init: RequestInit;
}
function fakeFetch(respond: (call: FetchCall) => Response | Promise<Response>): FetchCall[] {
  const calls: FetchCall[] = [];
  (globalThis as Record<string, unknown>)['fetch'] = async (url: string, init: RequestInit = {}) => {
    const call = { url, init };
    calls.push(call);
    return respond(call);
  };
  return calls;
}

const MSG = { e: [{ t: 't' as const, a: 'dr.weber@chl.lu' }, { t: 'c' as const, a: 'sec@chl.lu', p: 'Secrétariat' }], subject: 'Résultats', body: { contentType: 'text/plain' as const, text: 'Hb 13,2' } };

describe('ZimbraZimletHost — the mail port', () => {
  test('saveDraft sends SaveDraftRequest with m.id only when replacing, and answers the draft id', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    soapAnswers({ SaveDraftRequest: (b) => (bodies.push(b), { m: [{ id: 301 }] }) });
    const host = new ZimbraZimletHost(fakeZimlet({}));
    assert.equal(await host.saveDraft({ ...MSG, uploadIds: ['a1', 'a2'] }), '301');
    assert.equal(await host.saveDraft(MSG, '301'), '301');
    assert.deepEqual(bodies[0], {
      _jsns: 'urn:zimbraMail',
      m: {
        e: [{ t: 't', a: 'dr.weber@chl.lu' }, { t: 'c', a: 'sec@chl.lu', p: 'Secrétariat' }],
        su: { _content: 'Résultats' },
        mp: [{ ct: 'text/plain', content: { _content: 'Hb 13,2' } }],
        attach: { aid: 'a1,a2' },
      },
    });
    assert.equal((bodies[0]!['m'] as Record<string, unknown>)['id'], undefined);
    assert.equal((bodies[1]!['m'] as Record<string, unknown>)['id'], '301');
  });

  test('saveDraft rejects a replaced draft that is gone with Zimbra’s code, and an answer without id', async () => {
    soapAnswers({ SaveDraftRequest: () => { throw { code: 'mail.NO_SUCH_MSG' }; } });
    const host = new ZimbraZimletHost(fakeZimlet({}));
    await assert.rejects(host.saveDraft(MSG, '9'), (e: unknown) => e instanceof ZimbraSoapError && e.code === 'mail.NO_SUCH_MSG');
    soapAnswers({ SaveDraftRequest: () => ({ m: [{}] }) });
    await assert.rejects(host.saveDraft(MSG), ZimbraSoapError);
  });

  test('sendMessage puts the draft in m.did (never m.id) and answers the Sent copy’s id', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    soapAnswers({ SendMsgRequest: (b) => (bodies.push(b), bodies.length === 1 ? { m: [{ id: '402' }] } : { m: [{}] }) });
    const host = new ZimbraZimletHost(fakeZimlet({}));
    assert.equal(await host.sendMessage({ ...MSG, uploadIds: ['c1'] }, '301'), '402');
    assert.equal(await host.sendMessage(MSG), undefined);
    const m0 = bodies[0]!['m'] as Record<string, unknown>;
    assert.equal(m0['did'], '301');
    assert.equal(m0['id'], undefined);
    assert.deepEqual(m0['attach'], { aid: 'c1' });
    assert.equal((bodies[1]!['m'] as Record<string, unknown>)['did'], undefined);
  });

  test('deleteMessage is a hard MsgAction delete; an id already gone is done, other Faults are not', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    let fault: string | undefined;
    soapAnswers({ MsgActionRequest: (b) => { bodies.push(b); if (fault) throw { code: fault }; return { action: b['action'] }; } });
    const host = new ZimbraZimletHost(fakeZimlet({}));
    await host.deleteMessage('301');
    assert.deepEqual(bodies[0], { _jsns: 'urn:zimbraMail', action: { id: '301', op: 'delete' } });
    fault = 'mail.NO_SUCH_MSG';
    await host.deleteMessage('301');
    fault = 'service.PERM_DENIED';
    await assert.rejects(host.deleteMessage('301'), (e: unknown) => e instanceof ZimbraSoapError && e.code === 'service.PERM_DENIED');
  });

  test('rawMessage and attachmentBytes GET Zimbra’s servlets, uncached, and type their failures', async () => {
    const calls = fakeFetch(({ url }) => (url.includes('id=404') ? new Response('no such item', { status: 404 }) : new Response(new Uint8Array([1, 2, 3]))));
    const host = new ZimbraZimletHost(fakeZimlet({}));
    assert.deepEqual(await host.rawMessage('301'), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await host.attachmentBytes('301', '2.1'), new Uint8Array([1, 2, 3]));
    assert.deepEqual(calls.map((c) => c.url), ['/service/content/get?id=301', '/service/home/~/?id=301&part=2.1']);
    assert.equal(calls[0]!.init.cache, 'no-store');
    assert.equal(calls[0]!.init.credentials, 'same-origin');
    await assert.rejects(host.attachmentBytes('404', '2'), (e: unknown) => e instanceof MailPortError && e.failure === 'not_found' && e.status === 404);
    fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    await assert.rejects(host.rawMessage('301'), (e: unknown) => e instanceof MailPortError && e.failure === 'network');
  });

  test('an aborted download rejects with the abort, not as a network failure', async () => {
    fakeFetch(({ init }) => new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason))));
    const host = new ZimbraZimletHost(fakeZimlet({}));
    const ctl = new AbortController();
    const p = host.attachmentBytes('301', '2', ctl.signal);
    ctl.abort();
    await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
  });

  test('upload posts the raw bytes as the web client does and reads the aid of fmt=raw,extended', async () => {
    const calls = fakeFetch(() => new Response(`200,'null',[{"aid":"3f2a:9b","filename":"message.rgf","ct":"application/vnd.esante.container"}]`));
    const host = new ZimbraZimletHost(fakeZimlet({}));
    assert.equal(await host.upload(new Uint8Array([9]), 'Résultat "final".pdf', 'application/pdf'), '3f2a:9b');
    const { url, init } = calls[0]!;
    assert.equal(url, '/service/upload?fmt=raw,extended');
    assert.equal(init.method, 'POST');
    const headers = init.headers as Record<string, string>;
    assert.equal(headers['X-Zimbra-Csrf-Token'], 'csrf-123');
    assert.equal(headers['Content-Type'], 'application/pdf');
    assert.equal(headers['Content-Disposition'], 'attachment; filename="R_sultat _final_.pdf"');
    // A Blob of exactly the bytes (Chromium uploads a Blob faster than a typed array: zimbra-host.ts).
    assert.ok(init.body instanceof Blob);
    assert.deepEqual(new Uint8Array(await (init.body as Blob).arrayBuffer()), new Uint8Array([9]));
  });

  test('upload: the status inside the answer counts, and an answer without aid is a failure', async () => {
    const host = new ZimbraZimletHost(fakeZimlet({}));
    fakeFetch(() => new Response(`413,'null'`));
    await assert.rejects(host.upload(new Uint8Array([9]), 'a.bin', ''), (e: unknown) => e instanceof MailPortError && e.failure === 'too_large');
    fakeFetch(() => new Response(`401,'null'`));
    await assert.rejects(host.upload(new Uint8Array([9]), 'a.bin', ''), (e: unknown) => e instanceof MailPortError && e.failure === 'auth');
    fakeFetch(() => new Response(`200,'null',[{}]`));
    await assert.rejects(host.upload(new Uint8Array([9]), 'a.bin', ''), (e: unknown) => e instanceof MailPortError && e.failure === 'failed');
  });

  test('postToService reaches only our service’s routes, with CSRF token and language', async () => {
    const calls = fakeFetch(() => new Response(JSON.stringify({ uploadId: 'u1' }), { status: 200, headers: { 'content-type': 'application/json' } }));
    const host = new ZimbraZimletHost(fakeZimlet({}));
    const answer1 = await host.postToService('/service/extension/esante/dsp/upload', new Uint8Array([1]), 'application/pdf');
    assert.deepEqual(answer1, { status: 200, ok: true, body: { uploadId: 'u1' } });
    const headers = calls[0]!.init.headers as Record<string, string>;
    assert.deepEqual([headers['X-Zimbra-Csrf-Token'], headers['Accept-Language'], headers['Content-Type']], ['csrf-123', 'de', 'application/pdf']);
    for (const bad of ['/service/upload', '/service/soap/SendMsgRequest', '/service/extension/esante/../../upload', 'https://evil.example/service/extension/esante/x']) {
      await assert.rejects(host.postToService(bad, new Uint8Array([1]), 'text/plain'), MailPortError, bad);
    }
    assert.equal(calls.length, 1);
    fakeFetch(() => new Response('<html>proxy error</html>', { status: 502 }));
    assert.deepEqual(await host.postToService('/service/extension/esante/dsp/upload', new Uint8Array([1]), 'application/pdf'), { status: 502, ok: false, body: undefined });
  });
});
