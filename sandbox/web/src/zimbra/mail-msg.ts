/**
 * The message object handed to zimlets' `onMsgView(msg, oldMsg, msgView)` and
 * `onSendButtonClicked(controller, msg)`: the members of zm-web-client
 * `WebRoot/js/zimbraMail/mail/model/ZmMailMsg.js` (and its parts, `ZmMimePart.js`) that zimlets use,
 * built from GetMsgResponse `m` JSON (zm-mailbox `ToXML.java`: `e[]`, `su`, `mp[]` with
 * `part, ct, s, cd, filename, body, content`). Pure: no DOM.
 *
 * The raw RFC 822 message of `msg.id` is at `/service/content/get?id=<msg.id>` (same origin, cookie).
 */
import { AjxEmailAddress, AjxVector, type AddressType } from './ajx.ts';

export interface MimePartJson {
  part?: string;
  ct?: string;
  s?: number;
  cd?: string;
  filename?: string;
  ci?: string;
  cl?: string;
  body?: boolean;
  content?: string | { _content?: string };
  mp?: MimePartJson[];
}
export interface MsgJson {
  id: string;
  cid?: string;
  l?: string;
  f?: string;
  d?: number;
  s?: number;
  su?: string | { _content?: string };
  fr?: string;
  mid?: string;
  e?: Array<{ t: string; a?: string; p?: string; d?: string }>;
  mp?: MimePartJson[];
}

/** ZmMimePart-like view of one body part or attachment. */
export class ZmMimePart {
  readonly isZmMimePart = true;
  readonly part: string;
  readonly contentType: string;
  /** Same value under the JSON name, which older zimlets read (`att.ct`). */
  readonly ct: string;
  readonly size: number;
  readonly s: number;
  readonly fileName: string | undefined;
  readonly filename: string | undefined;
  readonly contentDisposition: string | undefined;
  readonly contentId: string | undefined;
  readonly contentLocation: string | undefined;
  readonly isBody: boolean;
  private readonly content: string;
  constructor(json: MimePartJson) {
    this.part = json.part ?? '';
    this.contentType = this.ct = (json.ct ?? 'application/octet-stream').toLowerCase();
    this.size = this.s = Number(json.s ?? 0);
    this.fileName = this.filename = json.filename;
    this.contentDisposition = json.cd;
    // ZmMimePart._loadProps (ZmMimePart.js:265): a content id without angle brackets gets them.
    this.contentId = json.ci && !json.ci.startsWith('<') ? `<${json.ci}>` : json.ci;
    this.contentLocation = json.cl;
    this.isBody = !!json.body;
    this.content = typeof json.content === 'string' ? json.content : (json.content?._content ?? '');
  }
  getContent(): string {
    return this.content;
  }
  getContentType(): string {
    return this.contentType;
  }
  getFilename(): string | undefined {
    return this.fileName;
  }
}

function subjectOf(su: MsgJson['su']): string {
  return typeof su === 'string' ? su : (su?._content ?? '');
}

/** Depth-first walk of the `mp` tree. */
function walk(parts: MimePartJson[] | undefined, visit: (p: MimePartJson) => void): void {
  for (const p of parts ?? []) {
    visit(p);
    walk(p.mp, visit);
  }
}

const RENDERABLE_IMAGE = /^image\/(gif|jpe?g|png|bmp|webp)$/;

/**
 * ZmMimePart._loadFromDom (ZmMimePart.js:189-246): a part is an attachment when it is
 * `cd=attachment`, message/rfc822, text/calendar, or has a filename, a content id or a content
 * location, unless it is ignored (isIgnoredPart, :165-185: a text body with content, multipart/digest,
 * application/applefile inside multipart/appledouble); a body part with
 * content (or a renderable image) is a body part, not an attachment; a body part without content
 * and of non-zero size is an attachment. The parts inside a message/rfc822 are not walked.
 */
function loadParts(parts: MimePartJson[] | undefined, attachments: ZmMimePart[], bodyParts: ZmMimePart[], parentCt = ''): void {
  for (const p of parts ?? []) {
    const part = new ZmMimePart(p);
    const ct = part.contentType;
    const hasContent = p.content !== undefined && p.content !== null;
    const ignored =
      (parentCt === 'multipart/appledouble' && ct === 'application/applefile') ||
      (part.isBody && hasContent && (ct === 'text/html' || ct === 'text/plain') && !!part.getContent()) ||
      ct === 'multipart/digest';
    let isAtt = false;
    if ((part.contentDisposition ?? '').toLowerCase() === 'attachment' || ct === 'message/rfc822' || ct === 'text/calendar' || part.fileName || part.contentId || part.contentLocation) {
      if (!ignored) {
        attachments.push(part);
        isAtt = true;
      }
    }
    if (part.isBody) {
      if (RENDERABLE_IMAGE.test(ct) || hasContent) {
        if (!ct.startsWith('multipart/')) bodyParts.push(part);
        if (isAtt) attachments.pop();
      } else if (!isAtt && part.size !== 0 && !ignored) attachments.push(part);
    }
    if (p.mp && ct !== 'message/rfc822') loadParts(p.mp, attachments, bodyParts, ct);
  }
}

export class ZmMailMsg {
  readonly id: string;
  readonly cid: string | undefined;
  readonly folderId: string | undefined;
  readonly subject: string;
  readonly date: number;
  readonly size: number;
  readonly fragment: string;
  readonly messageId: string | undefined;
  readonly isUnread: boolean;
  readonly isDraft: boolean;
  readonly isSent: boolean;
  /** ZmItem keeps this as a boolean field (flag `a`), not a method. */
  readonly hasAttach: boolean;
  /** Attachments (parts with a filename or `cd=attachment`), ZmMimePart-like, with `part` for download. */
  readonly attachments: ZmMimePart[];
  readonly _bodyParts: ZmMimePart[];
  readonly _addrs: Record<AddressType, AjxVector<InstanceType<typeof AjxEmailAddress>>>;
  readonly json: MsgJson;
  readonly isZmMailMsg = true;

  constructor(json: MsgJson) {
    this.json = json;
    this.id = String(json.id);
    this.cid = json.cid;
    this.folderId = json.l;
    this.subject = subjectOf(json.su);
    this.date = Number(json.d ?? 0);
    this.size = Number(json.s ?? 0);
    this.fragment = json.fr ?? '';
    this.messageId = json.mid;
    const flags = json.f ?? '';
    this.isUnread = flags.includes('u');
    this.isDraft = flags.includes('d');
    this.isSent = flags.includes('s');
    this._addrs = {} as ZmMailMsg['_addrs'];
    for (const type of ['FROM', 'TO', 'CC', 'BCC', 'REPLY_TO', 'SENDER', 'READ_RECEIPT', 'RESENT_FROM'] as AddressType[]) {
      this._addrs[type] = new AjxVector();
    }
    for (const e of json.e ?? []) {
      const type = AjxEmailAddress.fromSoapType[e.t];
      if (type && e.a) this._addrs[type].add(new AjxEmailAddress(e.a, type, e.p, e.d));
    }
    this.attachments = [];
    this._bodyParts = [];
    loadParts(json.mp, this.attachments, this._bodyParts);
    this.hasAttach = flags.includes('a') || this.attachments.length > 0;
  }

  getId(): string {
    return this.id;
  }
  /** First address of a type (`AjxEmailAddress.FROM`…), or undefined. */
  getAddress(type: AddressType): InstanceType<typeof AjxEmailAddress> | undefined {
    return this._addrs[type]?.get(0);
  }
  getAddresses(type: AddressType): AjxVector<InstanceType<typeof AjxEmailAddress>> {
    return this._addrs[type] ?? new AjxVector();
  }
  /** The body part of a content type (any body part when none is given), ZmMimePart-like. */
  getBodyPart(contentType?: string, callback?: { run(p?: unknown): unknown }): ZmMimePart | undefined {
    const ct = contentType?.toLowerCase();
    const part = this._bodyParts.find((p) => !ct || p.contentType === ct);
    if (callback) callback.run(part);
    return part;
  }
  getBodyParts(contentType?: string): ZmMimePart[] {
    const ct = contentType?.toLowerCase();
    return this._bodyParts.filter((p) => !ct || p.contentType === ct);
  }
  getBodyContent(contentType?: string): string {
    return this.getBodyPart(contentType)?.getContent() ?? '';
  }
  /** The text shown in the reading pane: text/plain, else text/html (sanitized by the view). */
  hasContentType(ct: string): boolean {
    let found = false;
    walk(this.json.mp, (p) => {
      if ((p.ct ?? '').toLowerCase() === ct.toLowerCase()) found = true;
    });
    return found;
  }
  /** ZmItem.getRestUrl (share/model/ZmItem.js:422): the REST URL of the whole message (raw RFC 822). */
  getRestUrl(): string {
    return `/service/home/~/?id=${encodeURIComponent(this.id)}`;
  }
  toString(): string {
    return 'ZmMailMsg';
  }
}

/**
 * The message being composed, as `onSendButtonClicked(controller, msg)` / `emailErrorCheck(msg, arr)`
 * see it (ZmComposeView.getMsg builds a ZmMailMsg from the form): addresses, subject, body, uploaded
 * attachment ids.
 */
export class ZmComposedMsg {
  readonly isZmMailMsg = true;
  id: string | undefined;
  subject: string;
  readonly _addrs: Record<AddressType, AjxVector<InstanceType<typeof AjxEmailAddress>>>;
  readonly attachmentIds: string[];
  private readonly body: string;
  /** The message replied to / forwarded (ZmComposeView.getMsg :888-906 sets origId, irtMessageId). */
  readonly origId: string | undefined;
  readonly irtMessageId: string | undefined;
  /** "r" replied, "w" forwarded (SendMsgRequest `rt`, zm-mailbox MailConstants.A_REPLY_TYPE). */
  readonly replyType: 'r' | 'w' | undefined;
  /** Parts of the original a forward carries (attach.mp). */
  readonly forwardParts: Array<{ mid: string; part: string }>;
  constructor(fields: {
    to: string;
    cc: string;
    bcc: string;
    subject: string;
    body: string;
    attachmentIds: string[];
    draftId?: string;
    origId?: string;
    irtMessageId?: string;
    replyType?: 'r' | 'w';
    forwardParts?: Array<{ mid: string; part: string }>;
  }) {
    this.id = fields.draftId;
    this.origId = fields.origId;
    this.irtMessageId = fields.irtMessageId;
    this.replyType = fields.replyType;
    this.forwardParts = [...(fields.forwardParts ?? [])];
    this.subject = fields.subject;
    this.body = fields.body;
    this.attachmentIds = [...fields.attachmentIds];
    this._addrs = {} as ZmComposedMsg['_addrs'];
    for (const type of ['FROM', 'TO', 'CC', 'BCC', 'REPLY_TO', 'SENDER', 'READ_RECEIPT', 'RESENT_FROM'] as AddressType[]) {
      this._addrs[type] = new AjxVector();
    }
    for (const [type, str] of [['TO', fields.to], ['CC', fields.cc], ['BCC', fields.bcc]] as const) {
      for (const a of AjxEmailAddress.parseEmailString(str, type).good.getArray()) this._addrs[type].add(a);
    }
  }
  getAddress(type: AddressType) {
    return this._addrs[type]?.get(0);
  }
  getAddresses(type: AddressType) {
    return this._addrs[type] ?? new AjxVector();
  }
  getBodyPart(contentType?: string): ZmMimePart | undefined {
    if (contentType && contentType.toLowerCase() !== 'text/plain') return undefined;
    return new ZmMimePart({ ct: 'text/plain', body: true, content: this.body });
  }
  getBodyContent(): string {
    return this.body;
  }
  get hasAttach(): boolean {
    return this.attachmentIds.length > 0 || this.forwardParts.length > 0;
  }
  toString(): string {
    return 'ZmMailMsg';
  }
}
