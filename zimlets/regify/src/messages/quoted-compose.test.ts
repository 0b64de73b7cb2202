import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { publishDecryptedMessage } from '../../../../shared/host/decrypted-documents.ts';
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { beginQuotedCompose, endQuotedCompose, liftQuotedCompose, onResetToolbar, quotedComposeOf, replaceQuotedText, type QuotableController } from './quoted-compose.ts';

const COVER = 'Message confidentiel – Confidential message\r\nOuvrez la pièce jointe message.esmsg.';
const SECRET = 'HbA1c 9,1 % chez M. Schmit';

describe('replaceQuotedText', () => {
  test('the cover text Zimbra quoted becomes the decrypted text, as is or line-prefixed', () => {
    const body = `\r\n\r\n----- Message d’origine -----\r\nDe: a@esante.lu\r\n\r\n${COVER}\r\n`;
    assert.equal(replaceQuotedText(body, COVER, `${SECRET}\nFin.`), `\r\n\r\n----- Message d’origine -----\r\nDe: a@esante.lu\r\n\r\n${SECRET}\r\nFin.\r\n`);
    const prefixed = `Merci\r\n> ${COVER.replace('\r\n', '\r\n> ')}\r\n`;
    assert.equal(replaceQuotedText(prefixed, COVER, SECRET), `Merci\r\n> ${SECRET}\r\n`);
  });
  test('an edited body keeps the user\'s text and gets the decrypted text at the end; $ patterns stay literal', () => {
    assert.equal(replaceQuotedText('Mon texte', COVER, 'prix $& $1'), 'Mon texte\r\n\r\nprix $& $1\r\n');
  });
});

class FakeButton {
  enabled = true;
  setEnabled(on: boolean) {
    this.enabled = on;
  }
}

function fixture(opts: { decrypted: boolean; container?: boolean; action?: string }) {
  const doc = globalThis.document;
  const buttons: Record<string, FakeButton> = { SAVE_DRAFT: new FakeButton(), SEND_LATER: new FakeButton(), DETACH_COMPOSE: new FakeButton(), SEND: new FakeButton() };
  let body = `\r\n\r\n----- Message d’origine -----\r\n\r\n${COVER}\r\n`;
  let clean = '';
  let killed = 0;
  const msg = {
    id: '257',
    messageId: '<cover@esante.lu>',
    attachments: opts.container === false ? [] : [{ part: '2', ct: 'application/vnd.esante.secure-message', filename: 'message.esmsg' }],
    getBodyPart: () => ({ getContent: () => COVER }),
  };
  const controller: QuotableController & { _canSaveDraft?: () => boolean } = {
    _msg: msg,
    _action: opts.action ?? 'REPLY',
    _composeView: { getHtmlEditor: () => ({ getContent: () => body, setContent: (t: string) => void (body = t) }), _setFormValue: () => void (clean = body) },
    _autoSaveTimer: { kill: () => void killed++ },
    _toolbar: { getButton: (id: string) => buttons[id] },
  };
  Object.setPrototypeOf(controller, { _canSaveDraft: () => true });
  const notes: string[] = [];
  const host = { msg: (k: string) => k, notify: (m: string) => void notes.push(m) } as unknown as ZimletHost;
  if (opts.decrypted) {
    publishDecryptedMessage({ messageId: '257', subject: 'Résultats', date: '', text: SECRET, attachments: [{ fileName: 'bilan.pdf', mimeType: 'application/pdf', bytes: new Uint8Array([1]) }] }, doc);
  }
  const find = (m: { attachments?: Array<{ part?: string }> }) => m.attachments?.[0];
  return { controller, buttons, host, notes, find, body: () => body, clean: () => clean, killed: () => killed };
}

describe('beginQuotedCompose: the reply of a message decrypted in the page', () => {
  // A minimal document for the registry (shared/host/decrypted-documents.ts keeps it on `document`).
  const target = new EventTarget() as unknown as Document;
  (globalThis as { document?: Document }).document = target;

  test('quotes the decrypted text, suspends drafts, says so once; the next compose gets Zimbra\'s switch back', () => {
    const f = fixture({ decrypted: true, action: 'FORWARD' });
    const q = beginQuotedCompose(f.host, f.controller, f.find as never);
    assert.ok(q && q.forward && q.inReplyTo === '<cover@esante.lu>');
    assert.ok(f.body().includes(SECRET) && !f.body().includes('Ouvrez la pièce jointe'));
    assert.equal(f.clean(), f.body(), 'the quoted form is the clean state');
    assert.equal(f.controller._canSaveDraft!(), false);
    assert.equal(f.killed(), 1);
    assert.deepEqual([f.buttons.SAVE_DRAFT!.enabled, f.buttons.SEND_LATER!.enabled, f.buttons.DETACH_COMPOSE!.enabled, f.buttons.SEND!.enabled], [false, false, false, true]);
    assert.deepEqual(f.notes, ['reply_no_draft']);
    // resetToolbarOperations enables everything; the zimlet's hook turns the draft operations off again.
    for (const b of Object.values(f.buttons)) b.enabled = true;
    onResetToolbar(f.controller._toolbar);
    assert.equal(f.buttons.SAVE_DRAFT!.enabled, false);
    endQuotedCompose(f.controller);
    assert.equal(f.controller._canSaveDraft!(), true);
    assert.ok(!Object.prototype.hasOwnProperty.call(f.controller, '_canSaveDraft'));
    assert.equal(quotedComposeOf(f.controller), undefined);
  });

  test('the user choosing the plain send lifts the guard for that compose', () => {
    const f = fixture({ decrypted: true });
    beginQuotedCompose(f.host, f.controller, f.find as never);
    liftQuotedCompose(f.controller);
    assert.equal(f.controller._canSaveDraft!(), true);
    assert.equal(quotedComposeOf(f.controller)?.lifted, true);
    assert.equal(f.buttons.SAVE_DRAFT!.enabled, true);
  });

  test('a reply to a plain message, or to an encrypted one not opened here, is left to Zimbra', () => {
    const notOpenedHere = fixture({ decrypted: false });
    (notOpenedHere.controller._msg as { id: string }).id = '999'; // never published to the registry
    for (const f of [fixture({ decrypted: true, container: false }), notOpenedHere]) {
      assert.equal(beginQuotedCompose(f.host, f.controller, f.find as never), undefined);
      assert.equal(f.controller._canSaveDraft!(), true);
      assert.ok(f.body().includes('Ouvrez la pièce jointe'));
      assert.deepEqual(f.notes, []);
    }
  });
});
