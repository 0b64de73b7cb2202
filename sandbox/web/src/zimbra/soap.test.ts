import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendSoap, methodName, ZmCsfeException } from './soap.ts';
import { ZmMailMsg, ZmComposedMsg } from './mail-msg.ts';
import { parseUploadResponse, uploadDisposition } from '../ui/compose-view.ts';

function fakeFetch(answer: unknown, status = 200) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof answer === 'string' ? answer : JSON.stringify(answer), { status });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

describe('sendSoap (ZmCsfeCommand / soap.txt JSON)', () => {
  test('posts the envelope to /service/soap/<Name>Request with the CSRF header and answers the Body', async () => {
    const { fn, calls } = fakeFetch({ Header: {}, Body: { GetInfoResponse: { name: 'a@b.lu' } } });
    const body = await sendSoap({ GetInfoRequest: { _jsns: 'urn:zimbraAccount' } }, { csrfToken: () => 'tok', fetch: fn });
    assert.deepEqual(body, { GetInfoResponse: { name: 'a@b.lu' } });
    assert.equal(calls[0]!.url, '/service/soap/GetInfoRequest');
    assert.equal((calls[0]!.init.headers as Record<string, string>)['X-Zimbra-Csrf-Token'], 'tok');
    const sent = JSON.parse(String(calls[0]!.init.body));
    assert.equal(sent.Header.context._jsns, 'urn:zimbra');
    assert.deepEqual(sent.Body, { GetInfoRequest: { _jsns: 'urn:zimbraAccount' } });
  });
  test('defaults _jsns to urn:zimbraMail', async () => {
    const { fn, calls } = fakeFetch({ Body: { SearchResponse: {} } });
    await sendSoap({ SearchRequest: { query: 'in:inbox' } }, { csrfToken: () => '', fetch: fn });
    assert.equal(JSON.parse(String(calls[0]!.init.body)).Body.SearchRequest._jsns, 'urn:zimbraMail');
  });
  test('a Fault becomes a ZmCsfeException with Zimbra code and text', async () => {
    const { fn } = fakeFetch({ Body: { Fault: { Code: { Value: 'soap:Sender' }, Reason: { Text: 'no valid authtoken present' }, Detail: { Error: { Code: 'service.AUTH_REQUIRED', _jsns: 'urn:zimbra' } } } } }, 500);
    await assert.rejects(sendSoap({ GetInfoRequest: {} }, { csrfToken: () => '', fetch: fn }), (e: unknown) => {
      assert.ok(e instanceof ZmCsfeException);
      assert.equal(e.code, 'service.AUTH_REQUIRED');
      assert.equal(e.msg, 'no valid authtoken present');
      return true;
    });
  });
  test('a non-JSON answer is a service.FAILURE', async () => {
    const { fn } = fakeFetch('<html>bad gateway</html>', 502);
    await assert.rejects(sendSoap({ NoOpRequest: {} }, { csrfToken: () => '', fetch: fn }), { code: 'service.FAILURE' });
  });
  test('methodName wants exactly one …Request key', () => {
    assert.equal(methodName({ SendMsgRequest: {} }), 'SendMsgRequest');
    assert.throws(() => methodName({ A: {}, B: {} }));
    assert.throws(() => methodName({ hack: {} }));
  });
});

describe('ZmMailMsg from GetMsgResponse (ToXML.java shapes)', () => {
  const json = {
    id: '257',
    l: '2',
    f: 'ua',
    d: 1_790_000_000_000,
    su: 'Résultats',
    e: [
      { t: 'f', a: 'marie.schmit@esante.lu', p: 'Marie Schmit' },
      { t: 't', a: 'luc.hoffmann@esante.lu' },
      { t: 'c', a: 'sophie.muller@esante.lu', p: 'Sophie' },
    ],
    mp: [
      {
        part: 'TEXT',
        ct: 'multipart/mixed',
        mp: [
          { part: '1', ct: 'text/plain', body: true, s: 5, content: 'Bonjour' },
          { part: '2', ct: 'application/pdf', cd: 'attachment', filename: 'bilan.pdf', s: 1234 },
        ],
      },
    ],
  };
  test('addresses, body part, attachments, flags, urls', () => {
    const m = new ZmMailMsg(json);
    assert.equal(m.getAddress('FROM')?.address, 'marie.schmit@esante.lu');
    assert.equal(m.getAddress('FROM')?.name, 'Marie Schmit');
    assert.equal(m.getAddresses('CC').size(), 1);
    assert.equal(m.getBodyPart('text/plain')?.getContent(), 'Bonjour');
    assert.equal(m.getBodyPart('text/html'), undefined);
    assert.equal(m.hasAttach, true);
    assert.equal(m.isUnread, true);
    assert.deepEqual(m.attachments.map((a) => [a.part, a.filename, a.ct, a.size]), [['2', 'bilan.pdf', 'application/pdf', 1234]]);
    assert.equal((m as unknown as Record<string, unknown>)['getRawUrl'], undefined, 'ZmMailMsg has no getRawUrl');
    assert.equal(m.getRestUrl(), '/service/home/~/?id=257');
    assert.equal((m as unknown as Record<string, unknown>)['getAttachmentUrl'], undefined, 'ZmMailMsg has no getAttachmentUrl');
    assert.equal((m as unknown as Record<string, unknown>)['getAttachments'], undefined, 'ZmMailMsg has no getAttachments');
  });
  // ZmMimePart._loadFromDom (ZmMimePart.js:189-246) decides what counts as an attachment.
  test('attachments as ZmMimePart counts them: content-id, content-location, message/rfc822, text/calendar; not inside rfc822', () => {
    const m = new ZmMailMsg({
      id: '9',
      mp: [
        {
          part: 'TEXT',
          ct: 'multipart/mixed',
          mp: [
            { part: '1', ct: 'text/plain', body: true, s: 3, content: 'Hi' },
            { part: '2', ct: 'image/png', cd: 'inline', ci: 'logo@x', s: 10 },
            { part: '3', ct: 'application/octet-stream', cl: 'http://x/y', s: 4 },
            { part: '4', ct: 'message/rfc822', s: 50, mp: [{ part: '4.1', ct: 'application/pdf', filename: 'inner.pdf', s: 5 }] },
            { part: '5', ct: 'text/calendar', s: 20 },
            { part: '6', ct: 'text/plain', s: 7 },
          ],
        },
      ],
    });
    assert.deepEqual(m.attachments.map((a) => a.part), ['2', '3', '4', '5']);
    assert.equal(m.attachments[0]!.contentId, '<logo@x>');
    assert.deepEqual(m.getBodyParts().map((p) => p.part), ['1']);
  });
  // ZmMimePart.isIgnoredPart (ZmMimePart.js:165-185): applefile inside appledouble and multipart/digest never count.
  test('ignored parts: application/applefile inside multipart/appledouble, multipart/digest', () => {
    const m = new ZmMailMsg({
      id: '10',
      mp: [
        {
          part: 'TEXT',
          ct: 'multipart/mixed',
          mp: [
            { part: '1', ct: 'text/plain', body: true, s: 3, content: 'Hi' },
            {
              part: '2',
              ct: 'multipart/appledouble',
              mp: [
                { part: '2.1', ct: 'application/applefile', filename: 'rapport.pdf', s: 9 },
                { part: '2.2', ct: 'application/pdf', filename: 'rapport.pdf', s: 90 },
              ],
            },
            { part: '3', ct: 'multipart/digest', cd: 'attachment', mp: [{ part: '3.1', ct: 'message/rfc822', s: 40 }] },
          ],
        },
      ],
    });
    assert.deepEqual(m.attachments.map((a) => a.part), ['2.2', '3.1']);
  });
  test('the composed message parses the fields', () => {
    const m = new ZmComposedMsg({ to: 'a@x.lu; Smith, John <js@x.lu>', cc: '', bcc: 'b@y.lu', subject: 'S', body: 'B', attachmentIds: ['aid1'] });
    assert.deepEqual(m.getAddresses('TO').getArray().map((a) => a.address), ['a@x.lu', 'js@x.lu']);
    assert.equal(m.getAddress('BCC')?.type, 'BCC');
    assert.equal(m.getBodyPart()?.getContent(), 'B');
    assert.equal(m.hasAttach, true);
  });
});

describe('upload helpers (file-upload.txt)', () => {
  test('parses the raw,extended answer and a bare JSON array', () => {
    assert.deepEqual(parseUploadResponse(`200,'null',[{"aid":"a1:b2","ct":"application/pdf","filename":"x.pdf","s":3}]`), [{ aid: 'a1:b2', ct: 'application/pdf', filename: 'x.pdf', s: 3 }]);
    assert.equal(parseUploadResponse('[{"aid":"z"}]')[0]!.aid, 'z');
  });
  test('refuses an error status or an answer without aid', () => {
    assert.throws(() => parseUploadResponse(`413,'null'`), /413/);
    assert.throws(() => parseUploadResponse('[{"filename":"x"}]'), /attachment id/);
  });
  test('Content-Disposition stays ASCII and carries the UTF-8 name', () => {
    const d = uploadDisposition('résumé "final".pdf');
    assert.match(d, /^attachment; filename="r_sum_ _final_.pdf"; filename\*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf$/);
    assert.ok(/^[\x20-\x7e]*$/.test(d));
  });
});
