/**
 * The parsers of hostile input and what each promises, as fast-check properties. Each target builds
 * valid samples first (real outputs of our own writers), then checks, for every mutated or random
 * input: it ends only in the parser's documented errors, it answers within a bounded time, and what it
 * returns is bounded by the input's size (no allocation a few bytes can inflate).
 *
 * Used by fuzz.test.ts (a bounded run in `npm test`) and run.ts (`npm run fuzz`, as long as asked).
 */
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ContainerError, openContainer, readHeader, sealContainer } from '../shared/container/container.ts';
import { escapeMarkup } from '../shared/markup.ts';
import { parseMime, toDisplay } from '../shared/messages/mime.ts';
import { encodeRequest } from '../shared/soap/codec.ts';
import { operations } from '../shared/soap/operations.ts';
import { fieldOf, isObjectField, type Fields } from '../shared/soap/schema.ts';
import type { Caller } from '../server-extension/src/auth/index.ts';
import { ServiceUnavailableError } from '../server-extension/src/errors.ts';
import { createLogger } from '../server-extension/src/log.ts';
import { CmsError, parseSignedData } from '../server-extension/src/signing/cms.ts';
import { decodeCrl, issueCrl } from '../server-extension/src/signing/crl.ts';
import { DerError } from '../server-extension/src/signing/der.ts';
import { MimeError, parseEntity, splitMultipart, parseContentType } from '../server-extension/src/signing/mime.ts';
import { signMime, type SigningCredential } from '../server-extension/src/signing/signer.ts';
import { rsaSignDigest } from '../server-extension/src/signing/soft-token.ts';
import { createCa, issueSigningCertificate } from '../server-extension/src/signing/test-pki.ts';
import { trustAnchorsFromPem, verifyMessage } from '../server-extension/src/signing/verify.ts';
import { parseCertificate, serialHex } from '../server-extension/src/signing/x509.ts';
import { SoapEndpoint } from '../server-extension/src/soap/endpoint.ts';
import type { HandlerRegistry } from '../server-extension/src/soap/handlers.ts';
import { mutatedBytes, mutatedText } from './mutate.ts';

export interface Target<I = unknown> {
  name: string;
  /** Builds the samples and answers the inputs to try. */
  setup(): Promise<fc.Arbitrary<I>>;
  /**
   * Throws (assertion) when the parser breaks its promise on `input`; answers how the input ended
   * (e.g. "ok", an error code), so a run can show it reached past the first check.
   */
  check(input: I): Promise<string | void> | string | void;
  /** Outcomes a run of 10 000 inputs must have seen at least once (else the fuzzer only scratches the surface). */
  mustReach?: readonly string[];
}

/** Longest a single input may take: generous for a loaded CI machine, far below any blow-up. */
export const MAX_MS_PER_INPUT = 250;

const der = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

type ErrorClass = abstract new (...a: never[]) => Error;

/** Returns when `err` is one of the `allowed` (documented) errors; an assertion failure for anything else. */
function onlyDocumented(err: unknown, allowed: readonly ErrorClass[], where: string): void {
  if (allowed.some((cls) => err instanceof cls)) return;
  assert.fail(`${where} threw an undocumented ${(err as Error)?.constructor?.name ?? typeof err}: ${(err as Error)?.message ?? String(err)}`);
}

function sampleMessage(withAttachment: boolean): Buffer {
  const lines = [
    'From: Marie Schmit <marie.schmit@esante.lu>',
    'To: =?UTF-8?Q?Luc_M=C3=BCller?= <luc.muller@esante.lu>',
    'Subject: =?UTF-8?B?UsOpc3VsdGF0cyBkZSBsYWJvcmF0b2lyZQ==?=',
    'Date: Mon, 07 Dec 2026 08:00:00 +0100',
    'Message-ID: <fuzz-1@esante.lu>',
    'MIME-Version: 1.0',
  ];
  if (!withAttachment) return Buffer.from([...lines, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', 'Bonjour, voici les r=C3=A9sultats.', ''].join('\r\n'));
  return Buffer.from(
    [
      ...lines,
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: multipart/alternative; boundary="b2"',
      '',
      '--b2',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'R=E9sultats ci-joints.',
      '--b2',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>R\u00e9sultats <b>ci-joints</b><img src="cid:i1"></p>',
      '--b2--',
      '--b1',
      'Content-Type: application/pdf; name="=?UTF-8?Q?r=C3=A9sultat.pdf?="',
      'Content-Disposition: attachment; filename*=UTF-8\'\'r%C3%A9sultat.pdf',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4\n% fuzz sample\n').toString('base64'),
      '--b1',
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      '',
      'inner body',
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

// ---- the browser's MIME reader (shared/messages/mime.ts): never throws, output within the input ------

const mimeReader: Target<Uint8Array> = {
  name: 'mime reader (shared/messages/mime.ts)',
  async setup() {
    return mutatedBytes([sampleMessage(true), sampleMessage(false)]);
  },
  check(input) {
    // Documented: "Malformed input never throws".
    const root = parseMime(input);
    const shown = toDisplay(root);
    let bodies = 0;
    let parts = 0;
    const walk = (e: ReturnType<typeof parseMime>): void => {
      parts++;
      bodies += e.body?.length ?? 0;
      for (const p of e.parts ?? []) walk(p);
    };
    walk(root);
    // Decoding only shrinks (base64 4→3, QP 3→1): the parts' bodies together never exceed the input.
    assert.ok(bodies <= input.length, `decoded bodies ${bodies} > input ${input.length}`);
    assert.ok(parts <= input.length + 1, `${parts} parts from ${input.length} bytes`);
    assert.ok((shown.text?.length ?? 0) + (shown.html?.length ?? 0) <= 4 * input.length + 64, 'display text larger than the input allows');
    return shown.attachments.length > 0 ? 'attachments' : 'no attachments';
  },
  mustReach: ['attachments', 'no attachments'],
};

// ---- the signing side's MIME parser (server-extension/src/signing/mime.ts): MimeError only ---------

const signingMime: Target<Uint8Array> = {
  name: 'signing MIME parser (server-extension/src/signing/mime.ts)',
  async setup() {
    return mutatedBytes([sampleMessage(true), sampleMessage(false)]);
  },
  check(input) {
    try {
      const e = parseEntity(Buffer.from(input));
      const ct = parseContentType(e.fields.find((f) => f.name.toLowerCase() === 'content-type')?.value);
      if (ct.params.boundary) {
        const m = splitMultipart(e.body, ct.params.boundary);
        assert.ok(m.parts.length <= input.length, 'more parts than bytes');
        return 'multipart';
      }
      return 'parsed';
    } catch (err) {
      onlyDocumented(err, [MimeError], 'parseEntity/splitMultipart');
      return 'refused';
    }
  },
  mustReach: ['multipart', 'parsed', 'refused'],
};

// ---- DER, X.509, CMS, CRL (server-extension/src/signing/) ------------------------------------------

interface SigningSamples {
  cert: Buffer;
  cms: Buffer;
  crl: Buffer;
  signedMessage: Buffer;
  /** The first part of the multipart/signed with its delimiters: the bytes the signature covers. */
  signedPart: Buffer;
  rootPem: string;
}

let signingSamples: Promise<SigningSamples> | undefined;
function signing(): Promise<SigningSamples> {
  signingSamples ??= (async () => {
    const root = await createCa('Fuzz Root CA');
    const inter = await createCa('Fuzz Signing CA', { issuer: root, pathLen: 0 });
    const user = { givenName: 'Marie', sn: 'Schmit', mail: 'marie.schmit@esante.lu' };
    const leaf = await issueSigningCertificate(inter, user);
    const key = createPrivateKey(leaf.keyPem);
    const credential: SigningCredential = { certificates: [der(leaf.certPem), der(inter.certPem)], keyAlgorithm: 'rsa', signDigest: async (d) => rsaSignDigest(key, d) };
    const signedMessage = await signMime(sampleMessage(false), credential, { mail: user.mail, now: new Date() });
    const b64 = /\r\n\r\n([A-Za-z0-9+/=\r\n]+)\r\n--[^\r\n]*--\r\n?$/.exec(signedMessage.toString('latin1'));
    const cms = Buffer.from(b64?.[1]?.replace(/\s+/g, '') ?? '', 'base64');
    assert.ok(cms.length > 0, 'the signed sample carries its CMS');
    const now = new Date();
    const crl = issueCrl(inter, [{ serial: serialHex(parseCertificate(der(leaf.certPem))), revocationDate: now, reason: 'keyCompromise' }], {
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 86_400_000),
      crlNumber: 1,
    });
    const text = signedMessage.toString('latin1');
    const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
    const first = text.indexOf(`--${boundary}\r\n`);
    const second = text.indexOf(`\r\n--${boundary}`, first + 1);
    const signedPart = Buffer.from(text.slice(first, second + boundary.length + 4), 'latin1');
    return { cert: der(leaf.certPem), cms, crl, signedMessage, signedPart, rootPem: root.certPem };
  })();
  return signingSamples;
}

/**
 * A DER reader fed mutations of its valid seeds: it parses (and `bound` holds for what it read) or
 * throws one of its documented errors; both outcomes must be reached.
 */
function derTarget(name: string, seeds: () => Promise<Uint8Array[]>, parse: (b: Buffer) => void, documented: ErrorClass, where: string): Target<Uint8Array> {
  return {
    name,
    async setup() {
      return mutatedBytes(await seeds());
    },
    check(input) {
      try {
        parse(Buffer.from(input));
        return 'parsed';
      } catch (err) {
        onlyDocumented(err, [documented], where);
        return 'refused';
      }
    },
    mustReach: ['parsed', 'refused'],
  };
}

const x509 = derTarget('X.509 reader (signing/x509.ts, der.ts)', async () => [(await signing()).cert], parseCertificate, DerError, 'parseCertificate');

const cms = derTarget(
  'CMS SignedData reader (signing/cms.ts)',
  async () => [(await signing()).cms],
  (b) => {
    const sd = parseSignedData(b);
    assert.ok(sd.certificates.length <= b.length / 16 + 1, 'more certificates than the bytes can hold');
  },
  CmsError,
  'parseSignedData',
);

const crl = derTarget(
  'CRL reader (signing/crl.ts)',
  async () => {
    const s = await signing();
    return [s.crl, Buffer.from(`-----BEGIN X509 CRL-----\n${s.crl.toString('base64')}\n-----END X509 CRL-----\n`)];
  },
  (b) => {
    const c = decodeCrl(b);
    assert.ok(c.entries.size <= b.length / 8 + 1, 'more entries than the bytes can hold');
  },
  DerError,
  'decodeCrl',
);

const smime: Target<Uint8Array> = {
  name: 'S/MIME verification (signing/verify.ts verifyMessage: "never throws")',
  async setup() {
    return mutatedBytes([(await signing()).signedMessage]);
  },
  async check(input) {
    const s = await signing();
    const report = verifyMessage(Buffer.from(input), trustAnchorsFromPem(s.rootPem));
    assert.equal(typeof report.valid, 'boolean');
    // A mutation may leave the signed bytes intact (e.g. in an outer header), never make a forgery pass:
    // a valid report means the signed part is byte-identical to the one that was signed.
    if (report.valid) assert.ok(Buffer.from(input).includes(s.signedPart), 'a changed message verified as valid');
    return report.valid ? 'valid' : (report.reason ?? 'invalid');
  },
  mustReach: ['valid'],
};

// ---- the container reader (shared/container/container.ts) ------------------------------------------

interface ContainerSample {
  bytes: Uint8Array;
  key: Uint8Array;
  mime: Uint8Array;
}

let containerSamples: ContainerSample[] = [];
const CONTAINER_CODES = ['container.malformed', 'container.unsupported_version', 'container.tampered', 'container.wrong_key'];

const container: Target<{ seed: number; bytes: Uint8Array }> = {
  name: 'container reader (shared/container/container.ts)',
  async setup() {
    containerSamples = [];
    // Three segments of the smallest size the format allows, and one segment.
    const threeSegments = Buffer.concat([sampleMessage(true), Buffer.alloc(2200, 0x41)]);
    for (const [mime, segmentSize] of [[threeSegments, 1024], [sampleMessage(false), 1024]] as const) {
      const key = new Uint8Array(randomBytes(32));
      const bytes = await sealContainer({ messageId: 'msg-fuzz', keyService: 'https://esante.lu/service/extension/esante', sender: 'marie.schmit@esante.lu', mime, key, segmentSize });
      containerSamples.push({ bytes, key, mime });
    }
    // Each input is one sample's container mutated, opened with that sample's key.
    return fc.oneof(
      ...containerSamples.map((s, seed) => mutatedBytes([s.bytes]).map((bytes) => ({ seed, bytes }))),
    );
  },
  async check({ seed, bytes }) {
    const sample = containerSamples[seed]!;
    try {
      readHeader(bytes);
    } catch (err) {
      onlyDocumented(err, [ContainerError], 'readHeader');
      assert.ok(CONTAINER_CODES.includes((err as ContainerError).code), (err as ContainerError).code);
    }
    try {
      const opened = await openContainer(bytes, async () => sample.key);
      // Authenticated encryption: whatever opens is exactly what was sealed.
      assert.deepEqual(Buffer.from(opened.mime), Buffer.from(sample.mime), 'a changed container opened to other content');
      return 'opened';
    } catch (err) {
      onlyDocumented(err, [ContainerError], 'openContainer');
      assert.ok(CONTAINER_CODES.includes((err as ContainerError).code), (err as ContainerError).code);
      return (err as ContainerError).code;
    }
  },
  mustReach: ['opened', 'container.malformed', 'container.tampered'],
};

// ---- the SOAP endpoint (server-extension/src/soap/): a Fault the client caused, never an internal one ---

/** A valid request of an operation (the endpoint validates it before calling the handler). */
function validRequest(fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const f = fieldOf(spec);
    if (f.optional || f.list) continue;
    if (isObjectField(f)) out[name] = validRequest(f.fields);
    else out[name] = f.type === 'int' ? 1 : f.type === 'boolean' ? true : f.type === 'dateTime' ? '2026-01-01T00:00:00Z' : 'x';
  }
  return out;
}

/** A leaf's text replaced, a leaf dropped or repeated, an unknown element added: the XML stays well-formed. */
function wellFormedWithHostileValues(seeds: readonly string[]): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.constantFrom('', ' ', '-1', '0', '2147483648', '1e3', '0x10', 'NaN', 'true', 'yes', '2026-13-45T99:00:00Z', '*', '(uid=*)', '\\00', 'a'.repeat(5000), '\u0000', 'é'.repeat(70), '<script>'),
  );
  type Edit = { kind: 'value'; at: number; text: string } | { kind: 'drop'; at: number } | { kind: 'repeat'; at: number; times: number } | { kind: 'extra'; at: number; name: string };
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    fc.record({ kind: fc.constant('value' as const), at: fc.nat(), text: value }),
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 300 }) }),
    fc.record({ kind: fc.constant('extra' as const), at: fc.nat(), name: fc.constantFrom('unknown', 'id', 'xsi:nil', 'Body') }),
  ) as fc.Arbitrary<Edit>;
  const LEAF = /<([A-Za-z][\w.-]*)>([^<]*)<\/\1>/g;
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) =>
    edits.reduce((xml, e) => {
      const leaves = [...xml.matchAll(LEAF)];
      if (leaves.length === 0) return xml;
      const m = leaves[e.at % leaves.length]!;
      const [whole, name] = [m[0], m[1]!];
      const before = xml.slice(0, m.index);
      const after = xml.slice(m.index! + whole.length);
      switch (e.kind) {
        case 'value':
          return `${before}<${name}>${escapeMarkup(e.text)}</${name}>${after}`;
        case 'drop':
          return before + after;
        case 'repeat':
          return before + whole.repeat(e.times) + after;
        case 'extra':
          return `${before}${whole}<${e.name}>x</${e.name}>${after}`;
      }
    }, seed),
  );
}

let endpoint: Promise<SoapEndpoint> | undefined;
const log = createLogger({ level: 'silent' });

const soap: Target<string> = {
  name: 'SOAP endpoint (soap/endpoint.ts, sniff.ts, validate.ts)',
  async setup() {
    const caller: Caller = { accountId: 'acc-fuzz', name: 'marie.schmit@esante.lu', lang: 'fr' };
    // Every handler refuses with a documented error: a request that gets through validation ends there.
    const handlers: Record<string, () => Promise<never>> = {};
    for (const op of Object.keys(operations)) handlers[op] = async () => { throw new ServiceUnavailableError({ message: 'fuzz handler' }); };
    endpoint ??= SoapEndpoint.create({ operations, handlers: handlers as unknown as HandlerRegistry, authenticator: { authenticate: async () => caller }, location: 'http://127.0.0.1:1/soap' });
    await endpoint;
    const seeds = (Object.keys(operations) as Array<keyof typeof operations>).map((op) => encodeRequest(op, validRequest(operations[op].request as Fields) as never));
    // Well-formed envelopes with hostile values reach validation (request.invalid) and the handler;
    // broken XML exercises sniff and the soap package's parser.
    return fc.oneof(wellFormedWithHostileValues(seeds), mutatedText(seeds));
  },
  async check(xml) {
    const answer = await (await endpoint!).handle({ xml, credentials: {}, requestId: 'fuzz', log, signal: new AbortController().signal });
    // The caller's input can cause a client Fault or reach the handler (service.unavailable here);
    // service.internal would be a parser defect surfacing as "our bug".
    assert.ok(answer.faultCode !== 'service.internal', `internal Fault for ${JSON.stringify(xml.slice(0, 300))}: ${answer.body.slice(0, 300)}`);
    assert.ok(answer.body.length <= 4 * xml.length + 4096, 'answer larger than the request allows');
    return answer.faultCode ?? 'answered';
  },
  // service.unavailable: the request passed every check and reached the handler.
  mustReach: ['service.unavailable', 'request.invalid', 'request.malformed'],
};

export const TARGETS: readonly Target<never>[] = [mimeReader, signingMime, x509, cms, crl, smime, container, soap] as unknown as Target<never>[];
