/**
 * HTTP routes of the first login, under the service's URL space on Zimbra's origin:
 *   POST …/sso/acs       the portal's HTTP-POST binding (form fields SAMLResponse, RelayState):
 *                        303 to Zimbra preauth, or a translated refusal page;
 *   GET  …/sso/metadata  our SAML service-provider metadata, for the portal's administrators.
 * A 303 (not 302) so the browser follows with GET and never re-posts the assertion.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorText, type ErrorCode } from '../../../shared/errors.ts';
import { pickLang, type Lang } from '../../../shared/i18n/lang.ts';
import { SSO_ACS_PATH, SSO_METADATA_PATH } from '../../../shared/provisioning/saml-profile.ts';
import { ssoPageTexts } from '../../../shared/provisioning/texts.ts';
import { SERVICE_BASE_PATH } from '../../../shared/paths.ts';
import { toPublicError } from '../errors.ts';
import type { HttpRoute } from '../feature.ts';
import type { Logger } from '../log.ts';
import type { ProvisioningConfig } from './config.ts';
import type { FirstLogin } from './first-login.ts';
import { MAX_SAML_RESPONSE_CHARS } from './saml.ts';
import { escapeMarkup } from '../../../shared/markup.ts';
import { HttpError, header, readText } from '../messages/http.ts';

const escapeHtml = escapeMarkup;

/** The refusal page: the reason in the user's language, the code for the helpdesk, a way back. */
export function refusalPage(code: ErrorCode, lang: Lang, portalUrl: string, args: ReadonlyArray<string | number> = []): string {
  const t = (k: keyof typeof ssoPageTexts): string => escapeHtml(ssoPageTexts[k][lang]);
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('title')}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2b36}h1{font-size:1.4rem;color:#9b1c1c}
.code{color:#555;font-size:.9rem}a{color:#00539b}</style></head>
<body><main>
<p>${t('title')}</p>
<h1>${t('heading')}</h1>
<p id="sso-error" role="alert" data-code="${escapeHtml(code)}">${escapeHtml(errorText(code, lang, ...args))}</p>
<p class="code">${t('code')} : <code>${escapeHtml(code)}</code></p>
<p><a href="${escapeHtml(portalUrl)}">${t('back')}</a></p>
</main></body></html>
`;
}

/** The posted form, or null when it is not a form or larger than `max` bytes (then a malformed login). */
async function readForm(req: IncomingMessage, max: number): Promise<URLSearchParams | null> {
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return null;
  try {
    return new URLSearchParams(await readText(req, max));
  } catch (e) {
    if (e instanceof HttpError && e.code === 'request.too_large') return null;
    throw e;
  }
}

function metadata(config: ProvisioningConfig): string {
  const x = escapeHtml;
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${x(config.spEntityId)}">
  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${x(config.acsUrl)}" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;
}

export function ssoRoute(deps: { firstLogin: FirstLogin; config: ProvisioningConfig }): HttpRoute {
  const { firstLogin, config } = deps;
  return {
    prefix: `${SERVICE_BASE_PATH}/sso`,
    async handle(req: IncomingMessage, res: ServerResponse, ctx: { log: Logger }): Promise<void> {
      const path = new URL(req.url ?? '/', 'http://service.invalid').pathname.replace(/\/+$/, '');
      if (path === SSO_METADATA_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : metadata(config));
        return;
      }
      if (path !== SSO_ACS_PATH) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('not found\n');
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('The portal posts the SAML response here (HTTP-POST binding).\n');
        return;
      }
      const lang = pickLang(header(req, 'accept-language'));
      const refuse = (status: number, code: ErrorCode, args: ReadonlyArray<string | number> = []): void => {
        res.writeHead(status, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          'Referrer-Policy': 'no-referrer',
        });
        res.end(refusalPage(code, lang, config.portalUrl, args));
      };
      try {
        const form = await readForm(req, MAX_SAML_RESPONSE_CHARS * 2);
        const samlResponse = form?.get('SAMLResponse');
        if (!samlResponse) {
          refuse(400, 'sso.malformed');
          return;
        }
        const result = await firstLogin.login(samlResponse, form?.get('RelayState') ?? undefined);
        res.writeHead(303, { Location: result.redirect, 'Referrer-Policy': 'no-referrer' });
        res.end();
      } catch (e) {
        // The one wire mapper (errors.ts) decides what the person may see; a bug shows only a reference.
        const p = toPublicError(e, lang, ctx.log);
        if (p.code !== 'service.internal') {
          // The reason goes to the log (never the assertion itself, which is a bearer credential).
          ctx.log.warn({ code: p.code, reason: e instanceof Error ? e.message : String(e) }, 'portal login refused');
        }
        refuse(p.code === 'sso.not_in_directory' || p.code === 'sso.identity_mismatch' ? 403 : p.httpStatus, p.code, p.args);
      }
    },
  };
}
