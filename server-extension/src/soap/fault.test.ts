import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { errorText, errorTexts, type ErrorCode } from '../../../shared/errors.ts';
import { LANGS } from '../../../shared/i18n/lang.ts';
import {
  AuthRequiredError,
  CodedError,
  EsanteError,
  InternalError,
  InvalidRequestError,
  MalformedRequestError,
  RequestTooLargeError,
  ServiceUnavailableError,
  UnknownOperationError,
} from '../errors.ts';
import { DirectoryError } from '../directory/errors.ts';
import { KeyCryptoError } from '../keys/errors.ts';
import { HttpError } from '../messages/http.ts';
import { StoreInputError, StoreUnavailableError } from '../store/errors.ts';
import { toFault } from './fault.ts';
import { memoryLogger } from '../../test/support/memory-logger.ts';

/** The tests' one capturing logger (a real pino logger writing into an array). */
const capture = () => memoryLogger();

describe('error hierarchy', () => {
  const cases: Array<[EsanteError, ErrorCode, number, 'Client' | 'Server']> = [
    [new AuthRequiredError(), 'auth.required', 401, 'Client'],
    [new InvalidRequestError('x'), 'request.invalid', 400, 'Client'],
    [new MalformedRequestError(), 'request.malformed', 400, 'Client'],
    [new RequestTooLargeError(10), 'request.too_large', 413, 'Client'],
    [new UnknownOperationError('X'), 'request.unknown_operation', 400, 'Client'],
    [new ServiceUnavailableError(), 'service.unavailable', 503, 'Server'],
    [new InternalError(), 'service.internal', 500, 'Server'],
  ];
  for (const [e, code, status, side] of cases) {
    test(`${e.name}: ${code}, HTTP ${status}, soap:${side}`, () => {
      assert.ok(e instanceof EsanteError && e instanceof Error);
      assert.equal(e.code, code);
      assert.equal(e.httpStatus, status);
      assert.equal(e.side, side);
    });
  }
});

describe('toFault', () => {
  test('answers the translated text, the code in the detail, and the side', () => {
    const { log } = capture();
    for (const lang of LANGS) {
      const f = toFault(new RequestTooLargeError(4096), lang, log);
      assert.equal(f.message, errorText('request.too_large', lang, 4096));
      assert.ok(f.xml.includes(`<faultstring xml:lang="${lang}">${f.message}</faultstring>`));
      assert.ok(f.xml.includes('<faultcode>soap:Client</faultcode>'));
      assert.ok(f.xml.includes('<e:error xmlns:e="urn:lu:esante:messaging:1" code="request.too_large"/>'));
      assert.equal(f.httpStatus, 413);
    }
  });

  test('escapes what came from the request', () => {
    const { log } = capture();
    const f = toFault(new UnknownOperationError('<x>&"'), 'en', log);
    assert.ok(f.xml.includes('Unknown operation: &lt;x&gt;&amp;&quot;'));
  });

  test('anything else is service.internal with a reference, logged with its stack, never sent', () => {
    const { log, lines } = capture();
    const f = toFault(new TypeError('cannot read x of undefined at /opt/secret.ts'), 'fr', log);
    assert.equal(f.code, 'service.internal');
    assert.equal(f.side, 'Server');
    assert.equal(f.httpStatus, 500);
    assert.match(f.reference ?? '', /^[0-9A-F]{12}$/);
    assert.ok(f.message.includes(f.reference!));
    assert.ok(!f.xml.includes('secret.ts') && !f.xml.includes('TypeError'));
    const logged = lines.join('');
    assert.ok(logged.includes(f.reference!) && logged.includes('/opt/secret.ts') && logged.includes('"stack"'));
    // Two failures, two references.
    assert.notEqual(toFault('x', 'fr', log).reference, f.reference);
  });

  test('the ports’ errors are members of the one hierarchy and keep their code; a plain Error with a code is not trusted', () => {
    const { log } = capture();
    const down = toFault(new StoreUnavailableError('db down', new Error('ECONNREFUSED')), 'fr', log);
    assert.equal(down.code, 'service.unavailable');
    assert.equal(down.side, 'Server');
    assert.equal(down.httpStatus, 503);
    const f = toFault(new StoreInputError('recipients', 'empty'), 'en', log);
    assert.equal(f.code, 'request.invalid');
    assert.equal(f.message, 'The request is invalid: recipients');
    assert.equal(f.httpStatus, 400);
    assert.equal(toFault(new DirectoryError('directory.not_found'), 'en', log).httpStatus, 404);
    assert.equal(toFault(new HttpError(429, 'portal.rate_limited', [3]), 'en', log).httpStatus, 429);
    const internal = toFault(new KeyCryptoError('unwrap_failed', 'bad tag'), 'en', log);
    assert.equal(internal.code, 'service.internal');
    assert.ok(internal.reference, 'a service.internal member is shown as a reference only');
    // Duck typing is gone: only an EsanteError's code reaches the caller (Node's own ECONNREFUSED… too).
    class LooksCoded extends Error {
      readonly code = 'request.invalid';
      readonly args = ['recipients'];
    }
    assert.equal(toFault(new LooksCoded('bad'), 'en', log).code, 'service.internal');
    assert.equal(toFault(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'fr', log).code, 'service.internal');
  });

  test('CodedError carries any public code, with side and status from its name', () => {
    const { log } = capture();
    const codes = Object.keys(errorTexts) as ErrorCode[];
    const client = codes.find((c) => !c.startsWith('service.') && !c.endsWith('.unavailable') && c !== 'auth.required' && c !== 'request.too_large')!;
    const f = toFault(new CodedError(client, { args: ['a'] }), 'de', log);
    assert.equal(f.code, client);
    assert.equal(f.side, 'Client');
    assert.equal(f.httpStatus, 400);
    assert.equal(f.message, errorText(client, 'de', 'a'));
    const u = toFault(new CodedError('service.unavailable'), 'de', log);
    assert.equal(u.side, 'Server');
    assert.equal(u.httpStatus, 503);
  });
});

test('every error code has its three texts', () => {
  for (const [code, texts] of Object.entries(errorTexts)) {
    for (const lang of LANGS) assert.ok((texts as Record<string, string>)[lang]?.length, `${code}.${lang}`);
  }
});
