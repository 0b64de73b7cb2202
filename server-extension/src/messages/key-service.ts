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
import { CodedError } from '../errors.ts';
import type { Clock } from '../feature.ts';
import { newMessageKey, openSecretText, sealSecret, unwrapDataKey, type MasterKeyring } from '../keys/index.ts';
import type { Logger } from '../log.ts';
import type { IdentityLevel, SecureMessage, Store } from '../store/index.ts';

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
  levelBannerThreshold: number;
}

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
        recipients,
      });
      await this.#audit(caller.address, 'message.register', id, 'allowed', { recipients: recipients.length, channel: caller.channel });
      return {
        messageId: id,
        dataKey: dataKey.toString('base64'),
        keyService: this.keyServiceUrl,
        readDeadline: readDeadline.toISOString(),
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
    if (result.kind === 'Confirmed') {
      if (m.notifyTransmission) {
        await store.notifications.enqueue({ jobKey: `transmission:${m.id}`, kind: 'transmission', messageId: m.id, recipientKey: null, dueAtMs: now, nowMs: now });
      }
      // Deadline jobs need no scheduling here: the scheduler's scan finds every sent message whose
      // deadline has passed (store.notifications.enqueueDueDeadlines), which survives restarts.
      await this.#audit(caller.address, 'message.confirm', m.id, 'allowed', { size: req.size });
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
    let first = false;
    // Already opened (as read just now): no write needed; otherwise the atomic UPDATE decides who was first.
    if (recipient && message.sentAt !== null && recipient.firstOpenedAt === null) {
      first = await store.messages.recordFirstOpen(message.id, recipient.address, now);
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
}

export type { IdentityLevel };
