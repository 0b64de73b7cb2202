/**
 * How two zimlets coordinate on one compose view without importing each other (each ships alone):
 * through a documented property on Zimbra's compose controller object, which both receive in
 * initializeToolbar(app, toolbar, controller, viewId). The security zimlet sets "sign requested" when the
 * user picks "Signer numériquement ce message"; whichever zimlet sends the message reads it: a
 * plain send is signed (SignMessage), an encrypted send with Regify is signed first, then encrypted.
 */
const SIGN_REQUESTED = '__esanteSignRequested';

type Bag = Record<string, unknown>;

export function setSignRequested(controller: unknown, on: boolean): void {
  if (controller && typeof controller === 'object') (controller as Bag)[SIGN_REQUESTED] = on;
}

export function isSignRequested(controller: unknown): boolean {
  return !!controller && typeof controller === 'object' && (controller as Bag)[SIGN_REQUESTED] === true;
}
