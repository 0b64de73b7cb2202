/**
 * The key service (architecture flows 1–3): registers a message and hands its sender a fresh data
 * key, records the sending, releases the key to listed recipients and the sender only, and tells
 * the sender who opened. Used by the SOAP handlers (Zimbra-authenticated callers) and by the portal
 * (outside recipients with a portal session); both pass the caller's address as proved by their
 * own authentication.
 *
 * Security properties kept here:
 * - the data key is stored only wrapped under the master key with the message id as associated
 *   data (keys/wrap.ts); the plaintext key exists in memory only while it is encoded for the answer;
 * - every registration, confirmation and release, allowed or denied, is appended to the audit trail;
 * - the first release per recipient is recorded once (atomic UPDATE … WHERE first_opened IS NULL),
 *   which is also what enqueues the read notification exactly once.
 */
import { randomBytes } from 'node:crypto';
import { SOAP_PATH } from '../../../shared/paths.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';
import { formatDateTime } from '../../../shared/i18n/dates.ts';
import { CodedError } from '../errors.ts';
import type { Clock } from '../feature.ts';
import { newMessageKey, openSecretText, sealSecret, unwrapDataKey, type MasterKeyring } from '../keys/index.ts';
import type { Logger } from '../log.ts';
import type { IdentityLevel, SecureMessage, SecureMessageRecipient, Store } from '../store/index.ts';
import { effectiveAccessUntil, historyCsv, notificationHistory, recipientHistory, type HistoryRowSource } from './history.ts';

/** Purpose label of the sealed subject (keys/wrap.ts secret context; owner = message id). */
export const SUBJECT_PURPOSE = 'message-subject';
const DAY_MS = 86_400_000;
/** RFC 5321 path limit; the container header allows 320. */
const ADDRESS_MAX = 254;
// One @, a dotted domain, no spaces, controls or characters that break headers or our job keys.
const ADDRESS = /^[^\s@<>(),;:"\\\u0000-\u001f\u007f]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isValidAddress(address: string): boolean {
  return address.length <= ADDRESS_MAX && ADDRESS.test(address);
}

export interface SenderView {
  mail: string;
  displayName?: string;
  level: number;
  levelBanner: boolean;
}

export interface KeyServiceDeps {
  store: () => Store;
  keyring: () => MasterKeyring;
  clock: Clock;
  log: Logger;
  publicUrl: string;
  /** The recipients' portal page (ESANTE_PORTAL_ORIGIN + its path), named in cover mails; omitted = not told. */
  portalUrl?: string;
  levelBannerThreshold: number;
  /** Issue 12: latest read deadline / access end an update may set, in days after registration (default 365). */
  maxMessageDays?: number;
}

/** Most messages one CSV export covers (newest first); beyond, the sender exports again later or asks support. */
export const EXPORT_MAX_MESSAGES = 5000;

/** Who asks: the address their authentication proved, and for audits how they proved it. */
export interface KeyCaller {
  address: string;
  displayName?: string | undefined;
  lang: Lang;
  /** 'zimbra' (SOAP) or 'portal'. */
  channel: 'zimbra' | 'portal';
}

const lower = (s: string): string => s.trim().normalize('NFC').toLowerCase();
/** A requested id as it may be written to the audit trail (ours are base64url; anything else is shown as '?'). */
const auditableId = (id: string): string => (/^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : '?');

export class KeyService {
  readonly #d: KeyServiceDeps;

  constructor(deps: KeyServiceDeps) {
    this.#d = deps;
  }

  /** Where readers ask for keys; written into each container header. */
  get keyServiceUrl(): string {
    return `${this.#d.publicUrl}${SOAP_PATH}`;
  }

  #sender(m: Pick<SecureMessage, 'senderEmail' | 'senderName' | 'senderLevel'>): SenderView {
    return {
      mail: m.senderEmail,
      ...(m.senderName ? { displayName: m.senderName } : {}),
      level: m.senderLevel,
      levelBanner: m.senderLevel >= this.#d.levelBannerThreshold,
    };
  }

  async #audit(actor: string, action: string, subject: string, outcome: 'allowed' | 'denied', detail: Record<string, string | number | boolean>): Promise<void> {
    await this.#d.store().audit.append({ at: this.#d.clock.now(), actor, action, subject, outcome, detail });
  }

  async register(caller: KeyCaller, req: { to: string[]; cc: string[]; subject: string }) {
    const store = this.#d.store();
    const account = await store.accounts.get(caller.address);
    if (!account) {
      await this.#audit(caller.address, 'message.register', caller.address, 'denied', { reason: 'account_required' });
      throw new CodedError('message.account_required');
    }
    const recipients: Array<{ address: string; kind: 'to' | 'cc' }> = [];
    const seen = new Set<string>();
    for (const [kind, list] of [['to', req.to ?? []], ['cc', req.cc ?? []]] as const) {
      for (const raw of list) {
        const address = raw.trim().normalize('NFC');
        if (!isValidAddress(address)) throw new CodedError('message.invalid_address', { args: [address.slice(0, 100)] });
        // Listed in To and in Cc (or twice): one recipient, in the first place it appears.
        if (seen.has(lower(address))) continue;
        seen.add(lower(address));
        recipients.push({ address, kind });
      }
    }
    if (recipients.length === 0) throw new CodedError('message.recipients_required');

    const now = this.#d.clock.now();
    const id = randomBytes(18).toString('base64url'); // 144 random bits: unguessable, 24 characters
    const keyring = this.#d.keyring();
    const { dataKey, wrapped } = newMessageKey(keyring, id);
    try {
      const readDeadline = new Date(now.getTime() + account.options.readDeadlineDays * DAY_MS);
      // The sender's default access period (Options tab; 0 = none): the message's access end, changeable after sending.
      const accessUntilMs = account.options.accessDays > 0 ? now.getTime() + account.options.accessDays * DAY_MS : null;
      const senderName = caller.displayName?.trim() || account.fullName || null;
      await store.messages.create({
        id,
        senderEmail: caller.address,
        senderName,
        senderLevel: account.identityLevel,
        senderLang: caller.lang,
        subjectSealed: sealSecret(keyring, SUBJECT_PURPOSE, id, req.subject ?? ''),
        wrappedKey: wrapped,
        createdAtMs: now.getTime(),
        readDeadlineMs: readDeadline.getTime(),
        notifyTransmission: account.options.notifyTransmission,
        notifyRead: account.options.notifyRead,
        notifyDeadline: account.options.notifyDeadline,
        accessUntilMs,
        recipients,
      });
      await this.#audit(caller.address, 'message.register', id, 'allowed', { recipients: recipients.length, channel: caller.channel });
      return {
        messageId: id,
        dataKey: dataKey.toString('base64'),
        keyService: this.keyServiceUrl,
        ...(this.#d.portalUrl ? { portalUrl: this.#d.portalUrl } : {}),
        readDeadline: readDeadline.toISOString(),
        ...(accessUntilMs !== null ? { accessUntil: new Date(accessUntilMs).toISOString() } : {}),
        sender: this.#sender({ senderEmail: caller.address, senderName, senderLevel: account.identityLevel }),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  /** The message if the caller sent it; else audited and refused (message ids carry 144 random bits, so telling "unknown" from "not yours" reveals nothing). */
  async #ownMessage(caller: KeyCaller, messageId: string, action: string): Promise<SecureMessage> {
    const message = await this.#d.store().messages.get(messageId);
    if (!message) {
      await this.#audit(caller.address, action, auditableId(messageId), 'denied', { reason: 'not_found' });
      throw new CodedError('message.not_found');
    }
    if (message.senderKey !== lower(caller.address)) {
      await this.#audit(caller.address, action, messageId, 'denied', { reason: 'not_sender' });
      throw new CodedError('message.not_sender');
    }
    return message;
  }

  async confirmSent(caller: KeyCaller, req: { messageId: string; containerDigest: string; size: number }) {
    if (!/^[A-Za-z0-9_-]{43}$/.test(req.containerDigest)) throw new CodedError('request.invalid', { args: ['containerDigest'] });
    if (!Number.isSafeInteger(req.size) || req.size <= 0) throw new CodedError('request.invalid', { args: ['size'] });
    const store = this.#d.store();
    await this.#ownMessage(caller, req.messageId, 'message.confirm');
    const now = this.#d.clock.now().getTime();
    const result = await store.messages.confirmSent(req.messageId, req.containerDigest, req.size, now);
    if (result.kind === 'NotFound') throw new CodedError('message.not_found');
    const m = result.message;
    if (result.kind === 'AlreadyConfirmed' && m.containerDigest !== req.containerDigest) {
      await this.#audit(caller.address, 'message.confirm', m.id, 'denied', { reason: 'already_sent' });
      throw new CodedError('message.already_sent');
    }
    // A retry with the same digest (AlreadyConfirmed) redoes what follows the record, because the first
    // try may have stopped after it (store gone, process killed: the caller got 503/502 and retried):
    // the job's key is unique, so queueing twice is harmless, and the audit record is written if missing.
    // (Found by the topology test's reconciliation, issue 16.)
    if (result.kind === 'Confirmed' || result.kind === 'AlreadyConfirmed') {
      if (m.notifyTransmission) {
        await store.notifications.enqueue({ jobKey: `transmission:${m.id}`, kind: 'transmission', messageId: m.id, recipientKey: null, dueAtMs: now, nowMs: now });
      }
      // Deadline jobs need no scheduling here: the scheduler's scan finds every sent message whose
      // deadline has passed (store.notifications.enqueueDueDeadlines), which survives restarts.
      const audited =
        result.kind === 'AlreadyConfirmed' &&
        (await store.audit.list({ subject: m.id, action: 'message.confirm', limit: 100 })).some((e) => e.outcome === 'allowed');
      if (!audited) await this.#audit(caller.address, 'message.confirm', m.id, 'allowed', { size: req.size });
    }
    return { messageId: m.id, sentAt: m.sentAt! };
  }

  async release(caller: KeyCaller, messageId: string) {
    const store = this.#d.store();
    const message = await store.messages.get(messageId);
    if (!message) {
      await this.#audit(caller.address, 'key.release', auditableId(messageId), 'denied', { reason: 'not_found', channel: caller.channel });
      throw new CodedError('message.not_found');
    }
    const key = lower(caller.address);
    const recipient = message.recipients.find((r) => r.addressKey === key);
    const isSender = message.senderKey === key;
    if (!recipient && !isSender) {
      await this.#audit(caller.address, 'key.release', message.id, 'denied', { reason: 'not_recipient', channel: caller.channel });
      throw new CodedError('message.not_recipient');
    }
    // Until the sender confirmed the upload there is no digest to bind the file to, and any
    // recipient holding the key could re-seal other content under this header: recipients wait.
    // The sender may open it (their Sent copy), which is how the zimlet confirms again.
    if (!isSender && message.sentAt === null) {
      await this.#audit(caller.address, 'key.release', message.id, 'denied', { reason: 'not_sent', channel: caller.channel });
      throw new CodedError('message.not_sent');
    }
    const now = this.#d.clock.now().getTime();
    // Issue 12: a revoke or an access end binds every recipient, whatever the channel. The sender
    // keeps their own copy (their Sent folder), so only a caller who is not the sender is refused.
    if (recipient && !isSender) await this.#refuseIfWithdrawn(caller, message, recipient, now);
    let first = false;
    // Already opened (as read just now): no write needed; otherwise the atomic UPDATE decides who was first.
    if (recipient && message.sentAt !== null && recipient.firstOpenedAt === null) {
      first = await store.messages.recordFirstOpen(message.id, recipient.address, now, caller.channel);
      if (!first && !isSender) {
        // Nobody else opened for this recipient meanwhile unless a revoke won the race (the UPDATE
        // skips revoked rows): re-read, so a revoke committed an instant ago still refuses.
        const again = (await store.messages.get(message.id))?.recipients.find((r) => r.addressKey === key);
        if (again) await this.#refuseIfWithdrawn(caller, message, again, now);
      }
      if (first && message.notifyRead) {
        await store.notifications.enqueue({
          jobKey: `read:${message.id}:${recipient.addressKey}`,
          kind: 'read',
          messageId: message.id,
          recipientKey: recipient.addressKey,
          dueAtMs: now,
          nowMs: now,
        });
      }
    }
    // "Nb de transactions" (guide p.9): every open counts, for callers who have an account.
    await store.accounts.incrementTransactions(caller.address);
    const dataKey = unwrapDataKey(this.#d.keyring(), message.id, message.wrappedKey);
    try {
      await this.#audit(caller.address, 'key.release', message.id, 'allowed', {
        role: recipient ? 'recipient' : 'sender',
        first,
        channel: caller.channel,
      });
      return {
        messageId: message.id,
        dataKey: dataKey.toString('base64'),
        ...(message.containerDigest ? { containerDigest: message.containerDigest } : {}),
        ...(message.sentAt ? { sentAt: message.sentAt } : {}),
        sender: this.#sender(message),
      };
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Refuses (audited) a recipient the sender withdrew the message from, or whose access ended. The
   * date is written in the reader's language ("… retiré par son expéditeur le 7 décembre 2026 à 14:05").
   */
  async #refuseIfWithdrawn(caller: KeyCaller, message: SecureMessage, r: SecureMessageRecipient, nowMs: number): Promise<void> {
    const access = effectiveAccessUntil(message, r);
    const ended = access !== null && Date.parse(access) <= nowMs;
    if (!r.revokedAt && !ended) return;
    await this.#audit(caller.address, 'key.release', message.id, 'denied', { reason: r.revokedAt ? 'revoked' : 'access_ended', channel: caller.channel });
    if (r.revokedAt) throw new CodedError('message.revoked', { args: [formatDateTime(r.revokedAt, caller.lang, 'long')], httpStatus: 403 });
    throw new CodedError('message.access_ended', { args: [formatDateTime(access, caller.lang, 'long')], httpStatus: 403 });
  }

  subjectOf(message: Pick<SecureMessage, 'id' | 'subjectSealed'>): string {
    return openSecretText(this.#d.keyring(), SUBJECT_PURPOSE, message.id, message.subjectSealed);
  }

  async status(caller: KeyCaller, messageId: string) {
    const message = await this.#ownMessage(caller, messageId, 'message.status');
    const jobs = await this.#d.store().notifications.forMessage(message.id);
    const deadlineSent = new Map(jobs.filter((j) => j.kind === 'deadline' && j.sentAt).map((j) => [j.recipientKey, j.sentAt!]));
    return {
      messageId: message.id,
      subject: this.subjectOf(message),
      ...(message.sentAt ? { sentAt: message.sentAt } : {}),
      readDeadline: message.readDeadline,
      recipients: message.recipients.map((r) => ({
        address: r.address,
        kind: r.kind,
        ...(r.firstOpenedAt ? { openedAt: r.firstOpenedAt } : {}),
        ...(deadlineSent.has(r.addressKey) ? { deadlineNotifiedAt: deadlineSent.get(r.addressKey)! } : {}),
      })),
    };
  }

  async listSent(caller: KeyCaller, req: { offset?: number; limit?: number }) {
    const offset = req.offset ?? 0;
    const limit = req.limit ?? 50;
    if (!Number.isSafeInteger(offset) || offset < 0) throw new CodedError('request.invalid', { args: ['offset'] });
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 200) throw new CodedError('request.invalid', { args: ['limit'] });
    const page = await this.#d.store().messages.listBySender(caller.address, offset, limit);
    return {
      total: page.total,
      messages: page.messages.map((m) => ({
        messageId: m.id,
        subject: this.subjectOf(m),
        ...(m.sentAt ? { sentAt: m.sentAt } : {}),
        readDeadline: m.readDeadline,
        recipients: m.recipients,
        opened: m.opened,
      })),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Issue 12: the sender keeps control after sending. Every refusal is audited and changes nothing;
  // the store's UPDATEs are single statements guarded by `revoked_at_ms IS NULL`, so two instances
  // given the same revoke apply it once (the other answers message.already_revoked).

  /** The named recipient (any case), or all of them; unknown or revoked names are refused, audited. */
  async #targets(caller: Pick<KeyCaller, 'address'>, message: SecureMessage, recipient: string | undefined, action: string): Promise<SecureMessageRecipient[]> {
    if (recipient === undefined) {
      const open = message.recipients.filter((r) => !r.revokedAt);
      if (open.length === 0) {
        await this.#audit(caller.address, action, message.id, 'denied', { reason: 'already_revoked', scope: 'all' });
        throw new CodedError('message.already_revoked', { args: [message.recipients.map((r) => r.address).join(', ')] });
      }
      return open;
    }
    const r = message.recipients.find((x) => x.addressKey === lower(recipient));
    if (!r) {
      await this.#audit(caller.address, action, message.id, 'denied', { reason: 'unknown_recipient' });
      throw new CodedError('message.unknown_recipient', { args: [recipient.trim().slice(0, 100)] });
    }
    if (r.revokedAt) {
      await this.#audit(caller.address, action, message.id, 'denied', { reason: 'already_revoked', recipient: r.address });
      throw new CodedError('message.already_revoked', { args: [r.address] });
    }
    return [r];
  }

  async revoke(caller: KeyCaller, req: { messageId: string; recipient?: string }) {
    const message = await this.#ownMessage(caller, req.messageId, 'message.revoke');
    return this.#revoke(caller, message, req);
  }

  /**
   * An operator's revoke (`esante-admin message revoke`, issue 16): any message, the same checks, store
   * update and notifications as the sender's, audited with the operator as actor and channel "admin".
   */
  async revokeAsOperator(operator: string, req: { messageId: string; recipient?: string }) {
    const message = await this.#d.store().messages.get(req.messageId);
    if (!message) {
      await this.#audit(operator, 'message.revoke', auditableId(req.messageId), 'denied', { reason: 'not_found', channel: 'admin' });
      throw new CodedError('message.not_found');
    }
    return this.#revoke({ address: operator, channel: 'admin' }, message, req);
  }

  async #revoke(caller: { address: string; channel: string }, message: SecureMessage, req: { recipient?: string }) {
    const targets = await this.#targets(caller, message, req.recipient, 'message.revoke');
    const now = this.#d.clock.now().getTime();
    const revoked = await this.#d.store().messages.revoke(message.id, req.recipient === undefined ? null : targets[0]!.addressKey, now);
    if (revoked.length === 0) {
      // Another instance (or a double click) revoked them between our read and our UPDATE.
      await this.#audit(caller.address, 'message.revoke', message.id, 'denied', { reason: 'already_revoked' });
      throw new CodedError('message.already_revoked', { args: [targets.map((r) => r.address).join(', ')] });
    }
    // A deadline notice about someone who can no longer open the message would only mislead.
    await this.#d.store().notifications.dropPendingDeadlines(message.id, revoked, now);
    await this.#audit(caller.address, 'message.revoke', message.id, 'allowed', {
      scope: req.recipient === undefined ? 'all' : 'one',
      recipients: revoked.length,
      channel: caller.channel,
    });
    const names = new Map(message.recipients.map((r) => [r.addressKey, r.address]));
    return { messageId: message.id, revokedAt: new Date(now).toISOString(), revoked: revoked.map((k) => names.get(k) ?? k) };
  }

  /** A date an update may set: in the future and at most maxMessageDays after the message's registration. */
  async #checkDate(caller: KeyCaller, message: SecureMessage, field: string, value: string, nowMs: number): Promise<number> {
    const at = Date.parse(value);
    const max = Date.parse(message.createdAt) + (this.#d.maxMessageDays ?? 365) * DAY_MS;
    const shown = formatDateTime(value, caller.lang, 'long');
    if (at <= nowMs) {
      await this.#audit(caller.address, 'message.update', message.id, 'denied', { reason: 'date_past', field });
      throw new CodedError('message.date_past', { args: [shown] });
    }
    if (at > max) {
      await this.#audit(caller.address, 'message.update', message.id, 'denied', { reason: 'date_too_far', field });
      throw new CodedError('message.date_too_far', { args: [shown, formatDateTime(new Date(max), caller.lang, 'long')] });
    }
    return at;
  }

  async update(caller: KeyCaller, req: { messageId: string; recipient?: string; readDeadline?: string; accessUntil?: string; clearAccessUntil?: boolean }) {
    const message = await this.#ownMessage(caller, req.messageId, 'message.update');
    if (req.accessUntil !== undefined && req.clearAccessUntil) {
      await this.#audit(caller.address, 'message.update', message.id, 'denied', { reason: 'invalid' });
      throw new CodedError('request.invalid', { args: ['accessUntil + clearAccessUntil'] });
    }
    if (req.readDeadline === undefined && req.accessUntil === undefined && !req.clearAccessUntil) {
      await this.#audit(caller.address, 'message.update', message.id, 'denied', { reason: 'nothing_to_change' });
      throw new CodedError('message.nothing_to_change');
    }
    const now = this.#d.clock.now().getTime();
    const change: { readDeadlineMs?: number; accessUntilMs?: number | null } = {};
    if (req.readDeadline !== undefined) change.readDeadlineMs = await this.#checkDate(caller, message, 'readDeadline', req.readDeadline, now);
    if (req.accessUntil !== undefined) change.accessUntilMs = await this.#checkDate(caller, message, 'accessUntil', req.accessUntil, now);
    if (req.clearAccessUntil) change.accessUntilMs = null;
    const targets = await this.#targets(caller, message, req.recipient, 'message.update');
    const store = this.#d.store();
    const changed = await store.messages.setRecipientDates(message.id, req.recipient === undefined ? null : targets[0]!.addressKey, change);
    if (changed.length === 0) {
      await this.#audit(caller.address, 'message.update', message.id, 'denied', { reason: 'already_revoked' });
      throw new CodedError('message.already_revoked', { args: [targets.map((r) => r.address).join(', ')] });
    }
    // The scheduler follows a moved deadline: a job not yet sent is dropped and the scan creates it
    // again when the new deadline passes. One already sent keeps its unique job key: never re-sent.
    if (change.readDeadlineMs !== undefined) await store.notifications.dropPendingDeadlines(message.id, changed, now);
    await this.#audit(caller.address, 'message.update', message.id, 'allowed', {
      scope: req.recipient === undefined ? 'all' : 'one',
      recipients: changed.length,
      ...(change.readDeadlineMs !== undefined ? { readDeadline: new Date(change.readDeadlineMs).toISOString() } : {}),
      ...(change.accessUntilMs !== undefined ? { accessUntil: change.accessUntilMs === null ? 'none' : new Date(change.accessUntilMs).toISOString() } : {}),
      channel: caller.channel,
    });
    const after = (await store.messages.get(message.id))!;
    const keys = new Set(changed);
    return { messageId: message.id, recipients: after.recipients.filter((r) => keys.has(r.addressKey)).map((r) => recipientHistory(after, r, now)) };
  }

  async history(caller: KeyCaller, messageId: string) {
    const message = await this.#ownMessage(caller, messageId, 'message.history');
    const jobs = await this.#d.store().notifications.forMessage(message.id);
    const now = this.#d.clock.now().getTime();
    return {
      messageId: message.id,
      subject: this.subjectOf(message),
      createdAt: message.createdAt,
      ...(message.sentAt ? { sentAt: message.sentAt } : {}),
      recipients: message.recipients.map((r) => recipientHistory(message, r, now)),
      notifications: notificationHistory(message, jobs),
    };
  }

  /** The caller's own messages' history as CSV (history.ts), newest first, audited (a data export). */
  async exportHistory(caller: KeyCaller) {
    const store = this.#d.store();
    const sources: HistoryRowSource[] = [];
    for (let offset = 0; offset < EXPORT_MAX_MESSAGES; offset += 200) {
      const page = await store.messages.listBySender(caller.address, offset, Math.min(200, EXPORT_MAX_MESSAGES - offset));
      for (const summary of page.messages) {
        const message = await store.messages.get(summary.id);
        if (message) sources.push({ message, subject: this.subjectOf(message), jobs: await store.notifications.forMessage(message.id) });
      }
      if (offset + page.messages.length >= page.total || page.messages.length === 0) break;
    }
    const now = this.#d.clock.now();
    const { csv, rows } = historyCsv(sources, caller.lang, now.getTime());
    await this.#audit(caller.address, 'message.export', caller.address, 'allowed', { messages: sources.length, rows, channel: caller.channel });
    return { fileName: `messages-securises-${now.toISOString().slice(0, 10)}.csv`, mimeType: 'text/csv; charset=utf-8', csv, rows };
  }
}

export type { IdentityLevel };
