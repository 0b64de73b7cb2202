/**
 * The signing feature's entry in the service (see ../feature.ts): builds the SigningService from
 * the environment (config.ts) and answers GetSigningStatus, SignMessage and VerifySignature
 * (shared/signing/operations.ts `signingOperations`).
 *
 * Messages travel as base64 of their bytes (a SOAP string cannot carry arbitrary octets). Their
 * size is bounded twice: by the HTTP layer (ESANTE_MAX_REQUEST_BYTES, the whole envelope) and here,
 * after decoding, by ESANTE_SIGNING_MAX_MESSAGE_BYTES (default 10 240 000, Zimbra's default
 * zimbraMtaMaxMessageSize: a bigger message could not be sent through Zimbra's MTA anyway).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lang } from '../../../shared/i18n/lang.ts';
import { formatRevocationDate } from '../../../shared/signing/reasons.ts';
import type { VerificationReport } from '../../../shared/signing/operations.ts';
import { InvalidRequestError, RequestTooLargeError } from '../errors.ts';
import type { Feature, FeatureContext } from '../feature.ts';
import type { Caller } from '../auth/index.ts';
import { loadMasterKeyring } from '../keys/index.ts';
import type { AuthMethodCaller } from './auth-method.ts';
import { SIGNING_CONFIG_VARS, createSigningFromConfig, loadSigningConfig } from './config.ts';
import { SigningError } from './errors.ts';
import type { SigningService } from './signing-service.ts';
import type { PkiUser } from './test-pki.ts';

export { SIGNING_CONFIG_VARS as signingConfigVars };

export const DEFAULT_MAX_MESSAGE_BYTES = 10_240_000;

/** Strict base64 (RFC 4648 §4, padding required, no line breaks): anything else is refused, not guessed at. */
/**
 * Strict base64 (RFC 4648 §4: the standard alphabet, length a multiple of 4, '=' only as the last one
 * or two characters), checked in linear time without backtracking: a backtracking pattern over the
 * 13 MB of a 10 MB message overflowed V8's regexp stack ("Maximum call stack size exceeded").
 */
function isStrictBase64(s: string): boolean {
  if (s.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(s)) return false;
  const firstPad = s.indexOf('=');
  return firstPad === -1 || (firstPad >= s.length - 2 && (firstPad === s.length - 1 || s[s.length - 1] === '='));
}

const NOT_BASE64: Record<Lang, string> = {
  fr: 'le champ « mime » doit contenir le message encodé en base64',
  de: 'das Feld „mime“ muss die Nachricht in Base64-Kodierung enthalten',
  en: 'the "mime" field must hold the message encoded in base64',
};
const EMPTY: Record<Lang, string> = {
  fr: 'le message est vide',
  de: 'die Nachricht ist leer',
  en: 'the message is empty',
};

/** Decodes the `mime` field: strict base64, not empty, not above the limit; else a translated Fault. */
export function decodeMessage(b64: string, maxBytes: number, lang: Lang): Buffer {
  // 4 base64 characters carry 3 bytes: refuse before decoding anything oversized.
  if (Math.floor(b64.length / 4) * 3 > maxBytes + 2) throw new RequestTooLargeError(maxBytes);
  if (!isStrictBase64(b64)) throw new InvalidRequestError(NOT_BASE64[lang]);
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length === 0) throw new InvalidRequestError(EMPTY[lang]);
  if (bytes.length > maxBytes) throw new RequestTooLargeError(maxBytes);
  return bytes;
}

/** Reads `users[] {givenName, sn, mail}` of a seed file (sandbox/seed/users.json's shape). */
export function readTestUsers(file: string): PkiUser[] {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { users?: Array<Partial<PkiUser>> };
  return (json.users ?? [])
    .filter((u): u is PkiUser => typeof u.mail === 'string' && typeof u.givenName === 'string' && typeof u.sn === 'string')
    .map((u) => ({ givenName: u.givenName, sn: u.sn, mail: u.mail }));
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 1024 || n > 512 * 1024 * 1024) throw new Error(`Invalid signing configuration:\n  - ${name} must be an integer between 1024 and 536870912`);
  return n;
}

/** How often the test PKI's CRLs are looked at (re-issued once half their 7 days have passed). */
const CRL_REFRESH_MS = 6 * 3600_000;

/**
 * The revocation date in the reason texts ({1}, shared/signing/reasons.ts) as the reader reads it,
 * in the caller's language and Luxembourg time; the report's `revokedAt` stays ISO 8601.
 */
export function localizeReport(report: VerificationReport, lang: Lang): VerificationReport {
  if (report.reasonArgs.length < 2 || !report.revokedAt) return report;
  const args = [...report.reasonArgs];
  args[1] = formatRevocationDate(report.revokedAt, lang);
  return { ...report, reasonArgs: args };
}

export async function createSigningFeature(ctx: FeatureContext): Promise<Feature> {
  const env = ctx.env;
  const cfg = loadSigningConfig(env, ctx.config.dataDir);
  if (cfg.authMethod.source === 'header') {
    // The header adapter (auth-method.ts) needs the request's headers, which the SOAP layer does not
    // hand to handlers yet (soap/handlers.ts UserContext). Refusing to start is clearer for an admin
    // than a service where nobody can ever sign.
    throw new Error('Invalid signing configuration:\n  - ESANTE_AUTH_METHOD_SOURCE=header is not available yet (request headers do not reach the handlers); use zimbra-attr');
  }
  const maxBytes = positiveInt(env['ESANTE_SIGNING_MAX_MESSAGE_BYTES'], DEFAULT_MAX_MESSAGE_BYTES, 'ESANTE_SIGNING_MAX_MESSAGE_BYTES');
  // A named users file must exist. The service never reads the sandbox's files on its own: a development
  // start names sandbox/seed/users.json (scripts/start.mjs); without a file nobody gets a test
  // certificate (GetSigningStatus says sign.no_certificate).
  const usersFile = env['ESANTE_SIGNING_TEST_USERS']?.trim();
  let users: PkiUser[] = [];
  if (cfg.signer === 'soft-token') {
    if (usersFile) users = readTestUsers(usersFile);
    else ctx.log.info('ESANTE_SIGNING_TEST_USERS is empty: the test PKI issues no user certificate');
  }

  // The soft token's PINs and test CA keys are sealed under the service's one master keyring (the
  // same sources as the messages and accounts features: ESANTE_MASTER_KEY*, else <data dir>/master-keys.json).
  const keyring = cfg.signer === 'soft-token' ? (await loadMasterKeyring({ env, defaultFile: join(ctx.config.dataDir, 'master-keys.json') })).keyring : undefined;

  // Making the test PKI of a fresh data dir takes seconds (one RSA key per user): it runs in the
  // background so the service listens at once; the signing operations wait for it. Configuration
  // errors above still stop the start.
  let state: 'starting' | 'ready' | 'failed' = 'starting';
  const ready = createSigningFromConfig(cfg, { users, now: () => ctx.clock.now(), log: ctx.log, ...(keyring ? { keyring } : {}) });
  // The test PKI's CRLs are valid 7 days: re-issue them in time on a service that runs for weeks.
  let crlTimer: NodeJS.Timeout | undefined;
  ready.then(
    ({ pki }) => {
      state = 'ready';
      if (pki && cfg.revocation.mode === 'crl') {
        crlTimer = setInterval(() => {
          try {
            if (pki.refreshCrls()) ctx.log.info('test PKI CRLs re-issued');
          } catch (err) {
            ctx.log.error({ err }, 'test PKI CRLs could not be re-issued');
          }
        }, CRL_REFRESH_MS);
        crlTimer.unref();
      }
      ctx.log.info({ signer: cfg.signer, authMethodSource: cfg.authMethod.source, revocation: cfg.revocation.mode, revocationUnknown: cfg.revocation.unknown, ...(pki ? { testPki: pki.dir, testUsers: pki.mails().length } : {}) }, 'signing ready');
    },
    (err: unknown) => {
      state = 'failed';
      ctx.log.error({ err }, 'signing could not start');
    },
  );
  const signing = async (): Promise<SigningService> => {
    try {
      return (await ready).service;
    } catch (e) {
      throw new SigningError('sign.unavailable', [], { cause: e, detail: 'the signing feature failed to start' });
    }
  };

  // What the auth-method port needs: the proven account and what Zimbra's GetInfo said about the session.
  const who = (caller: Caller): AuthMethodCaller => ({ name: caller.name, ...(caller.authMethod ? { authMethod: caller.authMethod } : {}) });

  return {
    name: 'signing',
    // Not ready yet is healthy (it is on its way); failed to start is not.
    health: async () => state !== 'failed',
    // Readiness (issue 16): /health stays 503 "starting" until the test PKI is made.
    ready: () => ready.then(() => undefined),
    async stop() {
      // Let a PKI still being written finish before the process goes (no half-written files).
      await ready.catch(() => undefined);
      if (crlTimer) clearInterval(crlTimer);
    },
    handlers: {
      GetSigningStatus: async (_req, { caller }) => (await signing()).status(who(caller)),

      SignMessage: async (req, { caller, lang, log }) => {
        const mime = decodeMessage(req.mime, maxBytes, lang);
        const signed = await (await signing()).sign(who(caller), mime);
        // Sizes only: never the content, never the key material.
        log.info({ bytes: mime.length, signedBytes: signed.length }, 'message signed');
        return { mime: signed.toString('base64') };
      },

      VerifySignature: async (req, { lang, log }) => {
        const report = await (await signing()).verifyOnline(decodeMessage(req.mime, maxBytes, lang));
        log.info({ valid: report.valid, revocation: report.revocationStatus, ...(report.reason ? { reason: report.reason } : {}) }, 'signature verified');
        return { report: localizeReport(report, lang) };
      },
    },
  };
}
