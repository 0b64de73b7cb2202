/**
 * The repository stand-in's XUA check (ITI TF-2b §3.40.4.2: the X-Service Provider verifies the
 * assertion's signature against the X-Assertion Providers it trusts, its validity window, its
 * audience, and here also that it is about the patient of the request), as a pure function of the
 * assertion's bytes, the trusted certificates and the time — and `AssertionChecker`, which runs it
 * in a worker thread: xml-crypto's verification (exclusive c14n over an xpath-selected reference,
 * 10–90 ms in JavaScript) must not stop the stand-in's event loop from reading the document bytes
 * that follow the root part (it did: the sender stalled for the whole verification). Every request
 * is still verified, fully, before it is answered; only the waiting moved off the socket's thread.
 */
import { Worker } from 'node:worker_threads';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { childElements as kids, descendantElements as all } from '../../shared/xml/elements.ts';
import { SAML_NS } from '../../server-extension/src/dsp/xua.ts';
import { NS, UUID } from '../../server-extension/src/dsp/xds.ts';

export interface AssertionCheckInput {
  /** The saml:Assertion element, serialized on its own (XMLSerializer, in-scope namespaces declared). */
  assertionXml: string;
  /** PEM certificates of the trusted X-Assertion Providers (read at each request). */
  trustedCerts: string[];
  /** The stand-in's clock, ms since the epoch. */
  now: number;
  audience: string;
  /** The request's patient (CX): the assertion's resource-id, when present, must name it. */
  patientCx?: string;
}

/** Answers a refusal reason, or null when the assertion is accepted. */
export function checkAssertionXml(i: AssertionCheckInput): string | null {
  let bad = false;
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => (bad = true), fatalError: () => (bad = true) } }).parseFromString(i.assertionXml, 'text/xml');
  const assertion = bad ? undefined : all(doc as unknown as Document, SAML_NS, 'Assertion')[0];
  if (!assertion) return 'no XUA assertion in wsse:Security';
  const sigEl = all(assertion, 'http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
  if (!sigEl) return 'assertion not signed';
  let verified = false;
  for (const pem of i.trustedCerts) {
    const sig = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
    sig.loadSignature(sigEl as never);
    try {
      // Exactly the Assertion must be signed: its ID, referenced by the signature.
      if (sig.checkSignature(i.assertionXml) && sig.getSignedReferences().length === 1) verified = true;
    } catch {
      /* wrong key: try the next */
    }
    if (verified) break;
  }
  if (!verified) return 'assertion signature does not verify against a trusted X-Assertion Provider';
  const cond = all(assertion, SAML_NS, 'Conditions')[0];
  const nb = Date.parse(cond?.getAttribute('NotBefore') ?? '');
  const na = Date.parse(cond?.getAttribute('NotOnOrAfter') ?? '');
  if (!Number.isFinite(na) || i.now >= na) return 'assertion expired';
  if (Number.isFinite(nb) && i.now < nb - 60_000) return 'assertion not yet valid';
  const audience = all(assertion, SAML_NS, 'Audience')[0]?.textContent ?? '';
  if (audience !== i.audience) return `assertion audience ${audience} is not this DSP`;
  if (i.patientCx) {
    const resource = all(assertion, SAML_NS, 'Attribute').find((a) => a.getAttribute('Name') === 'urn:oasis:names:tc:xacml:2.0:resource:resource-id');
    if (resource && resource.textContent?.trim() !== i.patientCx) return 'assertion is for another patient';
  }
  return null;
}

/** What the ITI-41 root part (the SOAP envelope) says, as plain data (it crosses to the worker and back). */
export interface RootFacts {
  /** The envelope is refused as it stands (HTTP status, SOAP Sender fault reason). */
  fault?: { status: number; reason: string };
  messageId?: string;
  /** The <Document>s: xop:Include'd (the MIME part's Content-ID) or inline (the base64 text). */
  documents: { id: string; cid?: string; base64?: string }[];
  /** The ProvideAndRegisterDocumentSetRequest with its documents emptied (what xmllint and the metadata checks read). */
  emptied: string;
  /** SubmissionSet.patientId. */
  patientCx: string;
  /** The XUA check's refusal reason, or null (accepted). */
  secError: string | null;
}

export type RootCheckInput = Omit<AssertionCheckInput, 'assertionXml' | 'patientCx'> & { rootXml: string };

/**
 * The checks of the root part that need no document bytes: the envelope (well-formed, wsa:Action,
 * the request element), the documents it names, the XOP-decoded request with documents emptied
 * (base64Binary may be empty: the schema then judges the metadata), and the XUA assertion
 * (checkAssertionXml) — all from the root's text alone, so that it can run in the worker thread.
 */
export function checkRootXml(i: RootCheckInput): RootFacts {
  const { facts, assertion } = rootFactsXml(i);
  if (facts.fault) return { ...facts, secError: null };
  return { ...facts, secError: assertion ? checkAssertionXml(assertion) : 'no XUA assertion in wsse:Security' };
}

/** checkRootXml's first half: everything but the XUA verification, and the assertion to verify. */
export function rootFactsXml(i: RootCheckInput): { facts: Omit<RootFacts, 'secError'>; assertion?: AssertionCheckInput } {
  const refuse = (status: number, reason: string) => ({ facts: { fault: { status, reason }, documents: [], emptied: '', patientCx: '' } });
  let bad = false;
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => (bad = true), fatalError: () => (bad = true) } }).parseFromString(i.rootXml, 'text/xml');
  if (bad || !doc.documentElement) return refuse(400, 'not well-formed XML');
  const env = doc as unknown as Document;
  const action = all(env, NS.wsa, 'Action')[0]?.textContent?.trim();
  const messageId = all(env, NS.wsa, 'MessageID')[0]?.textContent?.trim();
  if (action !== 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b') return refuse(400, `wsa:Action ${action ?? '(none)'} is not ProvideAndRegisterDocumentSet-b`);
  const pnr = all(env, NS.xdsb, 'ProvideAndRegisterDocumentSetRequest')[0];
  if (!pnr) return refuse(400, 'no ProvideAndRegisterDocumentSetRequest in the body');
  const documents: RootFacts['documents'] = [];
  for (const d of kids(pnr, NS.xdsb, 'Document')) {
    const inc = all(d, NS.xop, 'Include')[0];
    const id = d.getAttribute('id') ?? '';
    if (inc) {
      documents.push({ id, cid: decodeURIComponent((inc.getAttribute('href') ?? '').replace(/^cid:/, '')) });
      d.removeChild(inc);
    } else {
      documents.push({ id, base64: d.textContent ?? '' });
      while (d.firstChild) d.removeChild(d.firstChild);
    }
  }
  const emptied = new XMLSerializer().serializeToString(pnr as never);
  const ss = all(pnr, NS.rim, 'RegistryPackage')[0];
  const patientCx = (ss && kids(ss, NS.rim, 'ExternalIdentifier').find((x) => x.getAttribute('identificationScheme') === UUID.ssPatientId)?.getAttribute('value')) || '';
  const assertion = all(env, SAML_NS, 'Assertion')[0];
  const facts = { ...(messageId !== undefined ? { messageId } : {}), documents, emptied, patientCx };
  if (!assertion) return { facts };
  return { facts, assertion: { assertionXml: new XMLSerializer().serializeToString(assertion as never), trustedCerts: i.trustedCerts, now: i.now, audience: i.audience, ...(patientCx ? { patientCx } : {}) } };
}

type Job = { kind: 'assertion'; input: AssertionCheckInput } | { kind: 'root'; input: RootCheckInput };
const run = (j: Job): unknown => (j.kind === 'root' ? checkRootXml(j.input) : checkAssertionXml(j.input));

interface Pending {
  job: Job;
  resolve: (verdict: never) => void;
  /** Root jobs: called with the facts as soon as the worker has them (before the XUA verification). */
  early?: (facts: Omit<RootFacts, 'secError'>) => void;
}

/**
 * checkAssertionXml and checkRootXml in one worker thread (sandbox/dsp/xua-worker.ts), started before the first
 * request needs it (prepare). If the worker fails, its pending checks run on this thread: nothing is
 * answered unchecked. An idle worker does not keep the process alive.
 */
export class AssertionChecker {
  #worker: Worker | undefined;
  #failed = false;
  #closed = false;
  #next = 0;
  readonly #pending = new Map<number, Pending>();

  prepare(): void {
    if (this.#worker || this.#failed || this.#closed) return;
    // The worker is TypeScript like the rest of the sandbox: it registers tsx's loader (module
    // hooks of the main thread do not reach a worker in Node 20) before importing its module.
    const script = new URL('./xua-worker.ts', import.meta.url).href;
    let tsx: string;
    try {
      tsx = import.meta.resolve('tsx/esm/api');
    } catch {
      // No tsx (the sandbox always has it): the checks run on this thread.
      this.#failed = true;
      return;
    }
    const w = new Worker(`import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(script)}); });`, { eval: true });
    this.#worker = w;
    w.unref();
    w.on('message', (m: { id: number; verdict: never } | { id: number; early: Omit<RootFacts, 'secError'> }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      if ('early' in m) return p.early?.(m.early);
      this.#pending.delete(m.id);
      if (!this.#pending.size) w.unref();
      p.resolve(m.verdict);
    });
    const dead = () => {
      if (this.#worker !== w) return;
      // A worker that failed is not started again: the checks then run on this thread.
      this.#failed = true;
      this.#worker = undefined;
      const left = [...this.#pending.values()];
      this.#pending.clear();
      for (const p of left) p.resolve(run(p.job) as never);
    };
    w.once('error', dead);
    w.once('exit', dead);
  }

  /** True while the checks run in the worker thread (false once it failed: they then run on this thread). */
  get threaded(): boolean {
    return this.#worker !== undefined;
  }

  /** checkAssertionXml, in the worker. */
  check(input: AssertionCheckInput): Promise<string | null> {
    return this.#run({ kind: 'assertion', input }) as Promise<string | null>;
  }

  /**
   * checkRootXml, in the worker. `early` gets the facts as soon as they are known — before the XUA
   * verification, the longest part — so that the schema check can start meanwhile.
   */
  root(input: RootCheckInput, early?: (facts: Omit<RootFacts, 'secError'>) => void): Promise<RootFacts> {
    return this.#run({ kind: 'root', input }, early) as Promise<RootFacts>;
  }

  #run(job: Job, early?: (facts: Omit<RootFacts, 'secError'>) => void): Promise<unknown> {
    this.prepare();
    if (!this.#worker) return Promise.resolve(run(job));
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, { job, resolve: resolve as (v: never) => void, ...(early ? { early } : {}) });
      this.#worker!.ref();
      this.#worker!.postMessage({ id, job });
    });
  }

  close(): void {
    this.#closed = true;
    const w = this.#worker;
    if (!w) return;
    // Pending checks (none in normal use) are finished on this thread by the exit handler.
    void w.terminate();
  }
}
