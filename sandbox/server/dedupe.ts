/**
 * Zimbra's LMTP delivery dedupe, as the sandbox's delivery does it (issue 16): a second copy of a
 * message with the same Message-ID to the same mailbox is dropped silently (the SMTP transaction
 * still succeeds), so a notification sent twice in the service's crash window reaches the mailbox once.
 *
 * The real thing, zm-mailbox store/src/java/com/zimbra/cs/lmtpserver/ZimbraLmtpBackend.java
 * (commit 2b7f9787):
 *  - :91 `receivedMessageIDs`, a Map Message-ID → set of mailbox ids, in memory only (a mailboxd
 *    restart forgets it), an LRU of zimbraMessageIdDedupeCacheSize entries (:245-247; default 3000,
 *    store/conf/attrs/zimbra-attrs.xml:1815) or, when zimbraMessageIdDedupeCacheTimeout is not 0
 *    (default 0, zimbra-attrs.xml:6743), a map whose entries expire after that time, size ignored;
 *  - :194-212 dedupe(): skipped when the account's zimbraPrefMessageIdDedupingEnabled is FALSE
 *    (default TRUE, zimbra-attrs.xml:5720) or the message has no Message-ID; true when that id is
 *    cached for that mailbox;
 *  - :217-230 the id looked at is the Resent-Message-ID header when present, else Message-ID;
 *  - :663-665 a duplicate is logged ("Not delivering message with duplicate Message-ID") and not
 *    filed; :719-722 an id is cached only once the message was actually added to the mailbox;
 *    :780-782 removed again when the delivery failed, so an LMTP retry is not taken for a duplicate.
 * The sandbox has no per-account preference for it: deduping is on for every mailbox, as by default.
 */

/** zimbraMessageIdDedupeCacheSize's default (zimbra-attrs.xml:1815-1816). */
export const DEDUPE_CACHE_SIZE = 3000;

export class MessageIdDedupe {
  /** Insertion order is recency order: a hit re-inserts, the oldest key is evicted first (LruMap). */
  readonly #ids = new Map<string, { mailboxes: Set<string>; at: number }>();

  /** `timeoutMs` 0: an LRU of `size` entries; otherwise entries expire after it and size is ignored (as Zimbra). */
  constructor(
    readonly size = DEDUPE_CACHE_SIZE,
    readonly timeoutMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when a message with this id was already delivered to this mailbox (ZimbraLmtpBackend.dedupe). */
  isDuplicate(messageId: string | null, mailbox: string): boolean {
    if (!messageId || (this.size === 0 && this.timeoutMs === 0)) return false;
    const entry = this.#ids.get(messageId);
    if (!entry) return false;
    if (this.timeoutMs > 0 && this.now() - entry.at > this.timeoutMs) {
      this.#ids.delete(messageId);
      return false;
    }
    // LruMap is access-ordered: a lookup makes the entry the most recent.
    this.#ids.delete(messageId);
    this.#ids.set(messageId, entry);
    return entry.mailboxes.has(mailbox);
  }

  /** Records a delivery that happened (ZimbraLmtpBackend.addToDedupeCache). */
  add(messageId: string | null, mailbox: string): void {
    if (!messageId || (this.size === 0 && this.timeoutMs === 0)) return;
    const entry = this.#ids.get(messageId) ?? { mailboxes: new Set<string>(), at: this.now() };
    entry.mailboxes.add(mailbox);
    this.#ids.delete(messageId);
    this.#ids.set(messageId, entry);
    if (this.timeoutMs === 0) {
      while (this.#ids.size > this.size) this.#ids.delete(this.#ids.keys().next().value!);
    }
  }
}

/**
 * The id Zimbra dedupes on: the first (most recent, RFC 5322 §3.6.6: resent fields are prepended)
 * Resent-Message-ID of the top-level header, else Message-ID (ZimbraLmtpBackend.getMessageID). Only
 * the header block is read, unfolded (RFC 5322 §2.2.3).
 */
export function dedupeMessageId(raw: Buffer): string | null {
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const lines = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  const first = (name: string) => {
    const prefix = `${name.toLowerCase()}:`;
    const line = lines.find((l) => l.toLowerCase().startsWith(prefix));
    const value = line?.slice(prefix.length).trim();
    return value ? value : null;
  };
  return first('Resent-Message-ID') ?? first('Message-ID');
}
