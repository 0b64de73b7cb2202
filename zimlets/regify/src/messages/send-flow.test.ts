/**
 * "Envoyer avec Regify" over a FAKE mailbox that behaves as Zimbra does (SaveDraft replaces `m.id`,
 * SendMsg deletes `did` after a successful send and ignores a failure to, MsgAction delete is hard),
 * with a fault injected at each step: nothing is sent half-way, no readable copy of the message stays
 * in any folder, and the failed step is reported.
 */
import { containerDigest, readHeader } from '../../../../shared/container/container.ts';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZimbraSoapError } from '../../../common/zimbra-host.ts';
import { MailPortError, type MailHost, type OutgoingMessage } from '../../../../shared/host/mail-port.ts';
import { ServiceFault } from '../../../../shared/soap/client.ts';
import { runEncryptedSend, type ComposedMessage, type SendFlowDeps, type SendStep, type ServiceCall } from './send-flow.ts';

/** What an upload carried: the bytes, or those of the Blob the send flow gives (its segments). */
async function bytesOf(body: Uint8Array | Blob): Promise<Uint8Array> {
  return body instanceof Blob ? new Uint8Array(await body.arrayBuffer()) : body;
}

const PLAINTEXT = 'Patient Jean Schmit, matricule 1975031512345: HbA1c 9,1 %';
const DRAFTS = 'Drafts';
const SENT = 'Sent';

interface Item {
  folder: string;
  text: string;
}

type Fault = SendStep | 'delete' | 'didDelete';

class FakeZimbra {
  readonly items = new Map<string, Item>();
  readonly calls: string[] = [];
  /** The bytes of each upload, in order. */
  readonly uploaded: Uint8Array[] = [];
  /** Every service call with its request. */
  readonly requests: Array<[string, unknown]> = [];
  faults = new Set<Fault>();
  /** Called just after the draft was saved, e.g. to autosave meanwhile. */
  afterSave: (() => void) | undefined;
  private next = 300;

  host(): MailHost {
    const fail = (step: Fault, err: Error) => {
      if (this.faults.has(step)) throw err;
    };
    const text = (m: OutgoingMessage) => `To: ${m.e.map((x) => x.a).join(', ')}\r\nSubject: ${m.subject}\r\n\r\n${m.body.text}`;
    return {
      lang: 'fr',
      msg: (key: string, ...args: ReadonlyArray<string | number>) => [key, ...args].join(' '),
      username: () => 'dr.muller@esante.lu',
      csrfToken: () => 'csrf',
      config: () => undefined,
      zimbra: () => Promise.reject(new Error('not used')),
      compose: () => undefined,
      addToCurrentCompose: () => false,
      notify: () => undefined,
      saveDraft: async (m, replaceId) => {
        this.calls.push('saveDraft');
        fail('draft', new ZimbraSoapError('service.FAILURE', 'SaveDraft failed'));
        if (replaceId && !this.items.has(replaceId)) throw new ZimbraSoapError('mail.NO_SUCH_MSG', replaceId);
        const id = replaceId ?? String(this.next++);
        this.items.set(id, { folder: DRAFTS, text: text(m) });
        this.afterSave?.();
        return id;
      },
      deleteMessage: async (id) => {
        this.calls.push(`delete ${id}`);
        fail('delete', new ZimbraSoapError('service.FAILURE', 'delete failed'));
        this.items.delete(id);
      },
      rawMessage: async (id) => {
        this.calls.push('rawMessage');
        fail('mime', new MailPortError('network', 'no answer'));
        const item = this.items.get(id);
        if (!item) throw new MailPortError('not_found', 'gone', 404);
        return new TextEncoder().encode(item.text);
      },
      attachmentBytes: () => Promise.reject(new Error('not used')),
      upload: async (body) => {
        this.calls.push('upload');
        fail('upload', new MailPortError('too_large', 'upload: HTTP 413', 413));
        const bytes = await bytesOf(body);
        this.uploaded.push(bytes);
        assert.ok(!new TextDecoder().decode(bytes).includes('HbA1c'), 'the upload is the sealed container');
        return 'aid-1';
      },
      sendMessage: async (m, did) => {
        this.calls.push('sendMessage');
        fail('send', new ZimbraSoapError('mail.SEND_ABORTED_ADDRESS_FAILURE', 'invalid address'));
        const id = String(this.next++);
        this.items.set(id, { folder: SENT, text: text(m) });
        // SendMsg.java:262-264, :467-487: the draft goes after the send; a failure to delete is ignored.
        if (did && !this.faults.has('didDelete')) this.items.delete(did);
        return id;
      },
      postToService: () => Promise.reject(new Error('not used')),
      sendMime: () => Promise.reject(new Error('not used')),
    };
  }

  /** Every item of every folder holding the plaintext (what a search of the mailbox would find). */
  readable(): string[] {
    return [...this.items].filter(([, i]) => i.text.includes('HbA1c')).map(([id, i]) => `${i.folder}/${id}`);
  }
}

function service(z: FakeZimbra): ServiceCall {
  const key = Buffer.alloc(32, 7).toString('base64');
  return (async (op: string, req: unknown) => {
    z.calls.push(op);
    z.requests.push([op, req]);
    if (op === 'SignMessage') {
      if (z.faults.has('sign')) throw new ServiceFault('signing.unavailable', 'signature impossible');
      return { mime: Buffer.from('signed').toString('base64') };
    }
    if (op === 'RegisterSecureMessage') {
      if (z.faults.has('register')) throw new ServiceFault('service.unavailable', 'service indisponible');
      return { messageId: 'm-1', dataKey: key, keyService: 'https://mail.esante.lu/service/extension/esante', readDeadline: '2026-12-21T00:00:00Z', sender: { mail: 'dr.muller@esante.lu', level: 3, levelBanner: true } };
    }
    if (op === 'ConfirmSecureMessageSent') {
      if (z.faults.has('confirm')) throw new ServiceFault('service.unavailable', 'service indisponible');
      return { messageId: 'm-1', sentAt: '2026-12-07T13:00:00Z' };
    }
    throw new Error(`unexpected ${op}`);
  }) as ServiceCall;
}

const COMPOSED: ComposedMessage = { to: ['dr.weber@chl.lu'], cc: [], subject: 'Résultats', body: { contentType: 'text/plain', text: PLAINTEXT }, uploadIds: [] };

function setup(opts: { autosaved?: boolean; sign?: boolean } = {}) {
  const z = new FakeZimbra();
  let draft: string | undefined;
  if (opts.autosaved) {
    // Zimbra's autosave (or a detached compose) already put the plaintext in Drafts.
    draft = '200';
    z.items.set(draft, { folder: DRAFTS, text: `Subject: Résultats\r\n\r\n${PLAINTEXT}` });
  }
  let left = 0;
  const deps: SendFlowDeps = {
    host: z.host(),
    call: service(z),
    origin: 'https://mail.esante.lu',
    signRequested: !!opts.sign,
    draft: { current: () => draft, adopt: (id) => (draft = id), forget: () => (draft = undefined) },
    leave: () => void left++,
    confirmDelays: [0, 0],
  };
  return { z, deps, draft: () => draft, left: () => left };
}

const STEPS_BEFORE_SEND: SendStep[] = ['draft', 'mime', 'sign', 'register', 'upload', 'send'];

describe('runEncryptedSend: order guarantees over a Zimbra-like mailbox', () => {
  test('a clean send leaves only the cover mail, replacing and deleting the autosaved draft', async () => {
    const { z, deps, draft, left } = setup({ autosaved: true });
    const out = await runEncryptedSend(deps, COMPOSED);
    assert.deepEqual(out, { sent: true, confirmed: true });
    assert.deepEqual(z.readable(), []);
    assert.deepEqual([...z.items.values()].map((i) => i.folder), [SENT]);
    // One draft only: the autosaved one was replaced in place, not duplicated.
    assert.equal(z.calls.filter((c) => c === 'saveDraft').length, 1);
    assert.ok(!z.calls.some((c) => c === 'delete 300'), 'no second draft was created');
    assert.equal(draft(), undefined);
    assert.equal(left(), 1);
    // Order: everything fallible before the send; confirmation after leaving the compose.
    assert.deepEqual(z.calls, ['saveDraft', 'rawMessage', 'RegisterSecureMessage', 'upload', 'sendMessage', 'delete 200', 'ConfirmSecureMessageSent']);
    // The confirmation names the very file uploaded (sealed as segments, uploaded as their Blob): its SHA-256 and size.
    const [file] = z.uploaded;
    const confirm = z.requests.find(([op]) => op === 'ConfirmSecureMessageSent')![1];
    assert.deepEqual(confirm, { messageId: 'm-1', containerDigest: await containerDigest(file!), size: file!.length });
    assert.equal(readHeader(file!).messageId, 'm-1');
  });

  for (const step of STEPS_BEFORE_SEND) {
    for (const autosaved of [false, true]) {
      test(`a fault at "${step}"${autosaved ? ' (autosaved draft)' : ''}: nothing sent, no readable copy, the step reported`, async () => {
        const { z, deps, draft, left } = setup({ autosaved, sign: true });
        z.faults.add(step);
        const out = await runEncryptedSend(deps, COMPOSED);
        assert.equal(out.sent, false);
        assert.equal(!out.sent && out.step, step);
        assert.ok(!out.sent && out.error instanceof Error);
        assert.equal(out.leftDraftId, undefined);
        assert.deepEqual(z.readable(), [], `readable copies after a fault at ${step}`);
        assert.equal([...z.items.values()].filter((i) => i.folder === SENT).length, 0, 'nothing in Sent');
        assert.equal(left(), 0, 'the compose stays open');
        assert.equal(draft(), undefined, 'the compose no longer points at a deleted draft');
        // Nothing sent half-way: no send attempted unless the failing step IS the send, no confirmation.
        assert.equal(z.calls.includes('sendMessage'), step === 'send');
        assert.ok(!z.calls.includes('ConfirmSecureMessageSent'));
      });
    }
  }

  test('a fault at "confirm": the message left, no readable copy, the confirmation reported as failed', async () => {
    const { z, deps, left } = setup({ autosaved: true });
    z.faults.add('confirm');
    const out = await runEncryptedSend(deps, COMPOSED);
    assert.deepEqual(out, { sent: true, confirmed: false });
    assert.deepEqual(z.readable(), []);
    assert.equal(left(), 1);
    assert.equal(z.calls.filter((c) => c === 'ConfirmSecureMessageSent').length, 3, 'retried');
  });

  test('Zimbra ignoring a failed `did` delete does not leave the draft: it is deleted again', async () => {
    const { z, deps } = setup();
    z.faults.add('didDelete');
    const out = await runEncryptedSend(deps, COMPOSED);
    assert.deepEqual(out, { sent: true, confirmed: true });
    assert.deepEqual(z.readable(), []);
  });

  test('a draft autosaved DURING the flow under another id is deleted too', async () => {
    const { z, deps } = setup();
    let extra: string | undefined;
    deps.draft = { current: () => extra, adopt: () => undefined, forget: () => (extra = undefined) };
    z.afterSave = () => {
      z.afterSave = undefined;
      extra = '250';
      z.items.set(extra, { folder: DRAFTS, text: PLAINTEXT });
    };
    z.faults.add('upload');
    const out = await runEncryptedSend(deps, COMPOSED);
    assert.equal(out.sent, false);
    assert.deepEqual(z.readable(), []);
  });

  test('when the draft cannot be deleted, the outcome names it (the user is told and offered to delete it)', async () => {
    const { z, deps, draft } = setup();
    z.faults.add('register').add('delete');
    const out = await runEncryptedSend(deps, COMPOSED);
    assert.equal(out.sent, false);
    assert.equal(out.leftDraftId, '300');
    assert.deepEqual(z.readable(), ['Drafts/300']);
    assert.equal(draft(), '300', 'still the compose’s draft: a later save replaces it');

    const sent = setup();
    sent.z.faults.add('didDelete').add('delete');
    const out2 = await runEncryptedSend(sent.deps, COMPOSED);
    assert.deepEqual(out2, { sent: true, confirmed: true, leftDraftId: '300' });
  });

  test('signing happens on the draft’s MIME before the key is asked, and only when requested', async () => {
    const { z, deps } = setup({ sign: true });
    await runEncryptedSend(deps, COMPOSED);
    assert.deepEqual(z.calls.slice(0, 4), ['saveDraft', 'rawMessage', 'SignMessage', 'RegisterSecureMessage']);
  });
});

describe('runEncryptedSend of a reply quoting a decrypted message (inBrowser)', () => {
  const QUOTED: ComposedMessage = {
    ...COMPOSED,
    subject: 'Re: Résultats',
    body: { contentType: 'text/plain', text: `Merci.\r\n\r\n----- Message d’origine -----\r\n${PLAINTEXT}` },
  };
  const forwarded = { fileName: 'bilan.pdf', mimeType: 'application/pdf', bytes: new Uint8Array([37, 80, 68, 70, 1, 2, 3]) };

  async function innerMime(upload: Uint8Array): Promise<string> {
    const { openContainer, dataKeyFromBase64 } = await import('../../../../shared/container/container.ts');
    const opened = await openContainer(upload, async () => dataKeyFromBase64(Buffer.alloc(32, 7).toString('base64')));
    return new TextDecoder().decode(opened.mime);
  }

  test('no draft at all without added files; the sealed MIME holds the quote and the forwarded file', async () => {
    const { z, deps } = setup();
    let sealed: Uint8Array | undefined;
    const host = deps.host;
    deps.host = { ...host, upload: async (body, name, ct) => ((sealed = await bytesOf(body)), host.upload(body, name, ct)) };
    const out = await runEncryptedSend(deps, { ...QUOTED, inBrowser: { from: 'dr.muller@esante.lu', attachments: [forwarded], inReplyTo: '<cover@esante.lu>' } });
    assert.deepEqual(out, { sent: true, confirmed: true });
    assert.ok(!z.calls.includes('saveDraft') && !z.calls.includes('rawMessage'), z.calls.join(','));
    assert.deepEqual(z.readable(), []);
    const { parseMime, toDisplay } = await import('../../../../shared/messages/mime.ts');
    const d = toDisplay(parseMime(new TextEncoder().encode(await innerMime(sealed!))));
    assert.equal(d.subject, 'Re: Résultats');
    assert.equal(d.from, 'dr.muller@esante.lu');
    assert.ok(d.text?.includes(PLAINTEXT));
    assert.deepEqual(d.attachments.map((a) => [a.filename, [...a.data]]), [['bilan.pdf', [37, 80, 68, 70, 1, 2, 3]]]);
  });

  test('with added files, the only draft holds neither text nor subject, and is deleted', async () => {
    const { z, deps, draft } = setup();
    const saved: OutgoingMessage[] = [];
    const host = deps.host;
    deps.host = { ...host, saveDraft: (m, id) => (saved.push(m), host.saveDraft(m, id)) };
    const out = await runEncryptedSend(deps, { ...QUOTED, uploadIds: ['up-1'], inBrowser: { from: 'dr.muller@esante.lu', attachments: [] } });
    assert.deepEqual(out, { sent: true, confirmed: true });
    assert.equal(saved.length, 1);
    assert.deepEqual([saved[0]!.subject, saved[0]!.body.text, saved[0]!.e, saved[0]!.uploadIds], ['', '', [], ['up-1']]);
    assert.deepEqual(z.readable(), []);
    assert.deepEqual([...z.items.values()].map((i) => i.folder), [SENT]);
    assert.equal(draft(), undefined);
  });
});
