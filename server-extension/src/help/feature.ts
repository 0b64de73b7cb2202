/**
 * The help the guide promises (p.29: "une aide contextuelle est disponible depuis la boîte mail"):
 * GET /service/extension/esante/help/<fr|de|en> answers the help page in that language; each panel's
 * "Aide" link (shared/ui/service-info) opens its section in a new tab. The helpdesk contact is the
 * site's (ESANTE_HELPDESK_PHONE / ESANTE_HELPDESK_MAIL; the guide's by default). No session needed:
 * the page holds nothing personal.
 */
import type { ConfigVar, Feature, FeatureContext } from '../feature.ts';
import { HELP_PATH } from '../../../shared/help/sections.ts';
import { pickLang, type Lang } from '../../../shared/i18n/lang.ts';
import { HELP_CSP, helpPage } from './page.ts';

export const helpConfigVars: readonly ConfigVar[] = [
  { name: 'ESANTE_HELPDESK_PHONE', default: '+352 27 12 50 18 33', description: 'The helpdesk telephone number shown on the help page (guide p.29).' },
  { name: 'ESANTE_HELPDESK_MAIL', default: 'helpdesk@esante.lu', description: 'The helpdesk mail address shown on the help page (guide p.29).' },
];

export function createHelpFeature(ctx: FeatureContext): Feature {
  const helpdesk = {
    phone: ctx.env['ESANTE_HELPDESK_PHONE']?.trim() || '+352 27 12 50 18 33',
    mail: ctx.env['ESANTE_HELPDESK_MAIL']?.trim() || 'helpdesk@esante.lu',
  };
  const pages = new Map<Lang, string>();
  return {
    name: 'help',
    handlers: {},
    routes: [
      {
        prefix: HELP_PATH,
        async handle(req, res) {
          const url = new URL(req.url ?? '/', 'http://help.invalid');
          const sub = url.pathname.slice(HELP_PATH.length).replace(/^\/+|\/+$/g, '');
          if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method Not Allowed');
            return;
          }
          if (sub === '') {
            // The reader's language (Accept-Language), French first.
            res.writeHead(302, { Location: `${HELP_PATH}/${pickLang(req.headers['accept-language'])}` }).end();
            return;
          }
          if (sub !== 'fr' && sub !== 'de' && sub !== 'en') {
            res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found');
            return;
          }
          let page = pages.get(sub);
          if (!page) pages.set(sub, (page = helpPage(sub, helpdesk)));
          res.writeHead(200, {
            'Content-Type': 'text/html; charset=utf-8',
            'Content-Security-Policy': HELP_CSP,
            'Cache-Control': 'public, max-age=3600',
            'X-Content-Type-Options': 'nosniff',
            'Referrer-Policy': 'no-referrer',
          });
          res.end(req.method === 'HEAD' ? undefined : page);
        },
      },
    ],
  };
}
