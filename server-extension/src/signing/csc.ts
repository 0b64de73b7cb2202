/**
 * Remote-signing adapter speaking the Cloud Signature Consortium API v2 (CSC "Architectures and
 * protocols for remote signature applications", v2.0.0.2, §11 "API methods"):
 *   §11.1 info, §11.2 auth/login (HTTP Basic, or a ready OAuth2 bearer token), §11.4 credentials/list,
 *   §11.5 credentials/info, §11.6 credentials/authorize (returns the SAD), signatures/signHash
 *   (§11.9 in v1.0.4.0). Errors are JSON `{error, error_description}` with an HTTP 4xx status.
 * The message never leaves the service: the CMS signed attributes are built and hashed here and
 * only their SHA-256 digest goes to the signing service, which signs it with the user's key
 * (a qualified key on a LuxTrust card or HSM in production; sandbox/csc/ in tests).
 * Tokens, passwords and PINs are sent, never logged, never kept beyond their lifetime.
 */
import { SigningError } from './errors.ts';
import { OID } from './oids.ts';
import type { CredentialSource, SigningCredential } from './signer.ts';
import { parseCertificate } from './x509.ts';

export type CscAuth =
  /** §11.2 auth/login with HTTP Basic: the service's account at the signing service. */
  | { kind: 'basic'; username: string; password: () => string }
  /** An OAuth2 access token obtained elsewhere (client credentials flow, §8.3). */
  | { kind: 'bearer'; token: () => string };

export interface CscOptions {
  /** Base URL of the API, ending in `/csc/v2`, e.g. https://rssp.example.lu/csc/v2 */
  baseUrl: string;
  auth: CscAuth;
  /**
   * The credential authorization data (§11.6 `authData`, e.g. [{id:'PIN', value}]) for a user's
   * credential. In the sandbox it comes from the test PKI's PIN vault; in production from the
   * signer (card PIN / OTP) — see README.md.
   */
  authData(mail: string, credentialID: string): Promise<Array<{ id: string; value: string }>>;
  timeoutMs?: number;
  /** How long a user's certificate chain is kept (no secrets in it). Default 5 minutes. */
  cacheTtlMs?: number;
  fetch?: typeof fetch;
}

/** credentials/info answer (§11.5), the parts we use. */
export interface CscCredentialInfo {
  key?: { status?: string; algo?: string[]; len?: number };
  cert?: { status?: string; certificates?: string[]; subjectDN?: string; issuerDN?: string; serialNumber?: string };
  auth?: { mode?: string };
}

/** A failure reported by the signing service (`{error, error_description}`): to the user, sign.unavailable. */
export class CscError extends SigningError {
  override readonly name = 'CscError';
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super('sign.unavailable', [], { detail: `CSC ${status} ${error}: ${description.slice(0, 200)}` });
  }
}

export class CscClient {
  readonly #opts: CscOptions;
  #token: { value: string; expires: number } | undefined;

  constructor(opts: CscOptions) {
    this.#opts = { ...opts, baseUrl: opts.baseUrl.replace(/\/+$/, '') };
  }

  /** §11.1 info: no authentication. */
  info(): Promise<{ specs?: string; name?: string; authType?: string[]; methods?: string[] }> {
    return this.#post('info', {}, false);
  }

  async #accessToken(): Promise<string> {
    const auth = this.#opts.auth;
    if (auth.kind === 'bearer') return auth.token();
    if (this.#token && this.#token.expires > Date.now()) return this.#token.value;
    const basic = Buffer.from(`${auth.username}:${auth.password()}`, 'utf8').toString('base64');
    const r = await this.#post<{ access_token?: string; expires_in?: number }>('auth/login', {}, false, `Basic ${basic}`);
    if (!r.access_token) throw new CscError(200, 'invalid_response', 'auth/login without access_token');
    // Renew a minute early so a token never expires between two calls of one signature.
    this.#token = { value: r.access_token, expires: Date.now() + Math.max(0, (r.expires_in ?? 3600) - 60) * 1000 };
    return r.access_token;
  }

  /** §11.4 credentials/list for one user (`userID`), with the chain of each credential. */
  listCredentials(userID: string): Promise<{ credentialIDs: string[]; credentialInfos?: Array<CscCredentialInfo & { credentialID: string }> }> {
    return this.#post('credentials/list', { userID, credentialInfo: true, certificates: 'chain', certInfo: true, authInfo: true });
  }

  /** §11.5 credentials/info. */
  credentialInfo(credentialID: string): Promise<CscCredentialInfo> {
    return this.#post('credentials/info', { credentialID, certificates: 'chain', certInfo: true, authInfo: true });
  }

  /** §11.6 credentials/authorize: Signature Activation Data for exactly these hashes. */
  authorize(credentialID: string, hashes: Buffer[], authData: Array<{ id: string; value: string }>): Promise<{ SAD: string; expiresIn?: number }> {
    return this.#post('credentials/authorize', {
      credentialID,
      numSignatures: hashes.length,
      hashes: hashes.map((h) => h.toString('base64')),
      hashAlgorithmOID: OID.sha256,
      authData,
    });
  }

  /** signatures/signHash: one signature per hash, same order. */
  async signHash(credentialID: string, SAD: string, hashes: Buffer[], signAlgo: string): Promise<Buffer[]> {
    const r = await this.#post<{ signatures?: string[] }>('signatures/signHash', {
      credentialID,
      SAD,
      hashes: hashes.map((h) => h.toString('base64')),
      hashAlgorithmOID: OID.sha256,
      signAlgo,
      operationMode: 'S',
    });
    if (!Array.isArray(r.signatures) || r.signatures.length !== hashes.length) throw new CscError(200, 'invalid_response', 'wrong number of signatures');
    return r.signatures.map((s) => Buffer.from(s, 'base64'));
  }

  async #post<T>(method: string, body: unknown, auth = true, authorization?: string): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (authorization) headers['authorization'] = authorization;
    else if (auth) headers['authorization'] = `Bearer ${await this.#accessToken()}`;
    const res = await (this.#opts.fetch ?? fetch)(`${this.#opts.baseUrl}/${method}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new CscError(res.status, 'invalid_response', 'not JSON');
    }
    if (!res.ok) {
      const e = json as { error?: string; error_description?: string };
      if (res.status === 401 && this.#opts.auth.kind === 'basic') this.#token = undefined;
      throw new CscError(res.status, String(e.error ?? 'http_error'), String(e.error_description ?? res.statusText));
    }
    return json as T;
  }
}

/** The Signer's credential source backed by a CSC signing service. */
export function cscSource(opts: CscOptions, client = new CscClient(opts)): CredentialSource {
  const ttl = opts.cacheTtlMs ?? 5 * 60_000;
  const cache = new Map<string, { credential: SigningCredential | null; expires: number }>();
  const wrap = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      // A CscError is sign.unavailable too; wrapped to say which call failed (log only).
      if (e instanceof SigningError && !(e instanceof CscError)) throw e;
      throw new SigningError('sign.unavailable', [], { cause: e, detail: `${what}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  return {
    kind: 'csc',
    async credential(mail) {
      const id = mail.toLowerCase();
      const hit = cache.get(id);
      if (hit && hit.expires > Date.now()) return hit.credential;
      const list = await wrap('credentials/list', () => client.listCredentials(id));
      let chosen: { credentialID: string; certificates: Buffer[] } | undefined;
      for (const credentialID of list.credentialIDs ?? []) {
        const info = list.credentialInfos?.find((c) => c.credentialID === credentialID) ?? (await wrap('credentials/info', () => client.credentialInfo(credentialID)));
        if ((info.key?.status ?? 'enabled') !== 'enabled' || (info.cert?.status ?? 'valid') !== 'valid') continue;
        const certificates = (info.cert?.certificates ?? []).map((b) => Buffer.from(b, 'base64'));
        if (!certificates[0]) continue;
        const leaf = parseCertificate(certificates[0]);
        if (!leaf.mails.includes(id)) continue;
        // Leave out self-signed roots: recipients hold them as trust anchors.
        chosen = { credentialID, certificates: [certificates[0], ...certificates.slice(1).filter((c) => { const p = parseCertificate(c); return !p.subjectDer.equals(p.issuerDer); })] };
        break;
      }
      let credential: SigningCredential | null = null;
      if (chosen) {
        const { credentialID, certificates } = chosen;
        const keyAlgorithm = parseCertificate(certificates[0]!).publicKey.asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
        credential = {
          certificates,
          keyAlgorithm,
          signDigest: (digest) =>
            wrap('signHash', async () => {
              const { SAD } = await client.authorize(credentialID, [digest], await opts.authData(id, credentialID));
              const [sig] = await client.signHash(credentialID, SAD, [digest], keyAlgorithm === 'rsa' ? OID.rsaEncryption : OID.ecdsaSha256);
              return sig!;
            }),
        };
      }
      cache.set(id, { credential, expires: Date.now() + ttl });
      return credential;
    },
  };
}
