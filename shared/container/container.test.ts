import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerError, containerDigest, dataKeyFromBase64, openContainer, readHeader, sealContainer, sealContainerParts, openContainerParts, hasMagic, type DataKey } from './container.ts';
import { FIXED_PREFIX_LENGTH, MIN_SEGMENT_SIZE, TAG_BYTES, fromBase64Url, hasDuplicateNames, toBase64Url } from './format.ts';
import { errorText, errorTexts } from '../errors.ts';
import { LANGS } from '../i18n/lang.ts';

const KEY_SERVICE = 'https://messagerie.esante.lu/service/extension/esante/soap';

function randomKey(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

/** Flips bits of one byte in place. */
function flip(bytes: Uint8Array, at: number, mask = 0x01): void {
  bytes[at] = bytes[at]! ^ mask;
}

/** Deterministic, non-repeating bytes (so a swapped or shifted segment cannot decrypt to the same text). */
function pattern(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 0x12345678;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function seal(mime: Uint8Array, key: DataKey, segmentSize?: number): Promise<Uint8Array> {
  return sealContainer({ messageId: 'msg-0001', keyService: KEY_SERVICE, sender: 'marie.muller@esante.lu', mime, key, segmentSize });
}

async function rejectsWith(bytes: Uint8Array, key: DataKey, code: string): Promise<ContainerError> {
  let caught: unknown;
  try {
    await openContainer(bytes, async () => key);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ContainerError, `expected a ContainerError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.detail);
  return caught;
}

function bodyOffset(container: Uint8Array): number {
  return FIXED_PREFIX_LENGTH + new DataView(container.buffer, container.byteOffset).getUint32(10);
}

describe('container round trip', () => {
  const S = MIN_SEGMENT_SIZE;
  const cases: Array<[string, number, number | undefined]> = [
    ['0 B', 0, undefined],
    ['1 B', 1, undefined],
    ['exactly one segment', S, S],
    ['one segment plus one byte', S + 1, S],
    ['many segments', 10 * S + 7, S],
    ['many full segments', 8 * S, S],
  ];
  for (const [name, length, segmentSize] of cases) {
    test(name, async () => {
      const key = randomKey();
      const mime = pattern(length);
      const sealed = await seal(mime, key, segmentSize);
      const expectedSegments = Math.max(1, Math.ceil(length / (segmentSize ?? 1024 * 1024)));
      assert.equal(sealed.length - bodyOffset(sealed), length + expectedSegments * TAG_BYTES);
      const opened = await openContainer(sealed, async () => key);
      assert.deepEqual(opened.mime, mime);
      assert.equal(opened.header.messageId, 'msg-0001');
    });
  }

  test('25 MB with the default 1 MiB segments, progress reported up to the total', async () => {
    const key = randomKey();
    const mime = pattern(25 * 1000 * 1000);
    const sealProgress: number[] = [];
    const sealed = await sealContainer({
      messageId: 'big',
      keyService: KEY_SERVICE,
      sender: 'a@esante.lu',
      mime,
      key,
      onProgress: (done, total) => {
        assert.equal(total, mime.length);
        sealProgress.push(done);
      },
    });
    assert.equal(sealProgress.length, 24);
    assert.equal(sealProgress.at(-1), mime.length);
    const openProgress: number[] = [];
    const opened = await openContainer(sealed, async () => key, (done) => openProgress.push(done));
    assert.equal(openProgress.at(-1), mime.length);
    assert.ok(openProgress.every((v, i) => i === 0 || v > openProgress[i - 1]!));
    assert.ok(Buffer.from(opened.mime.buffer, opened.mime.byteOffset, opened.mime.length).equals(Buffer.from(mime)));
  });

  test('accepts a non-extractable WebCrypto key as well as raw bytes', async () => {
    const raw = randomKey();
    const cryptoKey = await crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const sealed = await seal(pattern(3000), cryptoKey, MIN_SEGMENT_SIZE);
    const opened = await openContainer(sealed, async () => raw);
    assert.deepEqual(opened.mime, pattern(3000));
  });

  test('the header is readable without a key and carries what was sealed', async () => {
    const created = new Date('2026-03-01T08:15:00.000Z');
    const sealed = await sealContainer({
      messageId: 'm-42',
      keyService: KEY_SERVICE,
      sender: 'jean.schmit@esante.lu',
      created,
      mime: pattern(10),
      key: randomKey(),
    });
    assert.ok(hasMagic(sealed));
    const h = readHeader(sealed);
    assert.equal(h.formatVersion, 1);
    assert.equal(h.messageId, 'm-42');
    assert.equal(h.keyService, KEY_SERVICE);
    assert.equal(h.sender, 'jean.schmit@esante.lu');
    assert.equal(h.created, created.toISOString());
    assert.equal(h.contentType, 'message/rfc822');
    assert.equal(h.cipher.alg, 'AES-256-GCM');
    assert.equal(h.cipher.segmentSize, 1024 * 1024);
  });

  test('two seals of the same message with the same key differ (fresh nonce)', async () => {
    const key = randomKey();
    const a = await seal(pattern(100), key);
    const b = await seal(pattern(100), key);
    assert.notEqual(readHeader(a).cipher.nonce, readHeader(b).cipher.nonce);
    assert.notDeepEqual(a.subarray(bodyOffset(a)), b.subarray(bodyOffset(b)));
  });
});

describe('container refuses every alteration', () => {
  const S = MIN_SEGMENT_SIZE;

  test('one flipped byte in a header value: tampered', async () => {
    const key = randomKey();
    const sealed = await seal(pattern(5000), key, S);
    const text = new TextDecoder().decode(sealed.subarray(0, bodyOffset(sealed)));
    const at = text.indexOf('marie.muller') + 1; // 'a' → 'c': still a valid address, so the header parses
    flip(sealed, at, 0x02);
    assert.equal(readHeader(sealed).sender, 'mcrie.muller@esante.lu');
    await rejectsWith(sealed, key, 'container.tampered');
  });

  test('one flipped byte in the magic: malformed; in the version: unsupported_version', async () => {
    const key = randomKey();
    const sealed = await seal(pattern(50), key);
    const badMagic = sealed.slice();
    flip(badMagic, 1);
    await rejectsWith(badMagic, key, 'container.malformed');
    const v2 = sealed.slice();
    v2[9] = 2;
    const err = await rejectsWith(v2, key, 'container.unsupported_version');
    assert.deepEqual(err.args, [2]);
    assert.throws(() => readHeader(v2), (e: unknown) => e instanceof ContainerError && e.code === 'container.unsupported_version');
  });

  test('one flipped byte in segment ciphertext or in a tag: tampered', async () => {
    const key = randomKey();
    const sealed = await seal(pattern(3 * S + 10), key, S);
    const body = bodyOffset(sealed);
    const inCiphertext = sealed.slice();
    flip(inCiphertext, body + S + 16 + 100, 0x01); // second segment, ciphertext
    await rejectsWith(inCiphertext, key, 'container.tampered');
    const inTag = sealed.slice();
    flip(inTag, body + S + 5, 0x80); // first segment's tag
    await rejectsWith(inTag, key, 'container.tampered');
    const inLastTag = sealed.slice();
    flip(inLastTag, inLastTag.length - 1, 0x01);
    await rejectsWith(inLastTag, key, 'container.tampered');
  });

  test('every single flipped byte of a small multi-segment container is refused with a container code', async () => {
    const key = randomKey();
    const sealed = await seal(pattern(S + 50), key, S); // two segments, the last one partial
    const codes = new Set<string>();
    for (let i = 0; i < sealed.length; i++) {
      const copy = sealed.slice();
      flip(copy, i, 0x01);
      try {
        await openContainer(copy, async () => key);
        assert.fail(`flipping byte ${i} went unnoticed`);
      } catch (err) {
        assert.ok(err instanceof ContainerError, `byte ${i}: ${String(err)}`);
        assert.match(err.code, /^container\./);
        codes.add(err.code);
      }
    }
    assert.deepEqual([...codes].sort(), ['container.malformed', 'container.tampered', 'container.unsupported_version', 'container.wrong_key']);
  });

  test('truncated: at a segment boundary, inside a tag, inside the header', async () => {
    const key = randomKey();
    const sealed = await seal(pattern(3 * S), key, S);
    const body = bodyOffset(sealed);
    // Dropping the whole last segment leaves a well-formed file whose new last segment was not sealed as final.
    await rejectsWith(sealed.subarray(0, body + 2 * (S + TAG_BYTES)), key, 'container.tampered');
    await rejectsWith(sealed.subarray(0, sealed.length - 1), key, 'container.tampered');
    await rejectsWith(sealed.subarray(0, body + S + TAG_BYTES + 5), key, 'container.malformed');
    await rejectsWith(sealed.subarray(0, body - 3), key, 'container.malformed');
    await rejectsWith(sealed.subarray(0, 5), key, 'container.malformed');
    await rejectsWith(new Uint8Array(0), key, 'container.malformed');
  });

  test('reordered segments: tampered', async () => {
    const key = randomKey();
    const sealed = await seal(pattern(3 * S + 1), key, S);
    const body = bodyOffset(sealed);
    const stride = S + TAG_BYTES;
    const swapped = sealed.slice();
    swapped.set(sealed.subarray(body + stride, body + 2 * stride), body);
    swapped.set(sealed.subarray(body, body + stride), body + stride);
    await rejectsWith(swapped, key, 'container.tampered');
  });

  test('an extra segment appended: tampered', async () => {
    const key = randomKey();
    const sealed = await seal(pattern(2 * S), key, S);
    const body = bodyOffset(sealed);
    const stride = S + TAG_BYTES;
    // Append a copy of the (full, final) last segment: the old final segment is now read as non-final.
    const extended = new Uint8Array(sealed.length + stride);
    extended.set(sealed, 0);
    extended.set(sealed.subarray(body + stride, body + 2 * stride), sealed.length);
    await rejectsWith(extended, key, 'container.tampered');
    // The same with a single appended tag-sized segment (an "empty" extra segment).
    const withEmpty = new Uint8Array(sealed.length + TAG_BYTES);
    withEmpty.set(sealed, 0);
    await rejectsWith(withEmpty, key, 'container.tampered');
  });

  test('a segment from another container of the same message and key: tampered', async () => {
    const key = randomKey();
    const a = await seal(pattern(2 * S), key, S);
    const b = await seal(pattern(2 * S), key, S);
    const mixed = a.slice();
    mixed.set(b.subarray(bodyOffset(b), bodyOffset(b) + S + TAG_BYTES), bodyOffset(a));
    await rejectsWith(mixed, key, 'container.tampered');
  });

  test('wrong key: wrong_key', async () => {
    const sealed = await seal(pattern(2000), randomKey(), S);
    await rejectsWith(sealed, randomKey(), 'container.wrong_key');
  });
});

describe('container inputs and errors', () => {
  test('getKey errors propagate unchanged (e.g. the key service refused)', async () => {
    const sealed = await seal(pattern(10), randomKey());
    const refusal = new Error('not a recipient');
    await assert.rejects(
      openContainer(sealed, async () => {
        throw refusal;
      }),
      (e) => e === refusal,
    );
  });

  test('sealing refuses bad header fields and bad keys with request.invalid', async () => {
    const mime = pattern(10);
    const key = randomKey();
    const base = { messageId: 'm', keyService: KEY_SERVICE, sender: 'a@b.lu', mime, key };
    const bad: Array<Omit<Partial<typeof base>, 'key'> & { key?: DataKey; segmentSize?: number }> = [
      { messageId: '' },
      { messageId: 'a\nb' },
      { keyService: 'ftp://x' },
      { keyService: 'not a url' },
      { sender: 'nobody' },
      { key: new Uint8Array(16) },
      { key: await crypto.subtle.importKey('raw', new Uint8Array(32), 'AES-GCM', false, ['decrypt']) },
      { key: await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt', 'decrypt']) },
      { segmentSize: 100 },
      { segmentSize: 1024.5 },
    ];
    for (const override of bad) {
      await assert.rejects(
        sealContainer({ ...base, ...override }),
        (e: unknown) => e instanceof ContainerError && e.code === 'request.invalid',
        JSON.stringify(Object.keys(override)),
      );
    }
  });

  test('every container code has its three texts', () => {
    for (const code of ['container.malformed', 'container.unsupported_version', 'container.tampered', 'container.wrong_key'] as const) {
      assert.ok(code in errorTexts);
      for (const lang of LANGS) assert.ok(errorText(code, lang, 7).length > 20);
    }
    assert.match(errorText('container.unsupported_version', 'de', 7), /\(7\)/);
  });

  test('base64url is strict and round-trips every length', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = pattern(n);
      const text = toBase64Url(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64url'));
      assert.deepEqual(fromBase64Url(text), bytes);
    }
    assert.equal(fromBase64Url('AB=='), null);
    assert.equal(fromBase64Url('A'), null);
    assert.equal(fromBase64Url('AB+/'), null);
    assert.equal(fromBase64Url('AB'), null, 'non-canonical trailing bits');
  });
});

describe('container digest', () => {
  test('SHA-256 of the whole file, base64url; differs for another seal of the same message', async () => {
    const { createHash } = await import('node:crypto');
    const key = randomKey();
    const a = await seal(pattern(3000), key);
    const b = await seal(pattern(3000), key);
    assert.equal(await containerDigest(a), createHash('sha256').update(a).digest('base64url'));
    assert.notEqual(await containerDigest(a), await containerDigest(b));
  });
});

describe('header parsing details', () => {
  /** Replaces the header JSON of a container (fixing its length field), keeping the body. */
  function withHeaderJson(container: Uint8Array, json: string): Uint8Array {
    const body = container.subarray(bodyOffset(container));
    const header = new TextEncoder().encode(json);
    const out = new Uint8Array(FIXED_PREFIX_LENGTH + header.length + body.length);
    out.set(container.subarray(0, FIXED_PREFIX_LENGTH), 0);
    new DataView(out.buffer).setUint32(10, header.length);
    out.set(header, FIXED_PREFIX_LENGTH);
    out.set(body, FIXED_PREFIX_LENGTH + header.length);
    return out;
  }

  test('duplicate member names are refused (parsers disagree on which one wins)', async () => {
    const key = randomKey();
    const sealed = await seal(pattern(10), key);
    const json = new TextDecoder().decode(sealed.subarray(FIXED_PREFIX_LENGTH, bodyOffset(sealed)));
    const duplicated = json.replace('"sender":"marie.muller@esante.lu"', '"sender":"marie.muller@esante.lu","sender":"x@evil.lu"');
    assert.notEqual(duplicated, json);
    assert.throws(() => readHeader(withHeaderJson(sealed, duplicated)), (e: unknown) => e instanceof ContainerError && e.code === 'container.malformed');
    // Reformatted but equivalent JSON parses; it is then refused by authentication, not by the parser.
    const spaced = json.replace(/,"/g, ', "');
    assert.equal(readHeader(withHeaderJson(sealed, spaced)).sender, 'marie.muller@esante.lu');
    await rejectsWith(withHeaderJson(sealed, spaced), key, 'container.tampered');
  });

  test('duplicate detection follows JSON nesting and escapes', () => {
    assert.equal(hasDuplicateNames('{"a":1,"b":{"a":2}}'), false);
    assert.equal(hasDuplicateNames('{"x":["a","a"],"y":"a"}'), false);
    assert.equal(hasDuplicateNames('{"s":"a\\"b","s2":"\\\\"}'), false);
    assert.equal(hasDuplicateNames('{"a":1,"a":2}'), true);
    assert.equal(hasDuplicateNames('{"a":1, "\\u0061" : 2}'), true);
    assert.equal(hasDuplicateNames('{"a":{"b":1,"b":2}}'), true);
    assert.equal(hasDuplicateNames('[{"a":1},{"a":1}]'), false);
  });

  test('a data key from base64 or base64url, padded or not', () => {
    const raw = randomKey();
    for (const text of [Buffer.from(raw).toString('base64'), Buffer.from(raw).toString('base64url'), ` ${Buffer.from(raw).toString('base64')}\n`]) {
      assert.deepEqual(dataKeyFromBase64(text), raw);
    }
    for (const bad of ['', 'AAAA', Buffer.alloc(31).toString('base64'), '!'.repeat(44)]) {
      assert.throws(() => dataKeyFromBase64(bad), (e: unknown) => e instanceof ContainerError && e.code === 'request.invalid', bad);
    }
  });
});

describe('sealContainerParts (issue 17: no contiguous copy of the sealed message)', () => {
  test('the parts are the file in order: preamble, then each segment’s ciphertext and tag; joined they open', async () => {
    const key = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const mime = globalThis.crypto.getRandomValues(new Uint8Array(2 * MIN_SEGMENT_SIZE + 100));
    const { parts, length } = await sealContainerParts({ messageId: 'parts-1', keyService: KEY_SERVICE, sender: 'marie.schmit@esante.lu', mime, key, segmentSize: MIN_SEGMENT_SIZE });
    assert.equal(parts.length, 1 + 3);
    assert.deepEqual(parts.slice(1).map((p) => p.length), [MIN_SEGMENT_SIZE + TAG_BYTES, MIN_SEGMENT_SIZE + TAG_BYTES, 100 + TAG_BYTES]);
    assert.equal(length, parts.reduce((n, p) => n + p.length, 0));
    const file = new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
    assert.equal(readHeader(file).messageId, 'parts-1');
    assert.deepEqual((await openContainer(file, async () => key)).mime, mime);
    const opened = await openContainerParts(file, async () => key);
    assert.equal(opened.length, mime.length);
    assert.deepEqual(opened.parts.map((p) => p.length), [MIN_SEGMENT_SIZE, MIN_SEGMENT_SIZE, 100]);
    assert.deepEqual(new Uint8Array(await new Blob(opened.parts as Uint8Array<ArrayBuffer>[]).arrayBuffer()), mime);
  });

  test('openContainerParts is all or nothing: a tampered last segment is refused', async () => {
    const key = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const mime = new Uint8Array(2 * MIN_SEGMENT_SIZE + 1).fill(7);
    const file = await sealContainer({ messageId: 'parts-2', keyService: KEY_SERVICE, sender: 'marie.schmit@esante.lu', mime, key, segmentSize: MIN_SEGMENT_SIZE });
    file[file.length - 1]! ^= 1;
    await assert.rejects(openContainerParts(file, async () => key), (e: unknown) => e instanceof ContainerError && e.code === 'container.tampered');
  });
});
