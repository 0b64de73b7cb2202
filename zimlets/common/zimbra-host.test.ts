/**
 * The ZimletHost over Zimbra, against fakes of the few Zimbra globals it uses (the same members the
 * sandbox emulates, zimlets/README.md).
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
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
const GLOBALS = ['appCtxt', 'ZmSetting', 'ZmApp', 'ZmOperation', 'AjxEmailAddress', 'AjxCallback', 'window'];

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
