/**
 * Issue 12: an outside recipient answers a secure message from the portal (portal-reply.ts), through
 * the real composition root, the sandbox as Zimbra and a real SMTP server catching what the service
 * mails. The answer is sealed here as the portal page seals it (shared/messages/build-mime.ts +
 * shared/container); the original's sender then releases its key over SOAP like their webmail does.
 * Also the MIME the page builds, read back by the reader the zimlet and the portal use.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { CONTAINER_MEDIA_TYPE, containerDigest, dataKeyFromBase64, openContainer, readHeader, sealContainer } from '../../shared/container/container.ts';
import { formatDateTime } from '../../shared/i18n/dates.ts';
import { parseMime, toDisplay } from '../../shared/messages/mime.ts';
import { PORTAL_REPLY_MAX_BYTES, PORTAL_REPLY_TICKET_HEADER, type PortalReplyRegistration } from '../../shared/messages/portal-api.ts';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { buildMimeMessage } from '../../shared/messages/build-mime.ts';
import { replySubject } from '../src/messages/portal-reply.ts';
import type { Store } from '../src/store/index.ts';
import { startMessagesEnv, type MessagesEnv } from './messages-support.ts';
import { SEED_PASSWORD, callAs, loginAs, type LoginResult, type TestEnv } from './support/service.ts';

const MARIE = 'marie.schmit@esante.lu';
const LUC = 'luc.hoffmann@esante.lu';
const OUTSIDE = 'anne.relative@example.org';
const OTHER = 'paul.tiers@example.net';
const BUSY = 'lea.frequente@example.com';
const PORTAL = `${SERVICE_BASE_PATH}/portal`;
const DAY = 86_400_000;
/** ESANTE_PORTAL_MAX_CONTAINER_BYTES of this test: the answer's limit is the smaller of it and PORTAL_REPLY_MAX_BYTES. */
const MAX = 16 * 1024;
const ORIGINAL_MIME = new TextEncoder().encode('From: marie.schmit@esante.lu\r\nSubject: Résultats\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVos résultats sont normaux.\r\n');

interface Caught {
  to: string;
  raw: string;
  parsed: ParsedMail;
}

/** An SMTP server keeping each mail raw and parsed, per envelope recipient; waits are event-driven. */
async function startCatcher() {
  const mails: Caught[] = [];
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            for (const r of session.envelope.rcptTo) mails.push({ to: r.address.toLowerCase(), raw, parsed });
            callback();
            for (const w of waiters.splice(0)) w();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const to = (a: string) => mails.filter((m) => m.to === a.toLowerCase());
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mails,
    to,
    /** The first mail to `address` whose subject is `subject`. */
    async next(address: string, subject: string, ms = 5000): Promise<Caught> {
      const until = Date.now() + ms;
      for (;;) {
        const m = to(address).find((x) => x.parsed.subject === subject);
        if (m) return m;
        if (Date.now() > until) throw new Error(`no mail "${subject}" to ${address}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, until - Date.now());
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
type Catcher = Awaited<ReturnType<typeof startCatcher>>;

describe('portal reply: the MIME the page builds (shared/messages/build-mime.ts) and the subject', () => {
  test('text and attachments with non-ASCII names, read back by the shared reader; the subject cannot add a header', () => {
    const pdf = Uint8Array.from(randomBytes(3000));
    const mime = buildMimeMessage({
      from: OUTSIDE,
      to: [MARIE],
      subject: 'Re: Résultats\r\nBcc: evil@example.org',
      text: 'Merci docteur,\nvoici l’ordonnance.\n— Anne',
      attachments: [
        { fileName: 'ordonnance été.pdf', mimeType: 'application/pdf', bytes: pdf },
        { fileName: 'notes.txt', mimeType: 'text/plain\r\nX-Evil: 1', bytes: new TextEncoder().encode('bonjour') },
      ],
    });
    const text = new TextDecoder().decode(mime);
    assert.ok(!/^Bcc:/im.test(text), 'no header added by the subject');
    assert.ok(!/^X-Evil:/im.test(text), 'no header added by a media type');
    const view = toDisplay(parseMime(mime));
    assert.match(view.subject, /^Re: Résultats +Bcc: evil@example\.org$/);
    assert.equal(view.text?.replace(/\r\n/g, '\n').trim(), 'Merci docteur,\nvoici l’ordonnance.\n— Anne');
    assert.deepEqual(view.attachments.map((a) => [a.filename, a.contentType]), [['ordonnance été.pdf', 'application/pdf'], ['notes.txt', 'application/octet-stream']]);
    assert.deepEqual(view.attachments[0]!.data, pdf);
  });

  test('reply subject: "Re: " once', () => {
    assert.equal(replySubject('Résultats'), 'Re: Résultats');
    assert.equal(replySubject('RE: Résultats'), 'RE: Résultats');
    assert.equal(replySubject('a\r\nb'), 'Re: a b');
  });
});

describe('portal reply: an outside recipient answers the sender securely (service, SQLite, SMTP)', () => {
  let env: TestEnv;
  let store: Store;
  let smtp: Catcher;
  let marie: LoginResult;
  let cookie: string;
  let otherCookie: string;
  let busyCookie: string;
  let t: MessagesEnv<Catcher> | undefined;

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${env.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', ...headers }, body: JSON.stringify(body) });
  const advance = (ms: number) => post(`${SERVICE_BASE_PATH}/test/clock`, { advanceMs: ms });
  const register = (messageId: string, lang = 'fr', who = cookie, extra: Record<string, unknown> = {}) =>
    post(`${PORTAL}/api/reply/register?lang=${lang}`, { messageId, ...extra }, { Cookie: who });
  const upload = (container: Uint8Array | ReadableStream<Uint8Array>, ticket: string, opts: { lang?: string; who?: string; type?: string } = {}) =>
    fetch(`${env.url}${PORTAL}/api/reply/send?lang=${opts.lang ?? 'fr'}`, {
      method: 'POST',
      headers: { 'Content-Type': opts.type ?? CONTAINER_MEDIA_TYPE, 'X-Esante-Portal': '1', [PORTAL_REPLY_TICKET_HEADER]: ticket, Cookie: opts.who ?? cookie },
      body: container as BodyInit,
      ...(container instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
  const error = async (r: Response) => ((await r.json()) as { error: { code: string; message: string } }).error;

  async function sendSecure(to: string[], subject: string) {
    const reg = await callAs(env.url, marie, 'RegisterSecureMessage', { to, cc: [], subject });
    const container = await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: MARIE, mime: ORIGINAL_MIME, key: dataKeyFromBase64(reg.dataKey) });
    await callAs(env.url, marie, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
    return reg.messageId;
  }

  /** What the portal page does after "Envoyer la réponse chiffrée": MIME, seal, upload. */
  async function seal(reg: PortalReplyRegistration, text: string, attachments: Array<{ filename: string; contentType: string; data: Uint8Array }> = []) {
    const mime = buildMimeMessage({ from: reg.sender.mail, to: [reg.to.mail], subject: reg.subject, text, attachments: attachments.map((a) => ({ fileName: a.filename, mimeType: a.contentType, bytes: a.data })) });
    return { mime, container: await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: reg.sender.mail, mime, key: dataKeyFromBase64(reg.dataKey) }) };
  }

  const repliesBy = async (address: string) => (await store.messages.listBySender(address, 0, 200)).total;
  const trail = async (subject: string) => store.audit.list({ subject, action: 'portal.reply', limit: 50 });
  const session = async (s: Store, address: string) => {
    const token = randomBytes(32).toString('base64url');
    await s.portal.createSession(createHash('sha256').update(token).digest('base64url'), address, Date.now(), Date.now() + 365 * DAY);
    return `ESANTE_PORTAL=${token}`;
  };

  before(async () => {
    t = await startMessagesEnv(
      'esante-reply-',
      async (s) => {
        await s.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$test' });
        // Portal accounts and sessions made in the store (registration is messages.test.ts's subject).
        await s.accounts.create({ email: OUTSIDE, fullName: 'Anne Relative', identityLevel: 0, passwordHash: '$scrypt$test' });
        await s.accounts.create({ email: OTHER, fullName: 'Paul Tiers', identityLevel: 0, passwordHash: '$scrypt$test' });
        cookie = await session(s, OUTSIDE);
        otherCookie = await session(s, OTHER);
        await s.accounts.create({ email: BUSY, fullName: 'Léa Fréquente', identityLevel: 0, passwordHash: '$scrypt$test' });
        busyCookie = await session(s, BUSY);
      },
      { ESANTE_TEST_CLOCK: '1', ESANTE_PORTAL_MAX_CONTAINER_BYTES: String(MAX) },
      startCatcher,
    );
    ({ env, store, smtp } = t);
    marie = await loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD);
  });
  after(() => t?.close());

  test('the answer reaches the original sender only, as a Regify message she opens with her key; the plaintext never reaches the service', async () => {
    const original = await sendSecure([OUTSIDE, LUC], 'Résultats de Mme K.');
    // The browser cannot choose the recipient: a `to` in the body is ignored.
    const r = await register(original, 'fr', cookie, { to: ['attacker@example.org'] });
    assert.equal(r.status, 200);
    const reg = (await r.json()) as PortalReplyRegistration;
    assert.deepEqual(reg.to, { mail: MARIE, displayName: 'Marie Schmit' });
    assert.deepEqual(reg.sender, { mail: OUTSIDE, displayName: 'Anne Relative' });
    assert.equal(reg.subject, 'Re: Résultats de Mme K.');
    assert.equal(reg.maxBytes, Math.min(MAX, PORTAL_REPLY_MAX_BYTES));
    const record = (await store.messages.get(reg.messageId))!;
    assert.deepEqual(record.recipients.map((x) => x.address), [MARIE]);
    assert.equal(record.senderEmail, OUTSIDE);
    assert.equal(record.sentAt, null);

    const scan = Uint8Array.from(randomBytes(2000));
    const { container } = await seal(reg, 'Merci docteur, voici le scan demandé.', [{ filename: 'scan été.png', contentType: 'image/png', data: scan }]);
    const s = await upload(container, reg.ticket);
    assert.equal(s.status, 200, JSON.stringify(await s.clone().json()));
    const sent = (await s.json()) as { messageId: string; sentAt: string; to: string };
    assert.equal(sent.messageId, reg.messageId);
    assert.equal(sent.to, MARIE);

    // The mail: what "Envoyer avec Regify" sends (send-flow.ts): the cover as text + HTML beside message.esmsg.
    const mail = await smtp.next(MARIE, 'Re: Résultats de Mme K.');
    assert.equal(mail.parsed.from?.value[0]?.name, 'Anne Relative');
    assert.equal(mail.parsed.from?.value[0]?.address, 'no-reply@esante.lu');
    assert.equal((mail.parsed.replyTo?.value[0]?.address ?? '').toLowerCase(), OUTSIDE);
    assert.match(mail.parsed.messageId ?? '', /^<reply-[0-9a-f]{32}@/);
    assert.match(mail.parsed.text ?? '', /Message confidentiel/);
    assert.match(mail.parsed.text ?? '', /Anne Relative <anne\.relative@example\.org>/);
    assert.match(mail.parsed.html || '', /lang="fr"/);
    assert.match(mail.raw, /Content-Type: multipart\/alternative/);
    assert.equal(mail.parsed.headers.get('auto-submitted'), undefined, 'written by a person: not marked auto-generated');
    const file = mail.parsed.attachments.find((a) => a.filename === 'message.esmsg');
    assert.equal(file?.contentType, CONTAINER_MEDIA_TYPE);
    assert.deepEqual(new Uint8Array(file!.content), container);
    assert.ok(!mail.raw.includes('voici le scan'), 'no plaintext on the wire');
    assert.deepEqual(smtp.to(LUC).filter((m) => m.parsed.subject === 'Re: Résultats de Mme K.'), [], 'the other recipient of the original gets nothing');

    // Marie's webmail: ReleaseMessageKey (she is the one recipient), digest checked, decrypted.
    const released = await callAs(env.url, marie, 'ReleaseMessageKey', { messageId: reg.messageId });
    assert.equal(released.containerDigest, await containerDigest(new Uint8Array(file!.content)));
    assert.equal(released.sender.mail, OUTSIDE);
    assert.equal(released.sender.levelBanner, false);
    const opened = await openContainer(new Uint8Array(file!.content), async () => dataKeyFromBase64(released.dataKey));
    const view = toDisplay(parseMime(opened.mime));
    assert.equal(view.text?.trim(), 'Merci docteur, voici le scan demandé.');
    assert.deepEqual(view.attachments[0]?.data, scan);
    assert.equal(view.attachments[0]?.filename, 'scan été.png');
    // Nobody else gets its key: not Luc (on the original), not the portal's other user.
    const luc = await loginAs(env.sandboxUrl, LUC, SEED_PASSWORD);
    await assert.rejects(callAs(env.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId }), (e: Error & { code?: string }) => e.code === 'message.not_recipient');

    // A retry of the same upload (lost answer) is the same answer, mailed with the same Message-ID.
    const again = await upload(container, reg.ticket);
    assert.equal(again.status, 200);
    // Another file for the same answer is refused.
    const other = await seal(reg, 'autre texte');
    const refused = await upload(other.container, reg.ticket);
    assert.equal((await error(refused)).code, 'message.already_sent');

    const audit = await trail(original);
    assert.ok(audit.some((e) => e.outcome === 'allowed' && e.detail?.['step'] === 'register' && e.detail?.['reply'] === reg.messageId && e.actor === OUTSIDE));
    assert.ok(audit.some((e) => e.outcome === 'allowed' && e.detail?.['step'] === 'send' && e.detail?.['reply'] === reg.messageId));
    assert.ok((await store.audit.list({ subject: reg.messageId, action: 'message.register', limit: 5 })).some((e) => e.detail?.['channel'] === 'portal'));
  });

  test('not a recipient, unknown message, no session: refused, audited, nothing registered', async () => {
    const original = await sendSecure([OUTSIDE], 'Pour Anne seulement');
    const before = await repliesBy(OTHER);
    const r = await register(original, 'en', otherCookie);
    assert.equal(r.status, 403);
    const e = await error(r);
    assert.equal(e.code, 'message.not_recipient');
    assert.match(e.message, /^You are not among the recipients/);
    assert.equal(await repliesBy(OTHER), before);
    assert.ok((await trail(original)).some((x) => x.outcome === 'denied' && x.detail?.['reason'] === 'not_recipient' && x.actor === OTHER));

    assert.equal((await error(await register('AAAAAAAAAAAAAAAAAAAAAAAA'))).code, 'message.not_found');
    const anonymous = await post(`${PORTAL}/api/reply/register`, { messageId: original });
    assert.equal(anonymous.status, 401);
    const upAnon = await fetch(`${env.url}${PORTAL}/api/reply/send`, { method: 'POST', headers: { 'Content-Type': CONTAINER_MEDIA_TYPE, 'X-Esante-Portal': '1' }, body: new Uint8Array(10) });
    assert.equal(upAnon.status, 401);
  });

  test('a reply to a revoked message: refused at registration and, if revoked meanwhile, at sending; in the reader\'s language; nothing mailed', async () => {
    // Revoked before: refused, in German with a German date.
    const a = await sendSecure([OUTSIDE], 'Zurückgezogen');
    const rev = await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: a, recipient: OUTSIDE });
    const before = await repliesBy(OUTSIDE);
    const r = await register(a, 'de');
    assert.equal(r.status, 403);
    const e = await error(r);
    assert.equal(e.code, 'message.revoked');
    assert.equal(e.message, `Diese Nachricht wurde am ${formatDateTime(rev.revokedAt, 'de', 'long')} von ihrem Absender zurückgezogen. Sie kann nicht mehr geöffnet werden.`);
    assert.equal(await repliesBy(OUTSIDE), before);
    assert.ok((await trail(a)).some((x) => x.outcome === 'denied' && x.detail?.['reason'] === 'revoked' && x.detail?.['step'] === 'register'));

    // Revoked between the preparation and the upload: the answer stays unsent and is not mailed.
    const b = await sendSecure([OUTSIDE], 'Retiré pendant la réponse');
    const reg = (await (await register(b)).json()) as PortalReplyRegistration;
    const { container } = await seal(reg, 'réponse trop tard');
    await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: b });
    const s = await upload(container, reg.ticket);
    assert.equal(s.status, 403);
    const se = await error(s);
    assert.equal(se.code, 'message.revoked');
    assert.match(se.message, /^Ce message a été retiré par son expéditeur le /);
    assert.equal((await store.messages.get(reg.messageId))?.sentAt, null);
    assert.ok((await trail(b)).some((x) => x.outcome === 'denied' && x.detail?.['reason'] === 'revoked' && x.detail?.['step'] === 'send'));
    // Marie's webmail cannot open what was never sent: the key service has no digest for it.
    await assert.rejects(callAs(env.url, marie, 'ReleaseMessageKey', { messageId: reg.messageId }), (x: Error & { code?: string }) => x.code === 'message.not_sent');
    assert.equal(smtp.to(MARIE).filter((m) => m.parsed.subject === 'Re: Retiré pendant la réponse').length, 0);
  });

  test('access ended: refused with the access-ended text', async () => {
    const m = await sendSecure([OUTSIDE], 'Accès limité');
    const now = Date.parse(((await (await advance(0)).json()) as { now: string }).now);
    await callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m, accessUntil: new Date(now + DAY).toISOString() });
    await advance(2 * DAY);
    const r = await register(m);
    assert.equal(r.status, 403);
    const e = await error(r);
    assert.equal(e.code, 'message.access_ended');
    assert.match(e.message, /^L’accès à ce message a pris fin le /);
    assert.ok((await trail(m)).some((x) => x.outcome === 'denied' && x.detail?.['reason'] === 'access_ended'));
  });

  test('answers prepared per address are limited (LIMITS.repliesPerAddress): the next one is refused, with Retry-After', async () => {
    const m = await sendSecure([BUSY], 'Très sollicité');
    for (let i = 0; i < 30; i++) assert.equal((await register(m, 'fr', busyCookie)).status, 200, `answer ${i + 1}`);
    const r = await register(m, 'fr', busyCookie);
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.equal((await error(r)).code, 'portal.rate_limited');
    assert.equal(await repliesBy(BUSY), 30);
  });

  test('oversized answers (declared or streamed), forged tickets and foreign containers: refused, audited, nothing sent', async () => {
    const original = await sendSecure([OUTSIDE], 'Réponse trop grosse');
    const reg = (await (await register(original, 'en')).json()) as PortalReplyRegistration;
    const big = await seal(reg, 'scan', [{ filename: 'scan.tif', contentType: 'image/tiff', data: Uint8Array.from(randomBytes(MAX)) }]);
    assert.ok(big.container.length > MAX);
    const r = await upload(big.container, reg.ticket, { lang: 'en' });
    assert.equal(r.status, 413);
    const e = await error(r);
    assert.equal(e.code, 'portal.reply_too_large');
    assert.match(e.message, /^Your reply is too large \(0\.1 MB at most/);
    // Without a Content-Length (chunked): refused while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < big.container.length; i += 4096) c.enqueue(big.container.subarray(i, i + 4096));
        c.close();
      },
    });
    const streamed = await upload(stream, reg.ticket);
    assert.equal(streamed.status, 413);
    assert.equal((await error(streamed)).code, 'portal.reply_too_large');
    assert.equal((await store.messages.get(reg.messageId))?.sentAt, null);
    assert.ok((await store.audit.list({ subject: OUTSIDE, action: 'portal.reply', limit: 20 })).filter((x) => x.detail?.['reason'] === 'too_large').length >= 2);

    // A ticket of another answer, or none: refused.
    const reg2 = (await (await register(original)).json()) as PortalReplyRegistration;
    const small = await seal(reg, 'petit');
    for (const ticket of [reg2.ticket, '', 'ek1.x.y']) {
      const x = await upload(small.container, ticket);
      assert.equal(x.status, 400);
      assert.equal((await error(x)).code, 'portal.reply_invalid');
    }
    // Another portal user with Anne's ticket and container: refused (the ticket names Anne).
    const stolen = await upload(small.container, reg.ticket, { who: otherCookie });
    assert.equal((await error(stolen)).code, 'portal.reply_invalid');
    // A container whose header names someone else as sender, or not a container at all.
    const forged = await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: MARIE, mime: small.mime, key: dataKeyFromBase64(reg.dataKey) });
    assert.equal(readHeader(forged).sender, MARIE);
    assert.equal((await error(await upload(forged, reg.ticket))).code, 'portal.reply_invalid');
    assert.equal((await error(await upload(new TextEncoder().encode('plain text, not sealed'), reg.ticket))).code, 'portal.reply_invalid');
    // JSON or a form instead of the container type: the CSRF rule.
    assert.equal((await error(await upload(small.container, reg.ticket, { type: 'text/plain' }))).code, 'portal.forbidden');
    assert.equal((await store.messages.get(reg.messageId))?.sentAt, null);
    assert.equal(smtp.to(MARIE).filter((m) => m.parsed.subject === 'Re: Réponse trop grosse').length, 0);
    assert.ok((await trail(original)).some((x) => x.detail?.['reason'] === 'mismatch'));

    // The right ticket and container still work afterwards.
    const ok = await upload(small.container, reg.ticket);
    assert.equal(ok.status, 200);
    await smtp.next(MARIE, 'Re: Réponse trop grosse');
  });
});
