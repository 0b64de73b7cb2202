/**
 * The safe default send (issue 10, defect 6): which of "Envoyer" and "Envoyer avec Regify" is the
 * highlighted default, the padlock that Zimbra would otherwise drop, and the one question
 * "Envoyer sans chiffrement ?" before a plain Send to a recipient of the eSanté directory.
 *
 * Zimbra facts this follows (zm-web-client, WebRoot/js/zimbraMail/):
 * - ZmButtonToolBar.createOp (share/view/ZmButtonToolBar.js:174-178): with a text, the image is shown
 *   only when `showImageInToolbar` is set, and then the text only with `showTextInToolbar` too.
 * - ZmComposeController._sendListener (mail/controller/ZmComposeController.js:1781-1786): a zimlet's
 *   `onSendButtonClicked(ctrl, msg)` answering true suppresses Zimbra's send; running `_sendListener()`
 *   again later goes through every zimlet's hook once more (the security zimlet's signing included),
 *   which `_send()` would skip.
 * - initializeToolbar fires on every compose, the controller being reused (:1138, core/ZmApp.js:717-737):
 *   the "already asked" answer is reset there, so it holds for one compose only.
 * - ZmZimletBase.getConfig (site setting of config_template.xml) and get/setUserProperty (the user's
 *   choice, saved with ModifyPropertiesRequest, share/model/ZmZimletBase.js).
 *
 * Keys used: compose_default_question_title, compose_default_question_text, compose_default_question_encrypt,
 * compose_default_question_plain, compose_default_question_dont_ask.
 */
import { PLAIN_SEND_HELD, isSignRequested } from '../../../../shared/host/compose-flags.ts';
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { recipientsOf } from './compose-rules.ts';
import { liftQuotedCompose, quotedComposeOf } from './quoted-compose.ts';
import type { ZmComposeControllerLike } from './zimbra-objects.ts';

/** config_template.xml `defaultSend`: which send is the highlighted default. Anything else = encrypted. */
export type DefaultSend = 'encrypted' | 'plain';
/** User property (ZmZimletBase.setUserProperty) holding "off" once the user turned the question off. */
export const PLAIN_SEND_QUESTION_PROP = 'plainSendQuestion';
/** Id of the question dialog: buttons `#<id>_buttonENCRYPT`, `#<id>_buttonPLAIN`, `#<id>_button1` (Annuler). */
export const PLAIN_SEND_DIALOG_ID = 'esante-regify-plain-send-dialog';
/** Class on our button when it is the default, and on Zimbra's Send when it is not (lu_esante_regify.css). */
export const DEFAULT_CLASS = 'lu_esante_regify-default-send';
export const DEMOTED_CLASS = 'lu_esante_regify-plain-send';
const ENCRYPT_BUTTON = 'ENCRYPT';
const PLAIN_BUTTON = 'PLAIN';

export function defaultSendOf(config: string | undefined): DefaultSend {
  // Only an explicit "plain" gives the old order: a typo must not make the unsafe path the easy one.
  return (config ?? '').trim().toLowerCase() === 'plain' ? 'plain' : 'encrypted';
}

/**
 * The eSanté directory's mail domains (config `directoryDomains`, comma separated; default esante.lu:
 * every directory entry's address is prenom.nom@esante.lu, guide p.3, shared/provisioning/address.ts).
 */
export function directoryDomainsOf(config: string | undefined): string[] {
  const list = (config ?? 'esante.lu')
    .split(',')
    .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
    .filter((d) => d.length > 0);
  return list.length > 0 ? list : ['esante.lu'];
}

/** The recipients whose address is in one of the directory's domains (case-insensitive, exact domain). */
export function directoryRecipients(addresses: readonly string[], domains: readonly string[]): string[] {
  return addresses.filter((a) => {
    const at = a.lastIndexOf('@');
    return at > 0 && domains.includes(a.slice(at + 1).trim().toLowerCase());
  });
}

/** createOp parameters of "Envoyer avec Regify": padlock AND text shown; first when it is the default. */
export function sendButtonParams(mode: DefaultSend, text: string, tooltip: string, image: string) {
  return { text, tooltip, image, showImageInToolbar: true, showTextInToolbar: true, index: mode === 'encrypted' ? 0 : 1 };
}

interface ButtonLike {
  getHtmlElement?(): HTMLElement;
}
interface ToolbarLike {
  getButton(id: string): unknown;
}

/** Marks which send is the default: our button highlighted, Zimbra's Send (or its send menu) plain. */
export function markDefaultSend(mode: DefaultSend, toolbar: ToolbarLike, ours: unknown): void {
  const el = (b: unknown) => (b && typeof (b as ButtonLike).getHtmlElement === 'function' ? (b as ButtonLike).getHtmlElement!() : null);
  const encrypted = mode === 'encrypted';
  el(ours)?.classList.toggle(DEFAULT_CLASS, encrypted);
  // ZmOperation.SEND / SEND_MENU ids are "SEND" / "SEND_MENU" (ZmComposeController.js:1258-1262).
  for (const id of ['SEND', 'SEND_MENU']) el(toolbar.getButton(id))?.classList.toggle(DEMOTED_CLASS, encrypted);
}

/** What the plain-send hook needs from the zimlet; built by the handler over ZmZimletBase. */
export interface DefaultSendDeps {
  host: ZimletHost;
  addressTypes: { to: string; cc: string; bcc: string };
  /** The user's answer to "ask before a plain send" (true unless turned off). */
  questionOn(): boolean;
  /** Turns the question off for good (saved as a user property). */
  turnQuestionOff(): void;
  /** Shows the question; resolves with the choice. Replaceable in tests. */
  ask?(host: ZimletHost, recipients: string[], quoted?: boolean): Promise<PlainSendAnswer>;
}
export interface PlainSendAnswer {
  choice: 'plain' | 'encrypted' | 'cancel';
  dontAskAgain: boolean;
}

export { PLAIN_SEND_HELD };

/** Per compose: the user already answered "send in clear" (reset by `newCompose`). */
const answered = new WeakMap<object, boolean>();
/** Per (reused) compose controller: what a click on "Envoyer avec Regify" runs (index.ts). */
const encryptedSends = new WeakMap<object, () => void>();

export function registerEncryptedSend(controller: object, run: () => void): void {
  encryptedSends.set(controller, run);
}

/** initializeToolbar of a compose: a new message, so the question may be asked again. */
export function newCompose(controller: object): void {
  answered.delete(controller);
  (controller as Record<string, unknown>)[PLAIN_SEND_HELD] = false;
}

/**
 * `onSendButtonClicked(controller, msg)` for the PLAIN "Envoyer": true (Zimbra's send suppressed) while
 * the question is open; the answer then runs the chosen send. Never throws into Zimbra: any unexpected
 * shape lets Zimbra's send go on, as before this feature.
 */
export function onPlainSend(deps: DefaultSendDeps, controller: ZmComposeControllerLike): boolean {
  try {
    const bag = controller as unknown as Record<string, unknown>;
    if (bag[PLAIN_SEND_HELD] === true) return true; // a second click while the question is open
    // A reply or forward quoting a message decrypted in this page (quoted-compose.ts) is always asked
    // about, whoever the recipients, and whatever "don't ask again" said: its quoted text would leave in clear.
    const quoted = quotedComposeOf(controller);
    const mustAsk = !!quoted && !quoted.lifted;
    if (!mustAsk && (answered.get(controller) || !deps.questionOn())) return false;
    // The security zimlet honours PLAIN_SEND_HELD (its signed send waits for the answer) since the quoted
    // reply; a send marked "Signer" is still not asked about for the directory question alone.
    if (!mustAsk && isSignRequested(controller)) return false;
    const msg = controller._composeView.getMsg(undefined, true);
    if (!msg) return false;
    const r = recipientsOf(msg, deps.addressTypes);
    const inDirectory = directoryRecipients([...r.to, ...r.cc, ...r.bcc], directoryDomainsOf(deps.host.config('directoryDomains')));
    if (!mustAsk && inDirectory.length === 0) return false;
    bag[PLAIN_SEND_HELD] = true;
    void (deps.ask ?? askPlainSend)(deps.host, mustAsk ? [...r.to, ...r.cc, ...r.bcc] : inDirectory, mustAsk).then((answer) => {
      bag[PLAIN_SEND_HELD] = false;
      if (answer.dontAskAgain && answer.choice !== 'cancel' && !mustAsk) deps.turnQuestionOff();
      if (answer.choice === 'encrypted') encryptedSends.get(controller)?.();
      else if (answer.choice === 'plain') {
        // The user was told and chose: Zimbra may save drafts again (a signed send saves one first).
        if (mustAsk) liftQuotedCompose(controller as never);
        answered.set(controller, true);
        // Through every zimlet's onSendButtonClicked again (signing), not _send() (ZmComposeController.js:1781-1786).
        const resend = (controller as { _sendListener?: () => void })._sendListener;
        if (typeof resend === 'function') resend.call(controller);
      }
    }, () => {
      // The question could not be shown (a Zimbra without these widgets): step aside, the next click sends.
      bag[PLAIN_SEND_HELD] = false;
      answered.set(controller, true);
    });
    return true;
  } catch {
    return false;
  }
}

interface DialogLike {
  popup(loc?: unknown, focusButtonId?: number | string): void;
  popdown(): void;
  dispose?(): void;
  registerCallback(id: number | string, fn: () => void): void;
  getHtmlElement(): HTMLElement;
}
interface DialogGlobals {
  ZmDialog: new (p: object) => DialogLike;
  DwtDialog: { CANCEL_BUTTON: number };
  DwtDialog_ButtonDescriptor: new (id: string, label: string, align?: unknown, callback?: unknown) => object;
  DwtComposite: new (parent: unknown) => { getHtmlElement(): HTMLElement };
  appCtxt: { getShell(): unknown };
}

/**
 * The question, in a ZmDialog (share/view/dialog/ZmDialog.js) with an extra button
 * (DwtDialog_ButtonDescriptor, zm-ajax DwtDialog.js): "Envoyer avec Regify" (focused), "Envoyer sans
 * chiffrement", "Annuler" (Cancel; Escape runs it too, DwtDialog.handleKeyAction). Built per question
 * and disposed after the answer: the recipients it names do not stay in the page.
 */
export function askPlainSend(host: ZimletHost, recipients: string[], quoted = false): Promise<PlainSendAnswer> {
  const g = globalThis as unknown as DialogGlobals;
  return new Promise((resolve) => {
    const view = new g.DwtComposite(g.appCtxt.getShell());
    const body = view.getHtmlElement();
    const text = document.createElement('p');
    text.id = `${PLAIN_SEND_DIALOG_ID}-text`;
    text.textContent = quoted ? host.msg('reply_plain_question_text') : host.msg('compose_default_question_text', recipients.join(', '));
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.id = `${PLAIN_SEND_DIALOG_ID}-dont-ask`;
    label.append(box, ' ', host.msg('compose_default_question_dont_ask'));
    // The quoted reply is asked about every time: no "don't ask again" for it.
    body.append(text, ...(quoted ? [] : [label]));
    let settled = false;
    const dialog = new g.ZmDialog({
      parent: g.appCtxt.getShell(),
      title: host.msg('compose_default_question_title'),
      view,
      id: PLAIN_SEND_DIALOG_ID,
      standardButtons: [g.DwtDialog.CANCEL_BUTTON],
      extraButtons: [
        new g.DwtDialog_ButtonDescriptor(ENCRYPT_BUTTON, host.msg('compose_default_question_encrypt')),
        new g.DwtDialog_ButtonDescriptor(PLAIN_BUTTON, host.msg('compose_default_question_plain')),
      ],
    });
    dialog.getHtmlElement().setAttribute('aria-describedby', text.id);
    const answer = (choice: PlainSendAnswer['choice']) => () => {
      if (settled) return;
      settled = true;
      dialog.popdown();
      dialog.dispose?.();
      resolve({ choice, dontAskAgain: box.checked });
    };
    dialog.registerCallback(PLAIN_BUTTON, answer('plain'));
    dialog.registerCallback(g.DwtDialog.CANCEL_BUTTON, answer('cancel'));
    dialog.registerCallback(ENCRYPT_BUTTON, answer('encrypted'));
    dialog.popup(undefined, ENCRYPT_BUTTON);
  });
}
