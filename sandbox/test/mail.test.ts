import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { loginAs, soapAs, type LoginResult } from '../server/testing.ts';
import { startTestSandbox, PASSWORD, MARIE, JEAN, type TestSandbox } from './helpers.ts';

async function upload(url: string, login: LoginResult, filename: string, ct: string, data: Buffer, csrf = login.csrfToken): Promise<{ status: number; text: string }> {
  const res = await fetch(new URL('/service/upload?fmt=raw,extended', url), {
    method: 'POST',
    headers: { Cookie: login.cookie, 'X-Zimbra-Csrf-Token': csrf, 'Content-Type': ct, 'Content-Disposition': `attachment; filename="${filename}"` },
    body: new Uint8Array(data),
  });
  return { status: res.status, text: await res.text() };
}
function aidOf(text: string): string {
  const m = /^200,'[^']*',(\[.*\])$/s.exec(text);
  assert.ok(m, `unexpected upload answer ${text}`);
  return (JSON.parse(m[1]!) as Array<{ aid: string }>)[0]!.aid;
}

describe('mail over real SMTP', () => {
  let sb: TestSandbox;
  let marie: LoginResult;
  let jean: LoginResult;
  before(async () => {
    sb = await startTestSandbox();
    marie = await loginAs(sb.url, MARIE, PASSWORD);
    jean = await loginAs(sb.url, JEAN, PASSWORD);
  });
  after(async () => {
    await sb.dispose();
  });
  /** A message id that exists in Marie's mailbox and not in Jean's (ids are numbered per mailbox). */
  async function idOnlyMarieHas(): Promise<string> {
    const sent = await soapAs<{ m: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:sent', types: 'message', limit: 100 });
    for (const m of sent.m) {
      try {
        await soapAs(sb.url, jean, 'GetMsgRequest', { m: { id: m.id } });
      } catch {
        return m.id as string;
      }
    }
    throw new Error('no id only Marie has');
  }

  test('the SMTP listener is a real SMTP server on loopback', async () => {
    const banner = await new Promise<string>((resolve, reject) => {
      const s = connect(sb.smtpPort, '127.0.0.1');
      s.once('data', (d) => {
        resolve(d.toString());
        s.end('QUIT\r\n');
      });
      s.once('error', reject);
    });
    assert.match(banner, /^220 /);
  });

  test('SendMsg with an attachment lands in the recipient Inbox and the sender Sent', async () => {
    const up = await upload(sb.url, marie, 'résumé.pdf', 'application/pdf', Buffer.from('%PDF-1.4 fake'));
    const aid = aidOf(up.text);
    const sent = await soapAs<{ m: Array<{ id: string }> }>(sb.url, marie, 'SendMsgRequest', {
      m: {
        e: [{ t: 't', a: JEAN, p: 'Jean-Claude Weber' }, { t: 'b', a: 'luc.hoffmann@esante.lu' }],
        su: { _content: 'Résultats du patient' },
        mp: [{ ct: 'text/plain', content: { _content: 'Bonjour, voici les résultats.' } }],
        attach: { aid },
      },
    });
    assert.match(sent.m[0]!.id, /^\d+$/);

    const inbox = await soapAs<{ m: any[] }>(sb.url, jean, 'SearchRequest', { query: 'in:inbox', types: 'message' });
    const got = inbox.m.find((m) => m.su === 'Résultats du patient');
    assert.ok(got, 'message not in the Inbox');
    assert.equal(got.l, '2');
    assert.match(got.f, /u/);
    assert.match(got.f, /a/);
    assert.deepEqual(got.e.find((e: any) => e.t === 'f'), { t: 'f', a: MARIE, p: 'Marie Schmit', d: 'Marie' });
    assert.equal(got.e.some((e: any) => e.t === 'b'), false, 'Bcc must not reach recipients');

    const full = await soapAs<{ m: any[] }>(sb.url, jean, 'GetMsgRequest', { m: { id: got.id, read: 1 } });
    const parts = full.m[0].mp[0].mp;
    assert.equal(parts[0].content, 'Bonjour, voici les résultats.');
    const att = parts.find((p: any) => p.filename === 'résumé.pdf');
    assert.equal(att.ct, 'application/pdf');
    const dl = await fetch(new URL(`/service/home/~/?id=${got.id}&part=${att.part}`, sb.url), { headers: { Cookie: jean.cookie } });
    assert.equal(dl.status, 200);
    assert.equal(await dl.text(), '%PDF-1.4 fake');
    // read:1 cleared the unread flag
    const again = await soapAs<{ m: any[] }>(sb.url, jean, 'SearchRequest', { query: 'in:inbox is:unread', types: 'message' });
    assert.equal(again.m.some((m) => m.id === got.id), false);

    const luc = await loginAs(sb.url, 'luc.hoffmann@esante.lu', PASSWORD);
    const lucInbox = await soapAs<{ m: any[] }>(sb.url, luc, 'SearchRequest', { query: 'in:inbox', types: 'message' });
    assert.ok(lucInbox.m.some((m) => m.su === 'Résultats du patient'), 'Bcc recipient got it');

    const sentBox = await soapAs<{ m: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:sent', types: 'message' });
    const copy = sentBox.m.find((m) => m.su === 'Résultats du patient');
    assert.ok(copy);
    assert.equal(copy.l, '5');
    assert.ok(copy.e.some((e: any) => e.t === 'b' && e.a === 'luc.hoffmann@esante.lu'), 'the Sent copy keeps Bcc');
    // The upload was consumed by the send.
    await assert.rejects(
      soapAs(sb.url, marie, 'SendMsgRequest', { m: { e: [{ t: 't', a: JEAN }], su: 'x', mp: [{ ct: 'text/plain', content: 'x' }], attach: { aid } } }),
      (e: any) => e.code === 'mail.NO_SUCH_UPLOAD',
    );
  });

  test('{m:{aid}} sends an uploaded RFC 822 message byte-for-byte', async () => {
    const mime = Buffer.from(
      [
        `From: Marie Schmit <${MARIE}>`,
        `To: ${JEAN}`,
        'Subject: =?UTF-8?Q?Sign=C3=A9?=',
        'Message-ID: <signed-1@esante.lu>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        '.leading dot line must survive dot-stuffing',
        '--b1',
        'Content-Type: application/pkcs7-signature; name=smime.p7s',
        'Content-Transfer-Encoding: base64',
        '',
        'AAECAwQ=',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const aid = aidOf((await upload(sb.url, marie, 'signed.eml', 'message/rfc822', mime)).text);
    const sent = await soapAs<{ m: Array<{ id: string }> }>(sb.url, marie, 'SendMsgRequest', { m: { aid } });
    const inbox = await soapAs<{ m: any[] }>(sb.url, jean, 'SearchRequest', { query: 'in:inbox Signé', types: 'message' });
    assert.equal(inbox.m.length, 1);
    const raw = Buffer.from(await (await fetch(new URL(`/service/content/get?id=${inbox.m[0].id}`, sb.url), { headers: { Cookie: jean.cookie } })).arrayBuffer());
    assert.ok(raw.equals(mime), 'delivered bytes differ from the upload');
    const sentRaw = Buffer.from(await (await fetch(new URL(`/service/content/get?id=${sent.m[0]!.id}`, sb.url), { headers: { Cookie: marie.cookie } })).arrayBuffer());
    assert.ok(sentRaw.equals(mime), 'Sent copy differs from the upload');
  });

  test('an uploaded message claiming another sender is refused', async () => {
    const mime = Buffer.from(`From: ${JEAN}\r\nTo: ${MARIE}\r\nSubject: spoof\r\n\r\nx\r\n`);
    const aid = aidOf((await upload(sb.url, marie, 'x.eml', 'message/rfc822', mime)).text);
    await assert.rejects(soapAs(sb.url, marie, 'SendMsgRequest', { m: { aid } }), (e: any) => e.code === 'service.PERM_DENIED');
  });

  test('mail to an unknown esante.lu user aborts the send; outside mail goes to the outbox', async () => {
    await assert.rejects(
      soapAs(sb.url, marie, 'SendMsgRequest', { m: { e: [{ t: 't', a: 'nobody@esante.lu' }, { t: 't', a: JEAN }], su: 'x', mp: [{ ct: 'text/plain', content: 'x' }] } }),
      (e: any) => e.code === 'mail.SEND_ABORTED_ADDRESS_FAILURE',
    );
    const inbox = await soapAs<{ m: any[] }>(sb.url, jean, 'SearchRequest', { query: 'in:inbox', types: 'message' });
    assert.equal(inbox.m.some((m) => m.su === 'x'), false, 'nothing is sent when one recipient is refused');

    await soapAs(sb.url, marie, 'SendMsgRequest', { m: { e: [{ t: 't', a: 'Dr.Patient@Example.org' }], su: 'Hors eSanté', mp: [{ ct: 'text/plain', content: { _content: 'hello' } }] } });
    const out = (await (await fetch(new URL('/sandbox/outbox?to=dr.patient@example.org', sb.url))).json()) as { messages: any[] };
    assert.equal(out.messages.length, 1);
    assert.equal(out.messages[0].from, MARIE);
    assert.equal(out.messages[0].subject, 'Hors eSanté');
    assert.match(out.messages[0].raw, /^To: Dr.Patient@example.org\r$/m);
  });

  test('uploads need the CSRF header and content is owner-only', async () => {
    const bad = await upload(sb.url, marie, 'a.txt', 'text/plain', Buffer.from('a'), 'wrong');
    assert.equal(bad.status, 401);
    const anon = await fetch(new URL('/service/upload?fmt=raw,extended', sb.url), { method: 'POST', body: 'x' });
    assert.equal(anon.status, 401);
    const id = await idOnlyMarieHas();
    const own = await fetch(new URL(`/service/content/get?id=${id}`, sb.url), { headers: { Cookie: marie.cookie } });
    assert.equal(own.status, 200);
    const other = await fetch(new URL(`/service/content/get?id=${id}`, sb.url), { headers: { Cookie: jean.cookie } });
    assert.equal(other.status, 404);
    const anonymous = await fetch(new URL(`/service/content/get?id=${id}`, sb.url));
    assert.equal(anonymous.status, 401);
  });

  test('multipart form upload answers the JS callback by default', async () => {
    const form = new FormData();
    form.append('requestId', 'client_token');
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
    const res = await fetch(new URL('/service/upload?fmt=extended', sb.url), { method: 'POST', headers: { Cookie: marie.cookie, 'X-Zimbra-Csrf-Token': marie.csrfToken }, body: form });
    const html = await res.text();
    assert.match(html, /window\.parent\._uploadManager\.loaded\(200,'client_token',\[\{&quot;aid&quot;:&quot;[0-9a-f-]+&quot;,&quot;filename&quot;:&quot;hello.txt&quot;/);
  });

  test('fmt=raw answers status, requestId and aid; over 10 MB is 413 and stores nothing', async () => {
    const res = await fetch(new URL('/service/upload?fmt=raw&requestId=r1', sb.url), {
      method: 'POST',
      headers: { Cookie: marie.cookie, 'X-Zimbra-Csrf-Token': marie.csrfToken, 'Content-Type': 'text/plain', 'Content-Disposition': "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.txt" },
      body: 'x',
    });
    assert.match(await res.text(), /^200,'r1','[0-9a-f-]{36}'$/);
    const big = await upload(sb.url, marie, 'big.bin', 'application/octet-stream', Buffer.alloc(10 * 1024 * 1024 + 1));
    assert.equal(big.status, 413);
    assert.match(big.text, /^413,'null'/);
  });

  test('SaveDraft then MsgAction trash/move/delete', async () => {
    const d = await soapAs<{ m: any[] }>(sb.url, marie, 'SaveDraftRequest', { m: { e: [{ t: 't', a: JEAN }], su: 'Brouillon', mp: [{ ct: 'text/plain', content: 'v1' }] } });
    const id = d.m[0].id;
    assert.equal(d.m[0].l, '6');
    await soapAs(sb.url, marie, 'SaveDraftRequest', { m: { id, e: [{ t: 't', a: JEAN }], su: 'Brouillon v2', mp: [{ ct: 'text/plain', content: 'v2' }] } });
    const drafts = await soapAs<{ m: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:drafts', types: 'message' });
    assert.deepEqual(drafts.m.map((m) => [m.id, m.su]), [[id, 'Brouillon v2']]);
    await soapAs(sb.url, marie, 'MsgActionRequest', { action: { op: 'trash', id } });
    const trash = await soapAs<{ m: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:trash', types: 'message' });
    assert.ok(trash.m.some((m) => m.id === id));
    await soapAs(sb.url, marie, 'MsgActionRequest', { action: { op: 'delete', id } });
    await assert.rejects(soapAs(sb.url, marie, 'GetMsgRequest', { m: { id } }), (e: any) => e.code === 'mail.NO_SUCH_MSG');
    // Item ids are per mailbox: an id only Marie has is "no such message" for Jean, and stays Marie's.
    const mine = await idOnlyMarieHas();
    await assert.rejects(soapAs(sb.url, jean, 'MsgActionRequest', { action: { op: 'delete', id: mine } }), (e: any) => e.code === 'mail.NO_SUCH_MSG');
    await soapAs(sb.url, marie, 'GetMsgRequest', { m: { id: mine } });
  });
  // zm-mailbox SendMsg.java:144-146, 262-264, 467-487: `did` deletes the draft after the send (any
  // folder); `m.id` is not read by SendMsg; a failed send leaves the draft.
  test('SendMsg deletes `did` (wherever it is), ignores `m.id`, keeps the draft when the send fails', async () => {
    const save = async (su: string) =>
      (await soapAs<{ m: any[] }>(sb.url, marie, 'SaveDraftRequest', { m: { e: [{ t: 't', a: JEAN }], su, mp: [{ ct: 'text/plain', content: 'secret' }] } })).m[0].id as string;
    const inDrafts = async () => ((await soapAs<{ m?: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:drafts', types: 'message', limit: 100 })).m ?? []).map((m) => m.id as string);
    const send = (m: Record<string, unknown>) => soapAs<{ m: any[] }>(sb.url, marie, 'SendMsgRequest', { m: { e: [{ t: 't', a: JEAN }], su: 'envoi', mp: [{ ct: 'text/plain', content: 'x' }], ...m } });

    const byId = await save('by id only');
    await send({ id: byId });
    assert.ok((await inDrafts()).includes(byId), 'm.id alone must not delete the draft (SendMsg never reads it)');

    const byDid = await save('by did');
    const res = await send({ id: byDid, did: byDid });
    assert.ok(res.m[0].id, 'the copy in Sent is answered');
    assert.ok(!(await inDrafts()).includes(byDid));
    await assert.rejects(soapAs(sb.url, marie, 'GetMsgRequest', { m: { id: byDid } }), (e: any) => e.code === 'mail.NO_SUCH_MSG');

    const moved = await save('moved to a folder');
    await soapAs(sb.url, marie, 'MsgActionRequest', { action: { op: 'trash', id: moved } });
    await send({ did: moved });
    await assert.rejects(soapAs(sb.url, marie, 'GetMsgRequest', { m: { id: moved } }), (e: any) => e.code === 'mail.NO_SUCH_MSG');

    const kept = await save('send fails');
    await assert.rejects(send({ did: kept, e: [{ t: 't', a: 'nobody.here@esante.lu' }] }), (e: any) => e.code === 'mail.SEND_ABORTED_ADDRESS_FAILURE');
    assert.ok((await inDrafts()).includes(kept), 'a failed send deletes nothing');

    // A `did` that no longer exists does not fail the send (deleteDraft swallows the failure).
    await send({ did: '999999' });
  });

  test('SendMsg sfd sends the stored draft; noSave keeps no copy in Sent', async () => {
    const d = await soapAs<{ m: any[] }>(sb.url, marie, 'SaveDraftRequest', { m: { e: [{ t: 't', a: JEAN }, { t: 'b', a: 'dr.bcc@example.org' }], su: 'depuis le brouillon', mp: [{ ct: 'text/plain', content: 'corps du brouillon' }] } });
    const id = d.m[0].id as string;
    const res = await soapAs<{ m: any[] }>(sb.url, marie, 'SendMsgRequest', { m: { did: id, sfd: 1 } });
    const sent = await soapAs<{ m: any[] }>(sb.url, marie, 'GetMsgRequest', { m: { id: res.m[0].id } });
    assert.equal(sent.m[0].su, 'depuis le brouillon');
    await assert.rejects(soapAs(sb.url, marie, 'GetMsgRequest', { m: { id } }), (e: any) => e.code === 'mail.NO_SUCH_MSG');
    const none = await soapAs<{ m: any[] }>(sb.url, marie, 'SendMsgRequest', { noSave: 1, m: { e: [{ t: 't', a: JEAN }], su: 'sans copie', mp: [{ ct: 'text/plain', content: 'x' }] } });
    assert.deepEqual(none.m[0], {});
  });

  test('SaveDraft with an id: NO_SUCH_MSG when absent, IMMUTABLE_OBJECT when not a draft, replaced in any folder', async () => {
    const m = { e: [{ t: 't', a: JEAN }], su: 'b', mp: [{ ct: 'text/plain', content: 'v' }] };
    await assert.rejects(soapAs(sb.url, marie, 'SaveDraftRequest', { m: { ...m, id: '999998' } }), (e: any) => e.code === 'mail.NO_SUCH_MSG');
    const sent = await soapAs<{ m: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:sent', types: 'message', limit: 1 });
    await assert.rejects(soapAs(sb.url, marie, 'SaveDraftRequest', { m: { ...m, id: sent.m[0].id } }), (e: any) => e.code === 'mail.IMMUTABLE_OBJECT');
    const d = await soapAs<{ m: any[] }>(sb.url, marie, 'SaveDraftRequest', { m });
    await soapAs(sb.url, marie, 'MsgActionRequest', { action: { op: 'trash', id: d.m[0].id } });
    const again = await soapAs<{ m: any[] }>(sb.url, marie, 'SaveDraftRequest', { m: { ...m, su: 'b2', id: d.m[0].id } });
    assert.equal(again.m[0].l, '3');
    assert.equal(again.m[0].su, 'b2');
  });

  test('SaveDraft autoSendTime sends the draft at that time and deletes it (send later)', async () => {
    const d = await soapAs<{ m: any[] }>(sb.url, marie, 'SaveDraftRequest', { m: { autoSendTime: Date.now() + 300, e: [{ t: 't', a: JEAN }], su: 'plus tard', mp: [{ ct: 'text/plain', content: 'programmé' }] } });
    const id = d.m[0].id as string;
    assert.ok(d.m[0].autoSendTime > 0);
    // Wait on the effect itself: the draft disappears once sent (polling the server, no fixed sleep).
    const deadline = Date.now() + 15_000;
    for (;;) {
      const gone = await soapAs(sb.url, marie, 'GetMsgRequest', { m: { id } }).then(() => false, (e: any) => e.code === 'mail.NO_SUCH_MSG');
      if (gone) break;
      assert.ok(Date.now() < deadline, 'the scheduled draft was never sent');
    }
    const inbox = await soapAs<{ m?: any[] }>(sb.url, jean, 'SearchRequest', { query: 'in:inbox programmé', types: 'message' });
    assert.equal(inbox.m?.length, 1);
  });
  test('conversations: replies share a cid (normalized subject); GetConv answers them newest first; a lone message has -id', async () => {
    const send = (su: string) => soapAs<{ m: any[] }>(sb.url, jean, 'SendMsgRequest', { m: { e: [{ t: 't', a: MARIE }], su, mp: [{ ct: 'text/plain', content: su }] } });
    await send('Dossier Weber');
    await send('RE: Fwd: Dossier Weber');
    await send('Tout autre sujet 42');
    const inbox = await soapAs<{ m: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 100 });
    const thread = inbox.m.filter((m) => /Dossier Weber$/.test(m.su));
    assert.equal(thread.length, 2);
    assert.equal(thread[0].cid, thread[1].cid);
    assert.ok(Number(thread[0].cid) > 0);
    const lone = inbox.m.find((m) => m.su === 'Tout autre sujet 42');
    assert.equal(lone.cid, String(-Number(lone.id)));
    const conv = await soapAs<{ c: any[] }>(sb.url, marie, 'GetConvRequest', { c: { id: thread[0].cid } });
    assert.deepEqual(conv.c[0].m.map((m: any) => m.su), ['RE: Fwd: Dossier Weber', 'Dossier Weber']);
    const single = await soapAs<{ c: any[] }>(sb.url, marie, 'GetConvRequest', { c: { id: lone.cid } });
    assert.equal(single.c[0].m.length, 1);
    await assert.rejects(soapAs(sb.url, marie, 'GetConvRequest', { c: { id: 'x' } }), (e: any) => e.code === 'mail.NO_SUCH_CONV');
  });
});
