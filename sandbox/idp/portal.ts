/**
 * "Portail eSanté" stand-in (sandbox only, never shipped): the page where a tester plays the
 * portal's login and its "Messagerie sécurisée" tile. Real portal: the user logs in (LuxTrust card
 * or the fallback login) and the portal's IdP posts a signed SAML Response to the messaging's
 * assertion consumer. Here the tester picks a professional of the (synthetic) directory, or types
 * names and an identifier, picks "Carte LuxTrust" or "Mode de secours", and the page posts a
 * Response signed with the sandbox IdP key (saml-idp.ts) to the service's ACS through the sandbox's
 * proxy, exactly as the portal would (HTTP-POST binding: an auto-submitted form).
 *
 *   GET  /idp/?q=&lang=    the portal page (search among directory entries, marks who has a mailbox)
 *   POST /idp/sso          form {professionalId | givenName+surname+identifier, method, lang} →
 *                          auto-submitting form to …/sso/acs carrying SAMLResponse
 */
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fold } from '../../shared/directory/normalize.ts';
import { SSO_ACS_PATH, SSO_METADATA_PATH } from '../../shared/provisioning/saml-profile.ts';
import { DEFAULT_COUNT, DEFAULT_SEED, generateDirectory, readNdjson } from '../../server-extension/src/directory/generate.ts';
import type { DirectoryRecord } from '../../server-extension/src/directory/model.ts';
import { rawData } from '../../server-extension/src/directory/reference.ts';
import { escapeHtml, readBody, sendText } from '../server/http-util.ts';
import { buildResponse, encodeResponse, ensureIdpKey, type IdpKey } from './saml-idp.ts';
import { idpTexts, type IdpLang } from './texts.ts';

export interface IdpDeps {
  /** The sandbox's data dir: the IdP key lives in <dataDir>/idp/, made at first use (saml-idp.ts). */
  dataDir: string;
  /** The sandbox's origin (Zimbra's public origin in production terms). */
  baseUrl: () => string;
  /** Whether a mailbox exists (shown to the tester, to pick someone without one). */
  hasMailbox: (mail: string) => boolean;
  /** The directory the service reads by default (or ESANTE_DIRECTORY_SEED when set). */
  seedFile?: string;
}

/** The sandbox's people, listed first in the service's directory too (scripts/start.mjs ESANTE_DIRECTORY_SEED_USERS). */
const SEED_USERS = fileURLToPath(new URL('../seed/users.json', import.meta.url));

const LANGS: readonly IdpLang[] = ['fr', 'de', 'en'];
const pickLang = (v: string | null | undefined): IdpLang => (LANGS.includes(v as IdpLang) ? (v as IdpLang) : 'fr');

/** The profession and specialty as a person reads them, in the page's language (the vendored labels, as the prosearch panel shows them). */
export function professionText(r: Pick<DirectoryRecord, 'profession' | 'specialty'>, lang: IdpLang): string {
  const data = rawData();
  const profession = data.professions.find((p) => p.code === r.profession)?.[lang] ?? r.profession;
  const specialty = r.specialty ? (data.specialties.find((s) => s.code === r.specialty)?.[lang] ?? r.specialty) : '';
  return specialty ? `${profession} – ${specialty}` : profession;
}

export class IdpPortal {
  #records: DirectoryRecord[] | undefined;
  #key: Promise<IdpKey> | undefined;
  constructor(private readonly deps: IdpDeps) {}

  /** The signing key, made when the portal is first used (its certificate is what the service trusts). */
  key(): Promise<IdpKey> {
    const current = (this.#key ??= ensureIdpKey(this.deps.dataDir));
    current.catch(() => {
      if (this.#key === current) this.#key = undefined;
    });
    return current;
  }

  /** Same entries as the service's embedded directory (directory/index.ts createDirectory). */
  #directory(): DirectoryRecord[] {
    this.#records ??= this.deps.seedFile ? readNdjson(this.deps.seedFile) : generateDirectory({ count: DEFAULT_COUNT, seed: DEFAULT_SEED, usersFile: SEED_USERS });
    return this.#records;
  }

  async handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if ((path === '/idp' || path === '/idp/index.html') && req.method === 'GET') {
      // Make the key now, so the service finds the certificate by the time the tester logs in.
      await this.key();
      return this.#page(url, res);
    }
    if (path === '/idp/sso' && req.method === 'POST') return this.#post(req, res);
    sendText(res, 404, 'not found', 'text/plain; charset=utf-8');
  }

  #page(url: URL, res: ServerResponse): void {
    const lang = pickLang(url.searchParams.get('lang'));
    const t = idpTexts[lang];
    const q = (url.searchParams.get('q') ?? '').trim().slice(0, 60);
    const key = fold(q);
    const matches = this.#directory()
      .filter((r) => !key || fold(`${r.givenName} ${r.sn}`).includes(key) || fold(r.sn).startsWith(key))
      .slice(0, 40);
    const rows = matches
      .map((r, i) => {
        const has = this.deps.hasMailbox(r.mail);
        const notes = [has ? t.hasMailbox : t.noMailbox, r.confidentiality === 'hidden' ? t.hidden : r.confidentiality === 'restricted' ? t.restricted : '']
          .filter(Boolean)
          .join(' · ');
        return `<li><label><input type="radio" name="professionalId" value="${escapeHtml(r.id)}"${i === 0 ? ' required' : ''} data-mail="${escapeHtml(r.mail)}" data-has-mailbox="${has}" data-confidentiality="${r.confidentiality}">
 <span class="name">${escapeHtml(r.givenName)} ${escapeHtml(r.sn)}</span> <small>${escapeHtml(professionText(r, lang))} — ${escapeHtml(notes)}</small></label></li>`;
      })
      .join('\n');
    const switcher = LANGS.map((l) => (l === lang ? `<strong>${l.toUpperCase()}</strong>` : `<a href="?lang=${l}&q=${encodeURIComponent(q)}">${l.toUpperCase()}</a>`)).join(' ');
    const methods = `<fieldset><legend>${t.method}</legend>
<label><input type="radio" name="method" value="card" checked> ${t.card}</label>
<label><input type="radio" name="method" value="fallback"> ${t.fallback}</label></fieldset>`;
    const html = `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${t.title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}header{display:flex;justify-content:space-between}
.note{background:#fff4d6;padding:.5rem 1rem;border-radius:4px}ul{list-style:none;padding:0;max-height:24rem;overflow:auto;border:1px solid #ccc}li{padding:.2rem .5rem}
fieldset{margin:1rem 0}button{font-size:1rem;padding:.4rem 1rem}</style></head>
<body><header><h1>${t.title}</h1><nav>${switcher}</nav></header>
<p class="note">${t.sandboxNote}</p>
<form method="get" action="/idp/"><input type="hidden" name="lang" value="${lang}">
<label>${t.search} <input name="q" value="${escapeHtml(q)}"></label> <button type="submit">${t.searchButton}</button></form>
<form method="post" action="/idp/sso" id="idp-directory"><input type="hidden" name="lang" value="${lang}">
<h2>${t.pick}</h2><ul id="idp-professionals">${rows || `<li>${t.none}</li>`}</ul>
${methods}
<button type="submit" id="idp-open-messaging">${t.open}</button></form>
<form method="post" action="/idp/sso" id="idp-typed"><input type="hidden" name="lang" value="${lang}">
<h2>${t.typed}</h2>
<label>${t.givenName} <input name="givenName" required maxlength="100"></label>
<label>${t.surname} <input name="surname" required maxlength="100"></label>
<label>${t.identifier} <input name="identifier" required maxlength="64"></label>
${methods}
<button type="submit">${t.open}</button></form>
</body></html>`;
    sendText(res, 200, html, 'text/html; charset=utf-8');
  }

  async #post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
    const lang = pickLang(form.get('lang'));
    const t = idpTexts[lang];
    const id = form.get('professionalId');
    let who: { professionalId: string; givenName?: string; surname?: string; preferredLanguage?: string };
    if (id) {
      const r = this.#directory().find((x) => x.id === id);
      // An id no longer listed is still posted: the service must refuse it, as it would a real one.
      who = r ? { professionalId: r.id, givenName: r.givenName, surname: r.sn, ...(r.preferredLanguage ? { preferredLanguage: r.preferredLanguage } : {}) } : { professionalId: id };
    } else {
      who = { professionalId: (form.get('identifier') ?? '').trim(), givenName: (form.get('givenName') ?? '').trim(), surname: (form.get('surname') ?? '').trim() };
    }
    if (!who.professionalId) return sendText(res, 400, t.missing, 'text/plain; charset=utf-8');
    const base = this.deps.baseUrl();
    const acsUrl = `${base}${SSO_ACS_PATH}`;
    const xml = buildResponse({
      key: await this.key(),
      acsUrl,
      audience: `${base}${SSO_METADATA_PATH}`,
      ...who,
      authContext: form.get('method') === 'fallback' ? 'fallback' : 'card',
    });
    // HTTP-POST binding (SAML Bindings §3.5.4): a form the browser submits by itself.
    const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${t.title}</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(acsUrl)}">
<input type="hidden" name="SAMLResponse" value="${escapeHtml(encodeResponse(xml))}">
<noscript><p>${t.continueNoScript}</p></noscript><button type="submit">${t.continue}</button></form></body></html>`;
    sendText(res, 200, html, 'text/html; charset=utf-8', { 'Cache-Control': 'no-store' });
  }
}
