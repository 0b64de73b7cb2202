/**
 * Soft-token adapter (embedded default): each user's key and chain in a PKCS#12 protected by a PIN
 * (test-pki.ts makes them; pin-vault.ts keeps the PINs). node-forge opens the PKCS#12; the RSA
 * operation itself runs in node:crypto (OpenSSL), ~50× faster than forge's JavaScript RSA.
 * Opening a PKCS#12 costs ~100 ms of PBKDF2, so an unlocked key is kept for a short time
 * (default 5 minutes, `cacheTtlMs`), in this process only, never written anywhere.
 */
import { constants, createPrivateKey, createPublicKey, privateEncrypt, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { SigningError } from './errors.ts';
import type { CredentialSource, SigningCredential } from './signer.ts';
import { parseCertificate } from './x509.ts';

/** DER prefix of a DigestInfo for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Where PKCS#12 files and their PINs come from (a TestPki fits). */
export interface Pkcs12Store {
  p12(mail: string): Buffer | undefined;
  pin(mail: string): string | undefined;
}

export function rsaSignDigest(key: KeyObject, digest: Buffer): Buffer {
  // privateEncrypt with PKCS#1 padding = RSASSA-PKCS1-v1_5 over a ready-made DigestInfo.
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
}

/** Opens a PKCS#12: the private key and the certificates, signer first. Throws on a wrong PIN. */
export function openPkcs12(der: Buffer, pin: string): { key: KeyObject; certificates: Buffer[] } {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), false, pin);
  const keyBag = p12.getBags({ bagType: forge.pki.oids['pkcs8ShroudedKeyBag']! })[forge.pki.oids['pkcs8ShroudedKeyBag']!]?.[0];
  if (!keyBag?.key) throw new Error('no private key in PKCS#12');
  const key = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key));
  const certBags = p12.getBags({ bagType: forge.pki.oids['certBag']! })[forge.pki.oids['certBag']!] ?? [];
  const ders = certBags.filter((b) => b.cert).map((b) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert!)).getBytes(), 'binary'));
  const certs = ders.map(parseCertificate);
  const pub = (k: KeyObject): string => k.export({ type: 'spki', format: 'der' }).toString('hex');
  const keyPub = pub(createPublicKey(key));
  const leaf = certs.find((c) => pub(c.publicKey) === keyPub);
  if (!leaf) throw new Error('PKCS#12 has no certificate for its key');
  // Signer first, then CAs that are not self-signed (recipients hold the root as a trust anchor).
  const chain = [leaf, ...certs.filter((c) => c !== leaf && !c.subjectDer.equals(c.issuerDer))];
  return { key, certificates: chain.map((c) => c.der) };
}

export function softTokenSource(store: Pkcs12Store, opts: { cacheTtlMs?: number; now?: () => number } = {}): CredentialSource {
  const ttl = opts.cacheTtlMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { credential: SigningCredential; expires: number }>();
  return {
    kind: 'soft-token',
    async credential(mail) {
      const id = mail.toLowerCase();
      const hit = cache.get(id);
      if (hit && hit.expires > now()) return hit.credential;
      cache.delete(id);
      const der = store.p12(id);
      const pin = store.pin(id);
      if (!der || pin === undefined) return null;
      let opened;
      try {
        opened = openPkcs12(der, pin);
      } catch (e) {
        // A PKCS#12 we cannot open is an operator problem (wrong master key?), not the user's.
        throw new SigningError('sign.unavailable', [], { cause: e, detail: 'cannot open the PKCS#12' });
      }
      const { key, certificates } = opened;
      const keyAlgorithm = key.asymmetricKeyType === 'ec' ? 'ec' : 'rsa';
      if (keyAlgorithm !== 'rsa') throw new SigningError('sign.unavailable', [], { detail: 'soft token supports RSA keys only' });
      const credential: SigningCredential = { certificates, keyAlgorithm, signDigest: async (digest) => rsaSignDigest(key, digest) };
      if (ttl > 0) cache.set(id, { credential, expires: now() + ttl });
      return credential;
    },
  };
}
