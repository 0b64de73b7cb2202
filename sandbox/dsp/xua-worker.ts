/**
 * The worker thread of AssertionChecker (xua-check.ts): one verdict per message (an assertion, or an
 * ITI-41 root part), in order.
 *
 * While it has nothing to check, it verifies an assertion of its own (a throw-away RSA key, the same
 * shape as the service's, through the same checkAssertionXml) a bounded number of times: xml-crypto's
 * JavaScript costs 12–90 ms per verification while V8 has not compiled it yet and ~3 ms once it has,
 * and a registry that has been running for days is in the second state, a stand-in started for a test
 * run in the first. The warm-up yields between rounds, so a real check never waits for more than one
 * round; real checks are never skipped, cached or shortened.
 */
import { generateKeyPair } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { envelopeXml } from '../../server-extension/src/dsp/mtom.ts';
import { NS } from '../../server-extension/src/dsp/xds.ts';
import { issueXuaAssertion } from '../../server-extension/src/dsp/xua.ts';
import { checkAssertionXml, checkRootXml, rootFactsXml, type AssertionCheckInput, type RootCheckInput } from './xua-check.ts';

const WARM_ROUNDS = 60;

parentPort!.on('message', (m: { id: number; job: { kind: 'assertion'; input: AssertionCheckInput } | { kind: 'root'; input: RootCheckInput } }) => {
  let verdict: unknown;
  try {
    if (m.job.kind === 'root') {
      // The facts first (the schema check can start on them), then the XUA verdict.
      const { facts, assertion } = rootFactsXml(m.job.input);
      if (!facts.fault) parentPort!.postMessage({ id: m.id, early: facts });
      verdict = { ...facts, secError: facts.fault ? null : assertion ? checkAssertionXml(assertion) : 'no XUA assertion in wsse:Security' };
    } else verdict = checkAssertionXml(m.job.input);
  } catch (e) {
    const reason = `could not be checked: ${(e as Error).message}`;
    verdict = m.job.kind === 'root' ? { fault: { status: 400, reason }, documents: [], emptied: '', patientCx: '', secError: null } : `assertion ${reason}`;
  }
  parentPort!.postMessage({ id: m.id, verdict });
});

generateKeyPair('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }, (err, publicKey, privateKey) => {
  if (err) return;
  const audience = 'urn:esante:warm-up';
  const subject = { ehealthId: 'warm-up', displayName: 'Warm Up', role: { code: '0', scheme: '0', schemeName: 'none', display: 'none' }, organisation: 'none', organisationId: 'none', patientId: 'none', purposeOfUse: { code: '0', scheme: '0', schemeName: 'none', display: 'none' } };
  let xml: string;
  try {
    xml = issueXuaAssertion({ privateKey, certificate: publicKey }, subject, { issuer: 'warm-up', audience, lifetimeSeconds: 3600, now: new Date() }).xml;
  } catch {
    return;
  }
  // And a root part of the same shape as an ITI-41 request's (envelope, the assertion, a request with
  // an xop:Include'd document), for checkRootXml's parsing and serializing.
  const rootXml = envelopeXml(
    { action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b', to: 'urn:warm-up', assertionXml: xml },
    `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}"><lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}"><rim:RegistryObjectList xmlns:rim="${NS.rim}">${'<rim:ExtrinsicObject id="e"><rim:Slot name="x"><rim:ValueList><rim:Value>v</rim:Value></rim:ValueList></rim:Slot></rim:ExtrinsicObject>'.repeat(20)}</rim:RegistryObjectList></lcm:SubmitObjectsRequest><xdsb:Document id="e"><xop:Include xmlns:xop="${NS.xop}" href="cid:warm-up"/></xdsb:Document></xdsb:ProvideAndRegisterDocumentSetRequest>`,
  );
  let left = WARM_ROUNDS;
  const round = () => {
    try {
      if (left % 2) checkAssertionXml({ assertionXml: xml, trustedCerts: [publicKey], now: Date.now(), audience });
      else checkRootXml({ rootXml, trustedCerts: [publicKey], now: Date.now(), audience });
    } catch {
      return;
    }
    if (--left > 0) setImmediate(round).unref();
  };
  setImmediate(round).unref();
});
