/**
 * The ZimletHost port (shared/host/zimlet-host.ts) implemented over Zimbra's classic web client:
 * ZmZimletBase for the zimlet's own properties, config and messages, `appCtxt` for SOAP, compose and
 * settings. This file and the handlers are the only code touching Zimbra globals (zimlets/README.md
 * lists them; zimlets/types/zimbra.d.ts types them after zm-web-client).
 */
import type { ComposeRequest, RecipientField, ZimletHost } from '../../shared/host/zimlet-host.ts';
import { format, pickLang, type Lang } from '../../shared/i18n/lang.ts';

/** A Zimbra SOAP failure seen through the host: `code` is Zimbra's (e.g. `mail.NO_SUCH_FOLDER`). */
export class ZimbraSoapError extends Error {
  override name = 'ZimbraSoapError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const ADDRESS_TYPE: Record<RecipientField, () => string> = {
  to: () => AjxEmailAddress.TO,
  cc: () => AjxEmailAddress.CC,
  bcc: () => AjxEmailAddress.BCC,
};

/** Zimbra's compose fields take one string of addresses separated by "; " (ZmComposeView.setAddress). */
function joinAddresses(list: string[] | undefined): string | undefined {
  return list && list.length > 0 ? list.join('; ') : undefined;
}

export class ZimbraZimletHost implements ZimletHost {
  readonly lang: Lang;
  private readonly zimlet: ZmZimletBase;

  constructor(zimlet: ZmZimletBase) {
    this.zimlet = zimlet;
    // zimbraPrefLocale, e.g. "fr" or "de_LU" (zm-web-client ZmSetting.js LOCALE_NAME).
    const locale = appCtxt.get(ZmSetting.LOCALE_NAME);
    this.lang = pickLang(typeof locale === 'string' ? locale : undefined);
  }

  msg(key: string, ...args: ReadonlyArray<string | number>): string {
    // ZmZimletBase.getMessage answers "???key???" for a missing key, which the validator prevents.
    return format(this.zimlet.getMessage(key), ...args);
  }

  username(): string {
    return this.zimlet.getUsername();
  }

  csrfToken(): string {
    return window.csrfToken ?? '';
  }

  config(name: string): string | undefined {
    const value = this.zimlet.getConfig(name);
    return value === undefined || value === null ? undefined : String(value);
  }

  zimbra<T = unknown>(requestName: string, body: Record<string, unknown>, urn = 'urn:zimbraMail'): Promise<T> {
    const responseName = requestName.replace(/Request$/, 'Response');
    return new Promise<T>((resolve, reject) => {
      // zm-web-client ZmRequestMgr.js: callback.run(ZmCsfeResult); errorCallback.run(ZmCsfeException),
      // returning true tells Zimbra the error is handled (no generic error dialog).
      const onResult = (result: ZmCsfeResult) => {
        const response = result.getResponse();
        resolve((response[responseName] ?? response) as T);
      };
      const onError = (ex: ZmCsfeException) => {
        reject(new ZimbraSoapError(ex?.code ?? 'service.FAILURE', ex?.msg ?? requestName));
        return true;
      };
      appCtxt.getAppController().sendRequest({
        jsonObj: { [requestName]: { _jsns: urn, ...body } },
        asyncMode: true,
        callback: new AjxCallback(null, onResult),
        errorCallback: new AjxCallback(null, onError),
      });
    });
  }

  compose(req: ComposeRequest): void {
    // zm-web-client ZmMailApp.compose → ZmComposeController: the *Override params prefill the view.
    appCtxt.getApp(ZmApp.MAIL).compose({
      action: ZmOperation.NEW_MESSAGE,
      toOverride: joinAddresses(req.to),
      ccOverride: joinAddresses(req.cc),
      bccOverride: joinAddresses(req.bcc),
      subjOverride: req.subject,
      // ZmComposeController._setView puts extraBodyText at the start of the body (ZmComposeView._setBody).
      ...(req.body ? { extraBodyText: req.body } : {}),
    });
  }

  addToCurrentCompose(field: RecipientField, addresses: string[]): boolean {
    const view = appCtxt.getCurrentView();
    // Only a compose view has setAddress (ZmComposeView.js); duck typing avoids depending on ZmComposeView.
    if (!view || typeof view.setAddress !== 'function' || addresses.length === 0) return false;
    view.setAddress(ADDRESS_TYPE[field](), addresses.join('; '));
    return true;
  }

  notify(message: string, level: 'info' | 'error' = 'info'): void {
    if (level === 'error') this.zimlet.displayErrorMessage(message);
    else this.zimlet.displayStatusMessage(message);
  }
}
