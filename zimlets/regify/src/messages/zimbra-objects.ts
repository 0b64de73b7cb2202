/**
 * The shapes of the Zimbra objects the message hooks receive (typed after zm-web-client; the sandbox
 * emulates exactly these, sandbox/web/README.md). They arrive as `unknown` from the handler and are
 * checked by duck typing before use: a Zimbra version without a member makes the feature step aside
 * instead of throwing inside Zimbra's own code.
 */

/** zm-web-client WebRoot/js/dwt/widgets/DwtButton.js. */
export interface DwtButtonLike {
  addSelectionListener(listener: unknown): void;
  setEnabled?(enabled: boolean): void;
}

/** zm-web-client WebRoot/js/zimbraMail/share/view/ZmButtonToolBar.js. */
export interface ZmButtonToolBarLike {
  createOp(id: string, params: { text: string; tooltip?: string; image?: string; index?: number }): DwtButtonLike;
  getButton(id: string): DwtButtonLike | null | undefined;
  getButtons?(): unknown[];
}

/** zm-web-client WebRoot/js/ajax/util/AjxVector.js. */
export interface AjxVectorLike<T> {
  getArray(): T[];
}
/** zm-web-client WebRoot/js/ajax/util/AjxEmailAddress.js. */
export interface AjxEmailAddressLike {
  address: string;
  name?: string;
}

/** The message a compose view describes (ZmComposeView.getMsg builds a ZmMailMsg). */
export interface ComposedMsgLike {
  /** Set once saved as a draft (ZmComposeController._processSendMsg). */
  id?: string;
  subject?: string;
  getAddresses(type: string): AjxVectorLike<AjxEmailAddressLike>;
  getBodyContent?(): string;
  /** Upload ids of the attachments added in the compose view, "a,b" (ZmMailMsg.addAttachmentId, ZmMailMsg.js:521-527). */
  attId?: string;
  /** The sandbox's form of the same (an array); not in Zimbra. */
  attachmentIds?: string[];
}

/** zm-web-client WebRoot/js/zimbraMail/mail/view/ZmComposeView.js. */
export interface ZmComposeViewLike {
  /** ZmComposeView.getMsg(attId, isDraft, …) (ZmComposeView.js:541): undefined when it refused. */
  getMsg(attId?: unknown, isDraft?: boolean): ComposedMsgLike | null | undefined;
  getComposeMode?(): string;
  getUserText?(): string;
}

/** zm-web-client WebRoot/js/zimbraMail/mail/controller/ZmComposeController.js. */
export interface ZmComposeControllerLike {
  _composeView: ZmComposeViewLike;
  _toolbar?: { enableAll?(on: boolean): void };
  /** Leaves compose without sending (the default "Annuler"). */
  _cancelCompose(): void;
  /** Set before a forced pop so leaving does not autosave a draft (ZmComposeController.js:409-419, 677). */
  _dontSavePreHide?: boolean;
  /** ZmMailApp: `popView(force, viewId)` (ZmApp.js:393-396). */
  _app?: { popView(force?: boolean, viewId?: string, skipHistory?: boolean): unknown };
  getCurrentViewId?(): string;
  /** The saved draft (ZmComposeController.js:1729; getDraftMsg :2404). */
  _draftMsg?: { id?: string | number | null } | null;
  /** "none" | "manual" | "auto" | "delaysend" (ZmComposeController.js:61, :81-89). */
  _draftType?: string;
  /** DwtIdleTimer of the autosave (ZmComposeController.js:60, :1329-1339); `kill()` stops it (:561-569). */
  _autoSaveTimer?: { kill?(): void } | null;
}

/** One part of ZmMailMsg.attachments (GetMsgResponse `mp` JSON, zm-mailbox ToXML.java). */
export interface AttachmentPartLike {
  part?: string;
  ct?: string;
  contentType?: string;
  filename?: string;
  fileName?: string;
  s?: number;
  size?: number;
}

/** zm-web-client WebRoot/js/zimbraMail/mail/model/ZmMailMsg.js. */
export interface ZmMailMsgLike {
  id: string;
  attachments?: AttachmentPartLike[];
}

/** zm-web-client WebRoot/js/zimbraMail/mail/view/ZmMailMsgView.js. */
export interface ZmMailMsgViewLike {
  getHtmlElement(): HTMLElement;
  /** Id of the element holding the body (the cover text for a secure message). */
  _msgBodyDivId?: string;
}

export function isComposeController(c: unknown): c is ZmComposeControllerLike {
  const o = c as Partial<ZmComposeControllerLike> | null;
  return !!o && typeof o === 'object' && !!o._composeView && typeof o._composeView.getMsg === 'function' && typeof o._cancelCompose === 'function';
}

export function isToolbar(t: unknown): t is ZmButtonToolBarLike {
  const o = t as Partial<ZmButtonToolBarLike> | null;
  return !!o && typeof o === 'object' && typeof o.createOp === 'function' && typeof o.getButton === 'function';
}

export function isMailMsg(m: unknown): m is ZmMailMsgLike {
  const o = m as Partial<ZmMailMsgLike> | null;
  return !!o && typeof o === 'object' && (typeof o.id === 'string' || typeof o.id === 'number');
}

export function isMsgView(v: unknown): v is ZmMailMsgViewLike {
  const o = v as Partial<ZmMailMsgViewLike> | null;
  return !!o && typeof o === 'object' && typeof o.getHtmlElement === 'function';
}
