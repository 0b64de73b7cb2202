/**
 * The encrypted-message side of the regify zimlet (guide p.9, 11–13): the compose button
 * "Envoyer avec Regify" and the opening of received containers with their banners.
 */
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';

export interface MessageHooksDeps {
  host: ZimletHost;
  /** From the account side: resolves true once the user has an encryption account. */
  ensureAccount(): Promise<boolean>;
}

/** zm-web-client ZmZimletBase.initializeToolbar, for compose views only (viewId contains "COMPOSE"). */
export function onComposeToolbar(_deps: MessageHooksDeps, _app: unknown, _toolbar: unknown, _controller: unknown, _viewId: string): void {}

/** zm-web-client ZmZimletBase.onMsgView: a message was opened in the reading pane. */
export function onMessageView(_deps: MessageHooksDeps, _msg: unknown, _oldMsg: unknown, _msgView: unknown): void {}
