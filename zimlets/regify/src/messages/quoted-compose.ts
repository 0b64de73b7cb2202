/**
 * Reply, reply all and forward of a message decrypted in this page (issue 12): the compose quotes the
 * DECRYPTED text (Zimbra quoted the cover mail, the only body it knows), "Envoyer avec Regify" is the
 * way out, and the decrypted text never reaches Zimbra in clear.
 *
 * How, and the Zimbra facts it rests on (zm-web-client WebRoot/js/zimbraMail/mail/):
 * - Zimbra fills the reply's body from the original (ZmComposeView._setBody, view/ZmComposeView.js:2062)
 *   before `initializeToolbar` fires (controller/ZmComposeController.js:1138, from _setView); the
 *   original is `controller._msg` (getMsg, :2399-2402), the action `controller._action` (:1104). The
 *   body is read and written through the editor (ZmComposeView.getHtmlEditor :307, ZmHtmlEditor
 *   getContent/setContent :248, :341); `_setFormValue` (ZmComposeView.js:4215) makes the filled form the
 *   clean state, so leaving an untouched reply asks nothing, as for a plain reply.
 * - Drafts are suspended for that compose with Zimbra's own switch, `_canSaveDraft()` (:2355-2358,
 *   false for invite replies): it is checked by _initAutoSave (:1331, no autosave timer), saveDraft
 *   (:2003: "Enregistrer" :1989, detach :302, a timed send :1183, uploads :2513) and the pop shield
 *   (:385, :2156: leaving asks "abandon?" instead of "save?"). An own `_canSaveDraft` on the controller
 *   answers false; the timer already armed is killed (as Zimbra's own send does, :561-569);
 *   "Enregistrer", "Envoyer plus tard" and "Détacher" are disabled, and the user is told once why.
 *   Sealing the draft instead was the other choice: it would give a draft the user cannot open in
 *   Zimbra (nor edit), and a draft-shaped key record to expire; refusing is simpler and says so.
 *   Known limit on a real Zimbra: there, attaching a file saves a draft (:2513), which is refused too,
 *   so files cannot be added to such a reply (the sandbox uploads without a draft, as Zimbra 8.0 did).
 * - The plain "Envoyer" is asked about every time (default-send.ts): the user is told the quoted text
 *   would leave in clear; choosing it lifts the guard (the user decided), so Zimbra's send (and the
 *   security zimlet's signed send, which saves a draft) works as usual.
 * - The controller is reused for the next compose (core/ZmApp.js:717-737): each `initializeToolbar`
 *   ends the previous guard first (restores Zimbra's own _canSaveDraft).
 */
import { decryptedMessage, type DecryptedMessage } from '../../../../shared/host/decrypted-documents.ts';
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { isMailMsg, type AttachmentPartLike, type ZmMailMsgLike } from './zimbra-objects.ts';

/** Toolbar operations that would save the compose as a draft (ZmOperation ids). */
export const DRAFT_OPS = ['SAVE_DRAFT', 'SEND_LATER', 'DETACH_COMPOSE'] as const;

export interface QuotedCompose {
  /** The decrypted original, as the reader published it. */
  readonly original: DecryptedMessage;
  readonly forward: boolean;
  /** Message-ID of the cover mail answered, for In-Reply-To of the inner message. */
  readonly inReplyTo: string | undefined;
  /** The user chose the plain send after being told: drafts are Zimbra's again. */
  lifted: boolean;
}

interface EditorLike {
  getContent(): string;
  setContent(text: string): void;
}
interface ToolbarLike {
  getButton?(id: string): { setEnabled?(on: boolean): void } | null | undefined;
}
export interface QuotableController {
  _msg?: unknown;
  _action?: string;
  _composeView: { getHtmlEditor?(): EditorLike | null | undefined; _setFormValue?(): void };
  _autoSaveTimer?: { kill?(): void } | null;
  _toolbar?: ToolbarLike;
  _canSaveDraft?: () => boolean;
}

const STATE = Symbol.for('lu.esante.regify.quoted-compose');
type Holder = { [STATE]?: { quoted: QuotedCompose; own: PropertyDescriptor | undefined } };

export function quotedComposeOf(controller: unknown): QuotedCompose | undefined {
  return controller && typeof controller === 'object' ? (controller as Holder)[STATE]?.quoted : undefined;
}

/** Zimbra's _canSaveDraft back on the controller (whatever it had before, own or inherited). */
function restoreCanSaveDraft(controller: QuotableController): void {
  const state = (controller as Holder)[STATE];
  if (!state) return;
  if (state.own) Object.defineProperty(controller, '_canSaveDraft', state.own);
  else delete controller._canSaveDraft;
}

/** The compose is over or starts anew: nothing of the previous guard stays. */
export function endQuotedCompose(controller: QuotableController): void {
  restoreCanSaveDraft(controller);
  delete (controller as Holder)[STATE];
}

/** The user chose the plain send knowingly: Zimbra may save drafts again for this compose. */
export function liftQuotedCompose(controller: QuotableController): void {
  const state = (controller as Holder)[STATE];
  if (!state || state.quoted.lifted) return;
  restoreCanSaveDraft(controller);
  state.quoted.lifted = true;
  setDraftOps(controller._toolbar, true);
}

/** Compose toolbar → its (reused) controller, for `resetToolbarOperations(toolbar)`, which names only the toolbar. */
const controllers = new WeakMap<object, QuotableController>();

/**
 * ZmComposeController.resetToolbarOperations (:2340-2347) enables every operation, then tells zimlets
 * (`resetToolbarOperations(toolbar, 1)`): the draft operations go off again for a guarded compose.
 */
export function onResetToolbar(toolbar: unknown): void {
  const controller = toolbar && typeof toolbar === 'object' ? controllers.get(toolbar) : undefined;
  const quoted = quotedComposeOf(controller);
  if (controller && quoted && !quoted.lifted) setDraftOps(controller._toolbar, false);
}

/** Disables (or enables) the operations that save a draft, when the toolbar has them. */
export function setDraftOps(toolbar: ToolbarLike | undefined, on: boolean): void {
  for (const id of DRAFT_OPS) toolbar?.getButton?.(id)?.setEnabled?.(on);
}

const lf = (s: string) => s.replace(/\r\n?/g, '\n');

/**
 * The compose body with the quoted cover text replaced by the decrypted text: where Zimbra put the cover
 * text as is (includeBody), or line-prefixed ("includeBodyWithPrefix", zimbraPrefForwardReplyPrefixChar);
 * when neither is found (the user already edited it), the decrypted text is added at the end under the
 * same prefix-free divider Zimbra would have written above it.
 */
export function replaceQuotedText(body: string, cover: string, decrypted: string, prefix = '>'): string {
  const b = lf(body);
  const c = lf(cover).trim();
  const d = lf(decrypted).trim();
  if (c && b.includes(c)) return b.replace(c, () => d).replace(/\n/g, '\r\n');
  const quote = (s: string) => s.split('\n').map((l) => `${prefix} ${l}`).join('\n');
  const pc = c ? quote(c) : '';
  if (pc && b.includes(pc)) return b.replace(pc, () => quote(d)).replace(/\n/g, '\r\n');
  return `${b.replace(/\s*$/, '')}\n\n${d}\n`.replace(/\n/g, '\r\n');
}

/** The cover mail's text as Zimbra quoted it (ZmMailMsg.getBodyPart('text/plain').getContent()). */
function coverText(msg: unknown): string {
  const part = (msg as { getBodyPart?(ct?: string): { getContent?(): string } | null | undefined }).getBodyPart?.('text/plain');
  return part?.getContent?.() ?? '';
}

/**
 * `initializeToolbar` of a compose: when it answers a message decrypted in this page, quotes the
 * decrypted text and suspends drafts; answers the state (undefined for any other compose).
 */
export function beginQuotedCompose(
  host: ZimletHost,
  controller: QuotableController,
  findContainer: (msg: ZmMailMsgLike) => AttachmentPartLike | undefined,
): QuotedCompose | undefined {
  endQuotedCompose(controller);
  if (controller._toolbar && typeof controller._toolbar === 'object') controllers.set(controller._toolbar, controller);
  const msg = controller._msg;
  if (!isMailMsg(msg) || !findContainer(msg)) return undefined;
  const original = decryptedMessage(msg.id);
  const editor = controller._composeView.getHtmlEditor?.();
  if (!original || !editor) return undefined;
  const action = String(controller._action ?? '');
  const quoted: QuotedCompose = {
    original,
    forward: action.startsWith('FORWARD'),
    inReplyTo: (msg as { messageId?: string }).messageId,
    lifted: false,
  };
  (controller as Holder)[STATE] = { quoted, own: Object.getOwnPropertyDescriptor(controller, '_canSaveDraft') };
  controller._canSaveDraft = () => false;
  controller._autoSaveTimer?.kill?.();
  editor.setContent(replaceQuotedText(editor.getContent(), coverText(msg), original.text));
  controller._composeView._setFormValue?.();
  setDraftOps(controller._toolbar, false);
  host.notify(host.msg('reply_no_draft'));
  return quoted;
}
