import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { containerDigest, sealContainer } from '../../../../shared/container/container.ts';
import { DownloadError, bannerName, openSecureMessage, type Released } from './open-secure.ts';

const key = new Uint8Array(32).map((_, i) => i + 1);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const mime = new TextEncoder().encode('From: a@esante.lu\r\nTo: b@esante.lu\r\nSubject: =?utf-8?Q?R=C3=A9sultats?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTout va bien.');

async function sealed(sender = 'a@esante.lu') {
  const bytes = await sealContainer({ messageId: 'm1', keyService: 'https://x.example/service/extension/esante/soap', sender, mime, key });
  return bytes;
}

function released(over: Partial<Released> = {}, digest?: string): Released {
  return {
    messageId: 'm1',
    dataKey: b64(key),
    containerDigest: digest,
    sentAt: '2026-11-29T06:00:00Z',
    sender: { mail: 'a@esante.lu', displayName: 'Dr Anne Schmit', level: 3, levelBanner: true },
    ...over,
  };
}

describe('openSecureMessage', () => {
  test('opens a container whose digest matches the registered one and parses the message', async () => {
    const bytes = await sealed();
    const asked: string[] = [];
    const opened = await openSecureMessage({
      download: async () => bytes,
      releaseKey: async (id) => {
        asked.push(id);
        return released({}, await containerDigest(bytes));
      },
    });
    assert.deepEqual(asked, ['m1']);
    assert.equal(opened.display.subject, 'Résultats');
    assert.equal(opened.display.text, 'Tout va bien.');
    assert.equal(opened.sender.level, 3);
  });

  test('refuses another file under the same header (digest differs) and an unconfirmed message', async () => {
    const bytes = await sealed();
    const other = await sealed();
    const digestOfOther = await containerDigest(other);
    await assert.rejects(openSecureMessage({ download: async () => bytes, releaseKey: async () => released({}, digestOfOther) }), { code: 'container.tampered' });
    await assert.rejects(openSecureMessage({ download: async () => bytes, releaseKey: async () => released({}, undefined) }), { code: 'container.tampered' });
  });

  test('the sender opening an unconfirmed message confirms it again with the digest of that very file', async () => {
    const bytes = await sealed();
    const confirmed: Array<[string, string, number]> = [];
    const opened = await openSecureMessage({
      download: async () => bytes,
      releaseKey: async () => released({}, undefined),
      confirmSent: async (id, digest, size) => {
        confirmed.push([id, digest, size]);
      },
    });
    assert.deepEqual(confirmed, [['m1', await containerDigest(bytes), bytes.length]]);
    assert.equal(opened.display.text, 'Tout va bien.');
    // A refused confirmation (e.g. another file was confirmed meanwhile) stops the opening.
    const refusal = Object.assign(new Error('already sent'), { code: 'message.already_sent' });
    await assert.rejects(
      openSecureMessage({ download: async () => bytes, releaseKey: async () => released({}, undefined), confirmSent: () => Promise.reject(refusal) }),
      { code: 'message.already_sent' },
    );
    // With a digest on record nothing is confirmed again.
    await openSecureMessage({ download: async () => bytes, releaseKey: async () => released({}, await containerDigest(bytes)), confirmSent: async () => assert.fail('confirmed again') });
  });

  test('refuses a header sender that differs from the key service record', async () => {
    const bytes = await sealed('mallory@esante.lu');
    await assert.rejects(openSecureMessage({ download: async () => bytes, releaseKey: async () => released({}, undefined) }), { code: 'container.tampered' });
    const digest = await containerDigest(bytes);
    await assert.rejects(openSecureMessage({ download: async () => bytes, releaseKey: async () => released({}, digest) }), { code: 'container.tampered' });
  });

  test('a flipped byte is refused; download and key-service failures propagate distinctly', async () => {
    const bytes = await sealed();
    const digest = await containerDigest(bytes);
    const flipped = bytes.slice();
    flipped[flipped.length - 5]! ^= 1;
    await assert.rejects(openSecureMessage({ download: async () => flipped, releaseKey: async () => released({}, digest) }), { code: 'container.tampered' });
    await assert.rejects(openSecureMessage({ download: async () => Promise.reject(new Error('404')), releaseKey: async () => released() }), DownloadError);
    const refusal = Object.assign(new Error('not a recipient'), { code: 'message.not_recipient' });
    await assert.rejects(openSecureMessage({ download: async () => bytes, releaseKey: async () => Promise.reject(refusal) }), { code: 'message.not_recipient' });
  });

  test('banner name is the display name upper-cased, else the address', () => {
    assert.equal(bannerName({ displayName: 'Bond James', mail: 'x@y' }), 'BOND JAMES');
    assert.equal(bannerName({ displayName: ' ', mail: 'jbond@esante.lu' }), 'JBOND@ESANTE.LU');
  });
});
