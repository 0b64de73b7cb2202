/**
 * How two zimlets coordinate on one compose without importing each other (each ships alone): the
 * security zimlet sets "sign requested" when the user picks "Signer numériquement ce message";
 * whichever zimlet sends the message reads it: a plain send is signed (SignMessage), an encrypted
 * send with Regify is signed first, then encrypted.
 *
 * The state belongs to ONE compose session, not to the controller object: Zimbra reuses an inactive
 * compose controller and its toolbar for the next compose (zm-web-client core/ZmApp.js:717-737
 * getSessionController; ZmComposeView.js:4274-4277 deactivate sets `inactive`; the toolbar is built
 * once, ZmComposeController.js:1252-1255) and fires `initializeToolbar` again on every compose
 * (ZmComposeController.js:1138, from _setView, itself from doAction :220-283). So the security zimlet
 * starts a new session in each compose's `initializeToolbar` (beginComposeSession), which drops what the
 * previous mail asked for, and ends it once its own send succeeded (endComposeSession).
 *
 * The session lives on the controller under a `Symbol.for` key: the two zimlets are separate bundles
 * (each has its own copy of this module), and the global symbol registry is what they share.
 */
const SESSION = Symbol.for('lu.esante.compose-session');

interface ComposeSession {
  signRequested: boolean;
}

type Holder = { [SESSION]?: ComposeSession };

function holder(controller: unknown): Holder | undefined {
  return controller && typeof controller === 'object' ? (controller as Holder) : undefined;
}

/** A new compose on this (possibly reused) controller: nothing is requested yet. */
export function beginComposeSession(controller: unknown): void {
  const h = holder(controller);
  if (h) h[SESSION] = { signRequested: false };
}

/** The compose is over (sent): a later compose on the same controller starts clean even before initializeToolbar. */
export function endComposeSession(controller: unknown): void {
  const h = holder(controller);
  if (h) delete h[SESSION];
}

export function setSignRequested(controller: unknown, on: boolean): void {
  const h = holder(controller);
  if (!h) return;
  (h[SESSION] ??= { signRequested: false }).signRequested = on;
}

export function isSignRequested(controller: unknown): boolean {
  return holder(controller)?.[SESSION]?.signRequested === true;
}

/**
 * Set on the controller (this plain property name, shared by the separately built zimlets) while the
 * regify zimlet asks "Envoyer sans chiffrement ?": Zimbra runs EVERY zimlet's onSendButtonClicked
 * (ZmZimletMgr.js:414-429), so the security zimlet (after it by name) does not start its signed send
 * meanwhile; the answer "plain" runs `_sendListener` again, and then the signed send goes.
 */
export const PLAIN_SEND_HELD = '__esantePlainSendHeld';

export function isPlainSendHeld(controller: unknown): boolean {
  return !!controller && typeof controller === 'object' && (controller as Record<string, unknown>)[PLAIN_SEND_HELD] === true;
}
