/**
 * The safe default send (issue 10, defect 6): site setting, directory recipients, the createOp
 * parameters that keep the padlock, and the plain-send question over a fake compose controller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setSignRequested } from '../../../../shared/host/compose-flags.ts';
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import {
  defaultSendOf,
  directoryDomainsOf,
  directoryRecipients,
  markDefaultSend,
  newCompose,
  onPlainSend,
  registerEncryptedSend,
  sendButtonParams,
  DEFAULT_CLASS,
  DEMOTED_CLASS,
  PLAIN_SEND_HELD,
  type DefaultSendDeps,
  type PlainSendAnswer,
} from './default-send.ts';
import type { ZmComposeControllerLike } from './zimbra-objects.ts';

const TYPES = { to: 'TO', cc: 'CC', bcc: 'BCC' };

function controllerTo(fields: Record<string, string[]>) {
  const c = {
    resent: 0,
    _composeView: { getMsg: () => ({ getAddresses: (t: string) => ({ getArray: () => (fields[t] ?? []).map((address) => ({ address })) }) }) },
    _cancelCompose() {},
    _sendListener() {
      c.resent++;
    },
  };
  return c as typeof c & ZmComposeControllerLike;
}

/** deps whose question answers what the test pushes, recording each time it was asked. */
function depsWith(config: Record<string, string> = {}) {
  const asked: string[][] = [];
  let answer: (a: PlainSendAnswer) => void = () => undefined;
  let off = false;
  const deps: DefaultSendDeps = {
    host: { config: (n: string) => config[n], msg: (k: string) => k } as unknown as ZimletHost,
    addressTypes: TYPES,
    questionOn: () => !off,
    turnQuestionOff: () => {
      off = true;
    },
    ask: (_host, recipients) => {
      asked.push(recipients);
      return new Promise((resolve) => (answer = resolve));
    },
  };
  return { deps, asked, answer: (a: PlainSendAnswer) => answer(a), isOff: () => off };
}
const tick = () => new Promise((r) => setImmediate(r));

test('site setting: encrypted unless it says exactly "plain"', () => {
  assert.equal(defaultSendOf(undefined), 'encrypted');
  assert.equal(defaultSendOf(' Plain '), 'plain');
  assert.equal(defaultSendOf('plane'), 'encrypted', 'a typo must not make the clear send the default');
});

test('directory recipients: exact domain, any case; default esante.lu', () => {
  assert.deepEqual(directoryDomainsOf(undefined), ['esante.lu']);
  assert.deepEqual(directoryDomainsOf(' @Esante.lu , hopital.lu'), ['esante.lu', 'hopital.lu']);
  assert.deepEqual(directoryRecipients(['Jean.Dupont@ESANTE.LU', 'x@notesante.lu', 'y@esante.lu.evil.com', 'z@sub.esante.lu'], ['esante.lu']), ['Jean.Dupont@ESANTE.LU']);
});

test('"Envoyer avec Regify" keeps its padlock and text (ZmButtonToolBar.createOp) and is first when encrypted is the default', () => {
  const enc = sendButtonParams('encrypted', 'Envoyer avec Regify', 'tip', 'pad');
  assert.equal(enc.showImageInToolbar, true);
  assert.equal(enc.showTextInToolbar, true, 'showImageInToolbar alone would drop the text');
  assert.equal(enc.index, 0);
  assert.equal(sendButtonParams('plain', 't', 'tip', 'pad').index, 1);
});

test('markDefaultSend highlights ours and demotes Zimbra\'s Send; plain mode undoes it', () => {
  const el = () => {
    const set = new Set<string>();
    return { set, getHtmlElement: () => ({ classList: { toggle: (c: string, on: boolean) => (on ? set.add(c) : set.delete(c)) } }) };
  };
  const ours = el();
  const send = el();
  const toolbar = { getButton: (id: string) => (id === 'SEND' ? send : undefined) };
  markDefaultSend('encrypted', toolbar, ours);
  assert.ok(ours.set.has(DEFAULT_CLASS) && send.set.has(DEMOTED_CLASS));
  markDefaultSend('plain', toolbar, ours);
  assert.equal(ours.set.size + send.set.size, 0);
});

test('no eSanté recipient: the plain send goes on, nothing asked', () => {
  const t = depsWith();
  assert.equal(onPlainSend(t.deps, controllerTo({ TO: ['ami@example.org'] })), false);
  assert.equal(t.asked.length, 0);
});

test('an eSanté recipient: asked once; "send in clear" re-runs _sendListener and is not asked again for this compose', async () => {
  const t = depsWith();
  const c = controllerTo({ TO: ['ami@example.org'], CC: ['jean.dupont@esante.lu'] });
  assert.equal(onPlainSend(t.deps, c), true, 'Zimbra\'s send is suppressed while asking');
  assert.deepEqual(t.asked, [['jean.dupont@esante.lu']]);
  assert.equal((c as unknown as Record<string, unknown>)[PLAIN_SEND_HELD], true, 'the security zimlet sees the send is held');
  assert.equal(onPlainSend(t.deps, c), true, 'a second click while asking: still held, not asked twice');
  assert.equal(t.asked.length, 1);
  t.answer({ choice: 'plain', dontAskAgain: false });
  await tick();
  assert.equal(c.resent, 1, 'through every zimlet hook again (signing), not _send()');
  assert.equal((c as unknown as Record<string, unknown>)[PLAIN_SEND_HELD], false);
  assert.equal(onPlainSend(t.deps, c), false, 'the re-run send passes');
  assert.equal(t.isOff(), false);
  newCompose(c);
  assert.equal(onPlainSend(t.deps, c), true, 'the next compose (same reused controller) asks again');
  assert.equal(t.asked.length, 2);
});

test('"Envoyer avec Regify" in the question runs the encrypted send; Annuler sends nothing', async () => {
  const t = depsWith();
  const c = controllerTo({ TO: ['a@esante.lu'] });
  let encrypted = 0;
  registerEncryptedSend(c, () => encrypted++);
  onPlainSend(t.deps, c);
  t.answer({ choice: 'encrypted', dontAskAgain: true });
  await tick();
  assert.deepEqual([encrypted, c.resent], [1, 0]);
  assert.equal(t.isOff(), true, '"Ne plus poser cette question" is saved');
  assert.equal(onPlainSend(t.deps, c), false, 'turned off: never asked again');

  const u = depsWith();
  const d = controllerTo({ TO: ['b@esante.lu'] });
  onPlainSend(u.deps, d);
  u.answer({ choice: 'cancel', dontAskAgain: true });
  await tick();
  assert.deepEqual([d.resent, u.isOff()], [0, false], 'Annuler: nothing sent, the box ignored');
  assert.equal(onPlainSend(u.deps, d), true, 'asked again on the next click');
});

test('a send marked "Signer" is not asked about (the security zimlet does not wait for the answer yet)', () => {
  const t = depsWith();
  const c = controllerTo({ TO: ['a@esante.lu'] });
  setSignRequested(c, true);
  assert.equal(onPlainSend(t.deps, c), false);
  assert.equal(t.asked.length, 0);
});

test('an unexpected controller shape never throws into Zimbra', () => {
  const t = depsWith();
  const broken = { _composeView: { getMsg: () => { throw new Error('x'); } } } as unknown as ZmComposeControllerLike;
  assert.equal(onPlainSend(t.deps, broken), false);
});
