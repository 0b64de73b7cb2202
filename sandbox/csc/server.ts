/**
 * A local stand-in for a remote signing service speaking the Cloud Signature Consortium API v2
 * (CSC v2.0.0.2, §11 API methods; section numbers below are those of §11.1–§11.6, signHash is
 * §11.9 in v1.0.4.0 and keeps its name in v2), enough for the service's CSC adapter
 * (server-extension/src/signing/csc.ts) to be tested for real. It signs with the embedded test
 * PKI's keys (one credential per user, unlocked by that user's PIN, like a card or HSM key).
 *
 *   POST /csc/v2/info                    §11.1  no auth
 *   POST /csc/v2/auth/login              §11.2  HTTP Basic (the client accounts passed in) → access_token
 *   POST /csc/v2/credentials/list        §11.4  Bearer; userID filters by mail
 *   POST /csc/v2/credentials/info        §11.5  Bearer
 *   POST /csc/v2/credentials/authorize   §11.6  Bearer + authData [{id:'PIN'}] → SAD bound to the hashes
 *   POST /csc/v2/signatures/signHash     §11.9  Bearer + SAD → RSA PKCS#1 v1.5 signatures of the hashes
 *
 * Sandbox only (never shipped). PINs are compared in constant time and never logged; a credential
 * locks after 3 wrong PINs, as a card would.
 */
import { createHash, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openPkcs12, rsaSignDigest } from '../../server-extension/src/signing/soft-token.ts';
import { OID } from '../../server-extension/src/signing/oids.ts';
import { formatName, parseCertificate } from '../../server-extension/src/signing/x509.ts';

export interface CscStandInPki {
  mails(): string[];
  p12(mail: string): Buffer | undefined;
  pin(mail: string): string | undefined;
}

export interface CscStandInOptions {
  pki: CscStandInPki;
  /** Accounts allowed to call auth/login (the eSanté service is one). */
  clients: Array<{ username: string; password: string }>;
  port?: number;
  host?: string;
  /** Lifetimes, seconds. */
  tokenTtl?: number;
  sadTtl?: number;
}

export interface CscStandIn {
  /** Base URL of the API: `http://127.0.0.1:PORT/csc/v2`. */
  readonly url: string;
  close(): Promise<void>;
  /** Counters for tests: how many hashes were signed, and the last signHash request's fields. */
  readonly stats: { signed: number; lastSignHashKeys: string[] };
}

interface Credential {
  id: string;
  mail: string;
  chain: Buffer[];
  key?: KeyObject;
  badPins: number;
}

const sha = (s: string | Buffer): Buffer => createHash('sha256').update(s).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(sha(a), sha(b));

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export async function startCscStandIn(opts: CscStandInOptions): Promise<CscStandIn> {
  const tokenTtl = opts.tokenTtl ?? 3600;
  const sadTtl = opts.sadTtl ?? 300;
  const tokens = new Map<string, { client: string; expires: number }>();
  const sads = new Map<string, { credentialID: string; hashes: Set<string>; remaining: number; expires: number }>();
  const credentials = new Map<string, Credential>();
  for (const mail of opts.pki.mails()) {
    const id = `cred-${sha(mail).toString('base64url').slice(0, 16)}`;
    credentials.set(id, { id, mail, chain: [], badPins: 0 });
  }
  const stats = { signed: 0, lastSignHashKeys: [] as string[] };

  /** Opens a credential's PKCS#12 once (its chain is needed for list/info, its key for signHash). */
  const open = (c: Credential): Credential => {
    if (!c.key) {
      const o = openPkcs12(opts.pki.p12(c.mail)!, opts.pki.pin(c.mail)!);
      c.key = o.key;
      c.chain = o.certificates;
    }
    return c;
  };

  const describe = (c: Credential, body: Record<string, unknown>): Record<string, unknown> => {
    const leaf = parseCertificate(open(c).chain[0]!);
    const mode = body['certificates'] ?? 'single';
    const certificates = mode === 'none' ? [] : mode === 'chain' ? c.chain : c.chain.slice(0, 1);
    return {
      description: `Signing key of ${c.mail} (eSanté TEST PKI)`,
      key: { status: c.badPins >= 3 ? 'disabled' : 'enabled', algo: [OID.rsaEncryption, OID.sha256WithRSA], len: 2048 },
      cert: {
        status: 'valid',
        certificates: certificates.map((d) => d.toString('base64')),
        ...(body['certInfo']
          ? { issuerDN: formatName(leaf.issuer), subjectDN: formatName(leaf.subject), serialNumber: leaf.serial.toString('hex'), validFrom: leaf.notBefore.toISOString(), validTo: leaf.notAfter.toISOString() }
          : {}),
      },
      ...(body['authInfo'] ? { auth: { mode: 'explicit', objects: [{ type: 'Password', id: 'PIN', format: 'A', label: 'PIN', description: 'PIN of the signing key' }] } } : {}),
      SCAL: '2',
      multisign: 1,
      lang: 'fr-LU',
    };
  };

  const bearer = (req: IncomingMessage): string => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const t = m ? tokens.get(m[1]!) : undefined;
    if (!t || t.expires < Date.now()) throw new HttpError(401, 'invalid_token', 'Invalid or expired access token');
    return t.client;
  };
  const credentialOf = (body: Record<string, unknown>): Credential => {
    const c = typeof body['credentialID'] === 'string' ? credentials.get(body['credentialID']) : undefined;
    if (!c) throw new HttpError(400, 'invalid_request', 'Invalid parameter credentialID');
    return c;
  };
  const hashesOf = (body: Record<string, unknown>): string[] => {
    const h = body['hashes'];
    if (!Array.isArray(h) || h.length === 0 || !h.every((x) => typeof x === 'string' && Buffer.from(x, 'base64').length === 32)) {
      throw new HttpError(400, 'invalid_request', 'Invalid parameter hashes');
    }
    if (body['hashAlgorithmOID'] !== OID.sha256) throw new HttpError(400, 'invalid_request', 'Invalid parameter hashAlgorithmOID');
    return h as string[];
  };

  const routes: Record<string, (req: IncomingMessage, body: Record<string, unknown>) => unknown> = {
    info: () => ({
      specs: '2.0.0.2',
      name: 'eSanté CSC stand-in (sandbox, TEST keys only)',
      logo: '',
      region: 'LU',
      lang: 'fr-LU',
      description: 'Local stand-in of a remote signing service for development and tests.',
      authType: ['basic'],
      methods: ['auth/login', 'credentials/list', 'credentials/info', 'credentials/authorize', 'signatures/signHash'],
    }),
    'auth/login': (req) => {
      const m = /^Basic (\S+)$/.exec(req.headers.authorization ?? '');
      const [user, ...rest] = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':') : [];
      const pass = rest.join(':');
      const client = opts.clients.find((c) => same(c.username, user ?? '') && same(c.password, pass));
      if (!client) throw new HttpError(401, 'authentication_error', 'Authentication failed');
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, { client: client.username, expires: Date.now() + tokenTtl * 1000 });
      return { access_token: token, expires_in: tokenTtl };
    },
    'credentials/list': (req, body) => {
      bearer(req);
      const userID = typeof body['userID'] === 'string' ? body['userID'].toLowerCase() : undefined;
      const list = [...credentials.values()].filter((c) => !userID || c.mail === userID);
      return {
        credentialIDs: list.map((c) => c.id),
        ...(body['credentialInfo'] ? { credentialInfos: list.map((c) => ({ credentialID: c.id, ...describe(c, body) })) } : {}),
      };
    },
    'credentials/info': (req, body) => {
      bearer(req);
      return describe(credentialOf(body), body);
    },
    'credentials/authorize': (req, body) => {
      bearer(req);
      const c = credentialOf(body);
      const hashes = hashesOf(body);
      const n = body['numSignatures'];
      if (typeof n !== 'number' || n < 1 || n !== hashes.length) throw new HttpError(400, 'invalid_request', 'Invalid parameter numSignatures');
      if (c.badPins >= 3) throw new HttpError(400, 'invalid_request', 'The credential is locked');
      const authData = Array.isArray(body['authData']) ? (body['authData'] as Array<{ id?: unknown; value?: unknown }>) : [];
      const pin = authData.find((a) => a.id === 'PIN')?.value;
      if (typeof pin !== 'string' || !same(pin, opts.pki.pin(c.mail) ?? randomBytes(16).toString('hex'))) {
        c.badPins++;
        throw new HttpError(400, 'invalid_pin', 'The PIN is invalid');
      }
      c.badPins = 0;
      const SAD = randomBytes(24).toString('base64url');
      sads.set(SAD, { credentialID: c.id, hashes: new Set(hashes), remaining: n, expires: Date.now() + sadTtl * 1000 });
      return { SAD, expiresIn: sadTtl };
    },
    'signatures/signHash': (req, body) => {
      bearer(req);
      stats.lastSignHashKeys = Object.keys(body).sort();
      const c = credentialOf(body);
      const hashes = hashesOf(body);
      const sad = typeof body['SAD'] === 'string' ? sads.get(body['SAD']) : undefined;
      // The SAD authorizes exactly the hashes it was issued for, on that credential, a limited number of times.
      if (!sad || sad.expires < Date.now() || sad.credentialID !== c.id || sad.remaining < hashes.length || !hashes.every((h) => sad.hashes.has(h))) {
        throw new HttpError(400, 'invalid_request', 'Invalid SAD');
      }
      if (body['signAlgo'] !== OID.rsaEncryption && body['signAlgo'] !== OID.sha256WithRSA) throw new HttpError(400, 'invalid_request', 'Invalid parameter signAlgo');
      sad.remaining -= hashes.length;
      if (sad.remaining === 0) sads.delete(body['SAD'] as string);
      stats.signed += hashes.length;
      return { signatures: hashes.map((h) => rsaSignDigest(open(c).key!, Buffer.from(h, 'base64')).toString('base64')) };
    },
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const route = path.startsWith('/csc/v2/') ? routes[path.slice('/csc/v2/'.length)] : undefined;
        if (!route) throw new HttpError(404, 'invalid_request', 'Unknown method');
        if (req.method !== 'POST') throw new HttpError(405, 'invalid_request', 'Use POST');
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text ? (JSON.parse(text) as unknown) : {};
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid_request', 'Body must be a JSON object');
        send(200, route(req, body as Record<string, unknown>));
      } catch (e) {
        if (e instanceof HttpError) send(e.status, { error: e.error, error_description: e.description });
        else if (e instanceof SyntaxError) send(400, { error: 'invalid_request', error_description: 'Malformed JSON' });
        else send(500, { error: 'server_error', error_description: 'Internal error' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}/csc/v2`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
