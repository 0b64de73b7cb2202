/**
 * The DSP feature (medical message assistant, guide p. 7): patient search (PDQV3 ITI-47), the
 * patient's documents (ITI-18), filing one document (ITI-41 with XUA) — streamed (PrepareFiling, then
 * the bytes to DSP_FILE_PATH passed straight on into the ITI-41 request) or in two steps (the raw
 * upload route, then FileDocument) — the audit trail and ATNA. README.md in this folder: flow, trust
 * model, at-most-once filing.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DSP_FILE_PATH, DSP_UPLOAD_PATH } from '../../../shared/dsp/operations.ts';
import { checkMatricule } from '../../../shared/dsp/matricule.ts';
import { errorText } from '../../../shared/errors.ts';
import { pickLang, type Lang } from '../../../shared/i18n/lang.ts';
import { AUTH_COOKIE, CSRF_HEADER } from '../../../shared/paths.ts';
import { readCookie, ZimbraAuthenticator, type Caller } from '../auth/index.ts';
import { CodedError, toPublicError } from '../errors.ts';
import type { Feature, FeatureContext } from '../feature.ts';
import type { HandlerRegistry } from '../soap/handlers.ts';
import { auditSink, exportAuditXml, type AuditSink } from './atna.ts';
import { DspClient, DspSoapFault } from './client.ts';
import { dspConfigVars, readDspConfig, type DspConfig } from './config.ts';
import type { MtomDocument } from './mtom.ts';
import { PdqClient } from './pdq.ts';
import { verdictOf } from './registry-errors.ts';
import { BodySourceError, TransportError, TransportTimeoutError } from './transport.ts';
import { UploadMismatchError, Uploads, verifiedStream, type Upload } from './uploads.ts';
import type { DspFiling } from '../store/dsp.ts';
import { display, loadValueSets, type ValueSets } from './value-sets.ts';
import { dtm, dtmFromInput, NotXdsAnswerError, submitObjectsXml, type Author, type Code } from './xds.ts';
import { issueXuaAssertion, type XuaKey } from './xua.ts';

export { dspConfigVars };

/** How long a prepared filing waits for its bytes (PrepareFiling → DSP_FILE_PATH). */
const PREPARED_TTL_MS = 2 * 60_000;

/** Embedded mode: a test signing key made with openssl at first start (never in production: set the files). */
function ensureXuaKey(c: DspConfig): XuaKey {
  if (!existsSync(c.xuaKeyFile) || !existsSync(c.xuaCertFile)) {
    mkdirSync(dirname(c.xuaKeyFile), { recursive: true });
    mkdirSync(dirname(c.xuaCertFile), { recursive: true });
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825', '-subj', '/C=LU/O=eSante Sandbox/CN=eSante secure messaging XUA (test)', '-keyout', c.xuaKeyFile, '-out', c.xuaCertFile], { stdio: 'ignore', timeout: 30_000 });
  }
  return { privateKey: readFileSync(c.xuaKeyFile, 'utf8'), certificate: readFileSync(c.xuaCertFile, 'utf8') };
}

/** Reads and discards the rest of a request body; false (then drop the socket) past `max` bytes or 30 s. */
function bodyEnds(req: import('node:http').IncomingMessage, max: number): Promise<boolean> {
  return new Promise((resolve) => {
    let n = 0;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(ok);
    };
    const onData = (c: Buffer) => {
      n += c.length;
      if (n > max) done(false);
    };
    const onEnd = () => done(true);
    const onError = () => done(false);
    if (req.destroyed) return resolve(false);
    const timer = setTimeout(() => done(false), 30_000).unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    if (req.readableEnded) done(true);
    req.resume();
  });
}

export interface DspFeatureOverrides {
  /** Injected by tests: a key instead of the files. */
  xuaKey?: XuaKey;
  config?: Partial<DspConfig>;
}

export function createDspFeature(ctx: FeatureContext, overrides: DspFeatureOverrides = {}): Feature {
  const config: DspConfig = { ...readDspConfig(ctx.env, ctx.config), ...overrides.config };
  let key = overrides.xuaKey;
  const xuaKey = () => (key ??= ensureXuaKey(config));
  const valueSets = loadValueSets(config.valueSetsFile);
  const dsp = new DspClient({ repositoryUrl: config.repositoryUrl, registryUrl: config.registryUrl, timeoutMs: config.timeoutMs, ...(config.tls ? { tls: config.tls } : {}) });
  const pdq = new PdqClient({ url: config.pdqUrl, senderOid: config.sourceId, receiverOid: '2.999.352.1.6', timeoutMs: config.timeoutMs, now: () => ctx.clock.now(), ...(config.tls ? { tls: config.tls } : {}) });
  const uploads = new Uploads({ ttlMs: 10 * 60_000, maxBytes: config.maxDocumentBytes, now: () => ctx.clock.now().getTime() });
  const atna: AuditSink | undefined = config.auditUrl ? auditSink(config.auditUrl, config.tls ? { tls: config.tls } : {}) : undefined;
  const authenticator = new ZimbraAuthenticator(ctx.zimbra, { cacheSeconds: ctx.config.authCacheSeconds });
  const inFlight = new Set<string>();
  /** PrepareFiling → the streamed route: claimed filings waiting for their bytes (memory only). */
  const prepared = new Map<string, { owner: string; c: Checked; claimed: Claimed; sha1: string; size: number; timer: NodeJS.Timeout; socket: import('node:net').Socket }>();

  const cx = (matricule: string) => `${matricule}^^^&${config.patientRoot}&ISO`;

  function matricule13(input: string): string {
    const m = checkMatricule(input);
    if (!m.ok || m.kind !== '13') throw new CodedError('dsp.matricule_invalid');
    return m.value;
  }

  async function authorOf(caller: Caller, lang: Lang): Promise<(Author & { practiceSettingCode?: string; healthcareFacilityTypeCode?: string; roleDisplay: string; roleCode: string; professionCode: string }) | null> {
    const listed = await ctx.directory.findByMail(caller.name);
    if (!listed) return null;
    const card = await ctx.directory.get(listed.id);
    const ehealth = card?.identifiers?.find((i) => i.type === 'ehealth')?.value ?? listed.id;
    const profession = card?.profession ?? '';
    const roleKey = Object.keys(valueSets.roleByProfession).find((k) => profession === k || profession.startsWith(`${k}-`)) ?? 'default';
    const role = valueSets.roleByProfession[roleKey] ?? valueSets.roleByProfession['default']!;
    const practice = card?.practices?.[0];
    const ps = (card?.specialty && valueSets.practiceSettingByProfession[card.specialty]) || valueSets.practiceSettingByProfession[roleKey];
    return {
      ehealthId: ehealth,
      givenName: card?.givenName ?? listed.displayName.split(' ')[0] ?? '',
      familyName: card?.sn ?? listed.displayName.split(' ').slice(1).join(' '),
      idRoot: config.ehealthRoot,
      role: role[lang],
      roleDisplay: role[lang],
      roleCode: role.code,
      professionCode: profession,
      ...(card?.specialty ? { specialty: card.specialty } : {}),
      ...(practice?.establishment ? { organisation: practice.establishment, organisationId: practice.establishment.replace(/\W+/g, '-').toLowerCase(), organisationRoot: '2.999.352.1.3' } : {}),
      ...(ps ? { practiceSettingCode: ps } : {}),
      healthcareFacilityTypeCode: practice?.establishment ? 'HOSP' : 'PC',
    };
  }

  /**
   * The caller's signed XUA assertion for one patient. One assertion serves every request of the same
   * author about the same patient while at least half of its lifetime remains (as an X-Service User
   * uses the assertion it holds, ITI TF-2b §3.40.4.1): its content depends on nothing else, the DSP
   * verifies it at each request all the same, and signing (c14n + RSA, ~10 ms) is not paid at every
   * click. Opening the patient (ListPatientDocuments) signs the one the filing then carries.
   */
  const assertions = new Map<string, { xml: string; reuseUntil: number }>();
  function assertion(author: NonNullable<Awaited<ReturnType<typeof authorOf>>>, patientCx: string): string {
    const subject = {
      ehealthId: author.ehealthId,
      displayName: `${author.givenName} ${author.familyName}`,
      role: { code: author.roleCode, scheme: '2.16.840.1.113883.6.96', schemeName: 'SNOMED CT', display: author.roleDisplay },
      organisation: author.organisation ?? `${author.givenName} ${author.familyName}`,
      organisationId: author.organisationId ?? author.ehealthId,
      patientId: patientCx,
      purposeOfUse: { code: 'TREATMENT', scheme: '2.16.840.1.113883.3.18.7.1', schemeName: 'nhin-purpose', display: 'Treatment' },
    };
    const now = ctx.clock.now();
    const cacheKey = JSON.stringify(subject);
    const held = assertions.get(cacheKey);
    if (held && now.getTime() < held.reuseUntil) return held.xml;
    const issued = issueXuaAssertion(xuaKey(), subject, { issuer: config.issuer, audience: config.xuaAudience, lifetimeSeconds: config.xuaLifetimeSeconds, now });
    for (const [k, a] of assertions) if (a.reuseUntil <= now.getTime()) assertions.delete(k);
    if (assertions.size >= 1000) assertions.delete(assertions.keys().next().value!);
    assertions.set(cacheKey, { xml: issued.xml, reuseUntil: issued.notOnOrAfter.getTime() - (config.xuaLifetimeSeconds * 1000) / 2 });
    return issued.xml;
  }

  const codeOf = (list: ValueSets['classCodes'], code: string | undefined, field: string, lang: Lang): Code => {
    const item = list.find((i) => i.code === code);
    if (!item) throw new CodedError('dsp.metadata_invalid', { args: [field] });
    return { code: item.code, scheme: item.scheme, display: item[lang] };
  };

  /** Maps transport / answer failures of a read to a coded error. */
  function readFailure(e: unknown, search = false): never {
    if (e instanceof CodedError) throw e;
    // The technical reason only (never a document, never the assertion).
    ctx.log.warn({ err: String((e as Error)?.message ?? e).slice(0, 300), kind: (e as Error)?.constructor?.name }, search ? 'PDQ query failed' : 'DSP query failed');
    if (e instanceof DspSoapFault) {
      const v = verdictOf(e.faultCode.split(/[:\s/]+/).pop() ?? '');
      if (v.kind === 'refused') throw new CodedError(v.code, { args: [e.reason.slice(0, 200)] });
      throw new CodedError(search ? 'dsp.patient_search_unavailable' : 'dsp.bad_answer', { cause: e });
    }
    if (e instanceof NotXdsAnswerError) throw new CodedError(search ? 'dsp.patient_search_unavailable' : 'dsp.bad_answer', { cause: e });
    throw new CodedError(search ? 'dsp.patient_search_unavailable' : 'dsp.unavailable', { cause: e as Error });
  }

  const handlers: HandlerRegistry = {
    async GetDspOptions(_req, { caller, lang }) {
      const author = await authorOf(caller, lang);
      const list = (l: ValueSets['classCodes']) => l.map((i) => display(i, lang));
      return {
        maxDocumentBytes: config.maxDocumentBytes,
        allowedTypes: config.allowedTypes,
        classCodes: list(valueSets.classCodes),
        typeCodes: list(valueSets.typeCodes),
        confidentialityCodes: list(valueSets.confidentialityCodes),
        formatCodes: list(valueSets.formatCodes),
        formatByMimeType: valueSets.formatByMimeType,
        practiceSettingCodes: list(valueSets.practiceSettingCodes),
        healthcareFacilityTypeCodes: list(valueSets.healthcareFacilityTypeCodes),
        languages: list(valueSets.languages),
        ...(author
          ? {
              author: {
                ehealthId: author.ehealthId,
                givenName: author.givenName,
                familyName: author.familyName,
                profession: author.roleDisplay,
                ...(author.specialty ? { specialty: author.specialty } : {}),
                ...(author.organisation ? { organisation: author.organisation } : {}),
                ...(author.practiceSettingCode ? { practiceSettingCode: author.practiceSettingCode } : {}),
                ...(author.healthcareFacilityTypeCode ? { healthcareFacilityTypeCode: author.healthcareFacilityTypeCode } : {}),
              },
            }
          : {}),
      };
    },

    async FindPatients(req) {
      let q: Parameters<PdqClient['query']>[0];
      if (req.matricule?.trim()) {
        const m = checkMatricule(req.matricule);
        if (!m.ok) throw new CodedError('dsp.matricule_invalid');
        // The old 11-digit number is an identifier domain of its own: the configured patient root + ".11" (this project's convention; ESANTE_DSP_PATIENT_ID_ROOT sets the root).
        q = { id: { root: m.kind === '13' ? config.patientRoot : `${config.patientRoot}.11`, extension: m.value } };
      } else if (req.familyName?.trim() && req.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(req.birthDate)) {
        q = { familyName: req.familyName.trim(), birthTime: req.birthDate.replace(/-/g, ''), ...(req.givenName?.trim() ? { givenName: req.givenName.trim() } : {}) };
      } else throw new CodedError('dsp.search_criteria');
      let found;
      try {
        found = await pdq.query(q);
      } catch (e) {
        readFailure(e, true);
      }
      const patients = found.flatMap((p) => {
        const id = p.ids.find((i) => i.root === config.patientRoot && checkMatricule(i.extension).ok);
        if (!id) return [];
        const b = p.birthTime;
        return [{ matricule: id.extension, patientId: cx(id.extension), givenName: p.givenName, familyName: p.familyName, birthDate: `${b.slice(0, 4)}-${b.slice(4, 6)}-${b.slice(6, 8)}`, gender: p.gender, ...(p.city ? { city: p.city } : {}) }];
      });
      return { patients };
    },

    async ListPatientDocuments(req, { caller, lang }) {
      const m = matricule13(req.matricule);
      const author = await authorOf(caller, lang);
      if (!author) throw new CodedError('dsp.author_unknown');
      let docs;
      try {
        docs = await dsp.findDocuments(cx(m), assertion(author, cx(m)));
      } catch (e) {
        readFailure(e);
      }
      docs.sort((a, b) => (b.creationTime ?? '').localeCompare(a.creationTime ?? ''));
      return {
        documents: docs.map((d) => {
          const { patientId: _p, ...rest } = d;
          return rest;
        }),
      };
    },

    async FileDocument(req, { caller, lang, log }) {
      const head = checkTarget(req);
      let upload: Upload | undefined;
      if (req.uploadId) {
        upload = uploads.get(req.uploadId, caller.accountId);
        if (!upload) throw new CodedError('dsp.upload_unknown');
      } else if (req.content) {
        if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(req.content)) throw new CodedError('dsp.metadata_invalid', { args: ['content'] });
        upload = uploads.fromBase64(req.content, caller.accountId, head.mime);
      } else throw new CodedError('dsp.upload_unknown');
      const c = await checkFiling(req, head, upload.size, caller, lang);
      const claimed = await claimFiling(c, upload.sha1, upload.size, caller);
      if ('answer' in claimed) return claimed.answer;
      try {
        const answer = await sendFiling(c, claimed, { chunks: upload.chunks }, lang, log);
        if (req.uploadId && answer.outcome === 'filed') uploads.drop(req.uploadId);
        return answer;
      } finally {
        claimed.release();
      }
    },

    async PrepareFiling(req, { caller, lang }) {
      const head = checkTarget(req);
      const sha1 = req.sha1.trim().toLowerCase();
      if (!/^[0-9a-f]{40}$/.test(sha1)) throw new CodedError('dsp.metadata_invalid', { args: ['sha1'] });
      if (!Number.isSafeInteger(req.size) || req.size < 0) throw new CodedError('dsp.metadata_invalid', { args: ['size'] });
      const c = await checkFiling(req, head, req.size, caller, lang);
      const claimed = await claimFiling(c, sha1, req.size, caller);
      if ('answer' in claimed) return claimed.answer;
      const filingId = randomBytes(18).toString('base64url');
      const timer = setTimeout(() => {
        // The bytes never came: nothing was sent, the claim is released for the next attempt.
        if (!prepared.delete(filingId)) return;
        socket.destroy();
        void ctx.store().dsp.setStatus(c.patientId, sha1, 'refused').catch(() => undefined).finally(() => claimed.release());
      }, PREPARED_TTL_MS).unref();
      // The DSP connection is opened now: its handshakes overlap the browser starting its POST.
      const socket = dsp.preconnect();
      prepared.set(filingId, { owner: caller.accountId, c, claimed, sha1, size: req.size, timer, socket });
      return { outcome: 'send', filingId, hash: sha1, size: req.size };
    },
  };

  /** The patient and the type: checked first, before anything else is looked at. */
  function checkTarget(req: { matricule: string; mimeType: string }): { m: string; mime: string } {
    const m = matricule13(req.matricule);
    const mime = req.mimeType.trim().toLowerCase();
    if (!config.allowedTypes.includes(mime)) throw new CodedError('dsp.type_not_allowed', { args: [mime.slice(0, 64)] });
    return { m, mime };
  }

  type FilingRequest = Pick<import('../../../shared/soap/operations.ts').RequestOf<'FileDocument'>, 'metadata' | 'sourceMessageId'>;
  type Checked = Awaited<ReturnType<typeof checkFiling>>;
  type FileAnswer = import('../../../shared/soap/operations.ts').ResponseOf<'FileDocument'>;
  interface Claimed {
    filing: DspFiling;
    assertionXml: string;
    hash: string;
    size: number;
    audit: (outcome: 'allowed' | 'denied' | 'error', detail: Record<string, string | number>) => Promise<unknown>;
    release: () => void;
  }

  /** Everything checked without the bytes (size as announced or received): bad input is a Fault, nothing claimed or sent. */
  async function checkFiling(req: FilingRequest, head: { m: string; mime: string }, size: number, caller: Caller, lang: Lang) {
    const { m, mime } = head;
    if (size === 0) throw new CodedError('dsp.empty_document');
    if (size > config.maxDocumentBytes) throw new CodedError('dsp.too_large', { args: [Math.round(config.maxDocumentBytes / 1_000_000)] });
    const md = req.metadata;
    const title = md.title.trim();
    if (!title) throw new CodedError('dsp.metadata_invalid', { args: ['title'] });
    const formatCode = md.formatCode ?? valueSets.formatByMimeType.find((f) => f.mimeType === mime)?.formatCode;
    const author = await authorOf(caller, lang);
    if (!author) throw new CodedError('dsp.author_unknown');
    const classCode = codeOf(valueSets.classCodes, md.classCode, 'classCode', lang);
    const typeCode = codeOf(valueSets.typeCodes, md.typeCode, 'typeCode', lang);
    const confidentialityCode = codeOf(valueSets.confidentialityCodes, md.confidentialityCode, 'confidentialityCode', lang);
    const format = codeOf(valueSets.formatCodes, formatCode, 'formatCode', lang);
    const practice = codeOf(valueSets.practiceSettingCodes, md.practiceSettingCode ?? author.practiceSettingCode, 'practiceSettingCode', lang);
    const facility = codeOf(valueSets.healthcareFacilityTypeCodes, md.healthcareFacilityTypeCode ?? author.healthcareFacilityTypeCode, 'healthcareFacilityTypeCode', lang);
    if (!valueSets.languages.some((l) => l.code === md.languageCode)) throw new CodedError('dsp.metadata_invalid', { args: ['languageCode'] });
    const serviceStart = md.serviceStartTime ? dtmFromInput(md.serviceStartTime) : undefined;
    if (md.serviceStartTime && !serviceStart) throw new CodedError('dsp.metadata_invalid', { args: ['serviceStartTime'] });
    return { patientId: cx(m), mime, title, md, author, classCode, typeCode, confidentialityCode, format, practice, facility, serviceStart, sourceMessageId: req.sourceMessageId };
  }

  /**
   * At most once: claims (patient, hash) with the ids the ITI-41 request will carry, under the
   * in-flight lock (released by the caller once the filing is over, or here when there is nothing to
   * send). Already filed: the answer. A previous attempt's answer lost: settled with ITI-18 first.
   */
  async function claimFiling(c: Checked, hash: string, size: number, caller: Caller): Promise<{ answer: FileAnswer & { outcome: string } } | Claimed> {
    const { patientId } = c;
    const lockKey = `${patientId}|${hash}`;
    if (inFlight.has(lockKey)) throw new CodedError('dsp.in_progress');
    inFlight.add(lockKey);
    const release = () => inFlight.delete(lockKey);
    const store = ctx.store();
    const base = { hash, size };
    const audit = async (outcome: 'allowed' | 'denied' | 'error', detail: Record<string, string | number>) =>
      store.audit.append({ at: ctx.clock.now(), actor: caller.name, action: 'dsp.file', subject: patientId, outcome, detail: { hash, size, ...(c.sourceMessageId ? { message: c.sourceMessageId } : {}), ...detail } });
    try {
      const { filing, created } = await store.dsp.claim({ patientId, hash, uniqueId: `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`, entryUUID: `urn:uuid:${randomUUID()}`, filedBy: caller.name });
      if (!created && filing.status === 'filed') {
        await audit('denied', { uniqueId: filing.uniqueId, reason: 'already filed' });
        release();
        return { answer: { outcome: 'alreadyFiled', uniqueId: filing.uniqueId, filedAt: filing.updatedAt, filedBy: filing.filedBy, ...base } };
      }
      const assertionXml = assertion(c.author, patientId);
      if (!created && filing.status === 'pending') {
        // A previous attempt's answer was lost: ask the registry before sending anything again.
        const settled = await settle(patientId, filing.uniqueId, assertionXml);
        if (settled === 'filed') {
          await store.dsp.setStatus(patientId, hash, 'filed');
          await audit('allowed', { uniqueId: filing.uniqueId, settled: 'ITI-18' });
          release();
          return { answer: { outcome: 'alreadyFiled', uniqueId: filing.uniqueId, filedAt: filing.updatedAt, filedBy: filing.filedBy, ...base } };
        }
        if (settled === 'unknown') throw new CodedError('dsp.outcome_unknown');
      }
      // A new claim is already 'pending' for this caller; a claim taken over (an earlier refusal) is set so.
      if (!created) await store.dsp.setStatus(patientId, hash, 'pending', caller.name);
      return { filing, assertionXml, hash, size, audit, release };
    } catch (e) {
      release();
      throw e;
    }
  }

  /**
   * Sends the claimed filing (ITI-41) — the bytes in memory, or streamed through while they arrive
   * (checked against the announced hash and size as they pass: BodySourceError) — and reads the
   * outcome: filed, already there, refused in words, or a lost answer settled with ITI-18.
   */
  async function sendFiling(c: Checked, cl: Claimed, bytes: { chunks: readonly Buffer[] } | { stream: AsyncIterable<Buffer>; socket?: import('node:net').Socket }, lang: Lang, log: FeatureContext['log']): Promise<FileAnswer> {
    const { patientId, author } = c;
    const { filing, assertionXml, hash, size, audit } = cl;
    const store = ctx.store();
    const base = { hash, size };
    const now = ctx.clock.now();
    const submit = submitObjectsXml(
      {
        entryUUID: filing.entryUUID,
        uniqueId: filing.uniqueId,
        patientId,
        mimeType: c.mime,
        title: c.title.slice(0, 128),
        ...(c.md.comments ? { comments: c.md.comments } : {}),
        classCode: c.classCode,
        typeCode: c.typeCode,
        confidentialityCode: c.confidentialityCode,
        formatCode: c.format,
        practiceSettingCode: c.practice,
        healthcareFacilityTypeCode: c.facility,
        languageCode: c.md.languageCode,
        creationTime: dtm(now),
        ...(c.serviceStart ? { serviceStartTime: c.serviceStart } : {}),
        hash,
        size,
        author,
      },
      { entryUUID: 'urn:uuid:' + randomUUID(), uniqueId: `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`, sourceId: config.sourceId, submissionTime: dtm(now), contentTypeCode: display(valueSets.contentTypeCode, lang) },
    );
    let response;
    try {
      if ('chunks' in bytes) {
        const doc: MtomDocument = { id: filing.entryUUID, mimeType: c.mime, chunks: bytes.chunks, size };
        response = await dsp.provideAndRegister(submit, [doc], assertionXml);
      } else response = await dsp.provideAndRegisterStream(submit, { id: filing.entryUUID, mimeType: c.mime, size }, bytes.stream, assertionXml, bytes.socket);
    } catch (e) {
      if (e instanceof BodySourceError) {
        // The bytes were not the ones announced, or the browser's upload broke off: the DSP request
        // was destroyed before its close delimiter (it never got a complete request). Released.
        await store.dsp.setStatus(patientId, hash, 'refused');
        const cause = (e as { cause?: unknown }).cause;
        if (cause instanceof UploadMismatchError) {
          await audit('error', { error: `upload mismatch: ${cause.what}` });
          throw cause;
        }
        await audit('error', { error: 'upload interrupted' });
        throw new CodedError('dsp.upload_unknown', { cause: e });
      }
      if (e instanceof DspSoapFault) {
        await store.dsp.setStatus(patientId, hash, 'refused');
        const v = verdictOf(e.faultCode.split(/[:\s/]+/).pop() ?? '');
        await audit('error', { fault: e.faultCode.slice(0, 100) });
        // Only a fault that names a known refusal (e.g. wsse:FailedAuthentication) is a refusal;
        // any other fault is the DSP failing: nothing was registered (the submission is atomic).
        if (v.kind === 'refused' && v.code !== 'dsp.refused') return { outcome: 'refused', code: v.code, reason: errorText(v.code, lang, e.reason.slice(0, 300)), ...base };
        throw new CodedError('dsp.unavailable', { cause: e });
      }
      const sent = e instanceof TransportTimeoutError || e instanceof TransportError ? e.sent : true;
      if (!sent && !(e instanceof NotXdsAnswerError)) {
        await store.dsp.setStatus(patientId, hash, 'refused');
        await audit('error', { error: 'not sent' });
        throw new CodedError('dsp.unavailable', { cause: e as Error });
      }
      // Sent but no usable answer: find out with ITI-18 before saying anything.
      log.warn({ err: (e as Error).message, uniqueId: filing.uniqueId }, 'DSP filing answer lost; settling with ITI-18');
      const settled = await settle(patientId, filing.uniqueId, assertionXml);
      if (settled === 'filed') {
        await store.dsp.setStatus(patientId, hash, 'filed');
        await audit('allowed', { uniqueId: filing.uniqueId, settled: 'ITI-18' });
        await sendAtna('success', patientId, author);
        return { outcome: 'filed', uniqueId: filing.uniqueId, ...base };
      }
      if (settled === 'absent') {
        await store.dsp.setStatus(patientId, hash, 'refused');
        await audit('error', { error: e instanceof NotXdsAnswerError ? 'bad answer' : 'timeout', settled: 'absent' });
        throw new CodedError(e instanceof NotXdsAnswerError ? 'dsp.bad_answer' : 'dsp.unavailable', { cause: e as Error });
      }
      await audit('error', { error: 'outcome unknown' });
      throw new CodedError('dsp.outcome_unknown', { cause: e as Error });
    }
    if (response.status === 'success') {
      // Recorded (status and audit trail) before answering; the two writes are independent.
      await Promise.all([store.dsp.setStatus(patientId, hash, 'filed'), audit('allowed', { uniqueId: filing.uniqueId }), sendAtna('success', patientId, author)]);
      return { outcome: 'filed', uniqueId: filing.uniqueId, ...base };
    }
    const first = response.errors[0]!;
    const v = verdictOf(first.errorCode);
    if (v.kind === 'duplicate') {
      // Our own uniqueId already there: an earlier attempt did file it.
      await store.dsp.setStatus(patientId, hash, 'filed');
      await audit('allowed', { uniqueId: filing.uniqueId, registry: first.errorCode });
      return { outcome: 'alreadyFiled', uniqueId: filing.uniqueId, filedAt: filing.updatedAt, filedBy: filing.filedBy, ...base };
    }
    await store.dsp.setStatus(patientId, hash, 'refused');
    await audit('denied', { registry: first.errorCode.slice(0, 100) });
    await sendAtna('failure', patientId, author);
    if (v.kind === 'unavailable') throw new CodedError('dsp.unavailable');
    return { outcome: 'refused', code: v.code, reason: errorText(v.code, lang, first.codeContext.slice(0, 300)), ...base };
  }

  async function settle(patientId: string, uniqueId: string, assertionXml: string): Promise<'filed' | 'absent' | 'unknown'> {
    try {
      const docs = await dsp.findDocuments(patientId, assertionXml);
      return docs.some((d) => d.uniqueId === uniqueId) ? 'filed' : 'absent';
    } catch (e) {
      ctx.log.warn({ err: (e as Error).message }, 'ITI-18 settling failed');
      return 'unknown';
    }
  }

  async function sendAtna(outcome: 'success' | 'failure', patientId: string, author: { ehealthId: string; givenName: string; familyName: string; roleCode: string }): Promise<void> {
    if (!atna) return;
    const when = ctx.clock.now();
    try {
      await atna.send(
        exportAuditXml({ outcome, when, sourceEndpoint: config.issuer, destinationEndpoint: config.repositoryUrl, user: { ehealthId: author.ehealthId, name: `${author.givenName} ${author.familyName}`, role: author.roleCode }, patientId, submissionSetUniqueId: 'n/a', auditSourceId: config.sourceId }),
        when,
        outcome === 'failure',
      );
    } catch (e) {
      ctx.log.warn({ err: (e as Error).message }, 'ATNA audit message not delivered');
    }
  }

  const uploadRoute = {
    prefix: DSP_UPLOAD_PATH,
    async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
      const lang = pickLang(String(req.headers['accept-language'] ?? ''));
      const fail = (status: number, code: Parameters<typeof errorText>[0], l: Lang, ...args: (string | number)[]) => {
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
        res.end(JSON.stringify({ code, message: errorText(code, l, ...args) }));
        req.resume();
      };
      if (req.method !== 'POST') return fail(405, 'request.invalid', lang, 'POST');
      let caller: Caller;
      try {
        const csrf = req.headers[CSRF_HEADER.toLowerCase()];
        caller = await authenticator.authenticate({ authToken: readCookie(String(req.headers.cookie ?? ''), AUTH_COOKIE), csrfToken: Array.isArray(csrf) ? csrf[0] : csrf });
      } catch {
        return fail(401, 'auth.required', lang);
      }
      const mime = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!config.allowedTypes.includes(mime)) return fail(415, 'dsp.type_not_allowed', caller.lang, mime.slice(0, 64));
      try {
        const { id, upload } = await uploads.receive(req, caller.accountId, mime);
        if (upload.size === 0) {
          uploads.drop(id);
          return fail(400, 'dsp.empty_document', caller.lang);
        }
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ uploadId: id, size: upload.size, sha1: upload.sha1 }));
      } catch (e) {
        // The one wire mapper (errors.ts): UploadTooLargeError is dsp.too_large 413; anything else is
        // shown as a reference only.
        const p = toPublicError(e, caller.lang, ctx.log);
        res.writeHead(p.httpStatus, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' });
        res.end(JSON.stringify({ code: p.code, message: p.message }));
        req.resume();
      }
    },
  };

  /**
   * The streamed filing (PrepareFiling first): `POST DSP_FILE_PATH/{filingId}`, the raw document as
   * the body, authenticated as the upload route. The bytes go straight on into the ITI-41 request
   * (verifiedStream: counted and hashed as they pass, never kept, never on disk); the answer is
   * FileDocument's, as JSON. The answer waits until the browser's body is in (a client that uploads
   * before reading would otherwise see a reset, not the answer), up to twice the size limit.
   */
  const fileRoute = {
    prefix: DSP_FILE_PATH,
    async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, rctx: { log: FeatureContext['log'] }) {
      let lang = pickLang(String(req.headers['accept-language'] ?? ''));
      const reply = async (status: number, body: object) => {
        if (!req.readableEnded) {
          const whole = await bodyEnds(req, 2 * config.maxDocumentBytes);
          if (!whole) {
            req.socket.destroy();
            return;
          }
        }
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      };
      const fail = (status: number, code: Parameters<typeof errorText>[0], ...args: (string | number)[]) => reply(status, { code, message: errorText(code, lang, ...args) });
      if (req.method !== 'POST') return fail(405, 'request.invalid', 'POST');
      let caller: Caller;
      try {
        const csrf = req.headers[CSRF_HEADER.toLowerCase()];
        caller = await authenticator.authenticate({ authToken: readCookie(String(req.headers.cookie ?? ''), AUTH_COOKIE), csrfToken: Array.isArray(csrf) ? csrf[0] : csrf });
      } catch {
        return fail(401, 'auth.required');
      }
      lang = caller.lang;
      const id = new URL(req.url ?? '/', 'http://service.invalid').pathname.slice(DSP_FILE_PATH.length + 1).replace(/\/+$/, '');
      const p = prepared.get(id);
      // Another user's id is "unknown" too (never revealed); one use only.
      if (!p || p.owner !== caller.accountId) return fail(404, 'dsp.upload_unknown');
      prepared.delete(id);
      clearTimeout(p.timer);
      let used = false;
      try {
        const mime = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
        if (mime !== p.c.mime || (declared !== undefined && declared !== p.size)) {
          // Known before any byte is sent: nothing goes to the DSP.
          await ctx.store().dsp.setStatus(p.c.patientId, p.sha1, 'refused');
          await p.claimed.audit('error', { error: `upload mismatch: ${mime !== p.c.mime ? 'type' : 'size'}` });
          return await fail(400, 'dsp.upload_mismatch');
        }
        // The chunks as the socket delivers them; the route reads the rest itself if the DSP answers early.
        const source = verifiedStream(req.iterator({ destroyOnReturn: false }), p.sha1, p.size);
        used = true;
        const answer = await sendFiling(p.c, p.claimed, { stream: source, socket: p.socket }, lang, rctx.log);
        return await reply(200, answer);
      } catch (e) {
        const pe = toPublicError(e, lang, ctx.log);
        return await reply(pe.httpStatus, { code: pe.code, message: pe.message });
      } finally {
        if (!used) p.socket.destroy();
        p.claimed.release();
      }
    },
  };

  return {
    name: 'dsp',
    handlers,
    routes: [uploadRoute, fileRoute],
    async start() {
      // The key is read (or, embedded, made) at the first filing: starting needs no openssl run.
      ctx.log.info({ repository: config.repositoryUrl, registry: config.registryUrl, pdq: config.pdqUrl, atna: Boolean(atna) }, 'DSP filing ready');
    },
    async stop() {
      uploads.close();
      for (const p of prepared.values()) {
        clearTimeout(p.timer);
        p.socket.destroy();
        p.claimed.release();
      }
      prepared.clear();
    },
  };
}
