/**
 * The security headers of every answer the service sends (issue 15, acceptance 3): one rule, in one
 * place, applied by HttpServer to each response before any route runs, so a page, an API answer, an
 * error page, the SOAP endpoint, the WSDL, health and a 404 all carry it, and a route added tomorrow
 * carries it without doing anything.
 *
 * The rule (CSP Level 3, https://www.w3.org/TR/CSP3/):
 *   default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'
 * i.e. scripts only from our own origin, never inline, never eval (neither 'unsafe-inline' nor
 * 'unsafe-eval' is ever granted, nor a nonce/hash: nothing here is inline), no <base> rewriting,
 * nothing loaded that the page does not name, and not framed by anyone. A page widens ONLY the
 * fetch directives it needs, listed below per path, and frame-ancestors only to 'self' where a
 * Zimbra page embeds it. Plus:
 *   X-Content-Type-Options: nosniff   (answers are read as their declared type, never sniffed)
 *   Referrer-Policy: no-referrer      (portal and link URLs carry tokens and addresses: never leaked)
 *   X-Frame-Options                   (DENY / SAMEORIGIN: the same rule for browsers without frame-ancestors)
 *
 * A route cannot loosen this: the hook wraps the response's writeHead so that a Content-Security-Policy,
 * Referrer-Policy, X-Content-Type-Options or X-Frame-Options passed by a route is dropped in favour
 * of the rule (a route that needs more must say so HERE, where it is reviewed with the others).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { HELP_PATH } from '../../../shared/help/sections.ts';
import { PORTAL_PATH } from '../../../shared/messages/portal-api.ts';
import { SERVICE_BASE_PATH } from '../../../shared/paths.ts';

/** What a page may add to the base rule. Every value is a CSP source list. */
export interface PagePolicy {
  /** Who may frame the page: nobody (default) or Zimbra's own origin. */
  frameAncestors?: "'none'" | "'self'";
  styleSrc?: string;
  imgSrc?: string;
  connectSrc?: string;
  frameSrc?: string;
  formAction?: string;
  /**
   * A page of its own origin that nobody else may hold (the portal, security review #17):
   * `Cross-Origin-Opener-Policy: same-origin` (a window of another origin that opens it gets no
   * handle on it) and `Cross-Origin-Resource-Policy: same-origin` (another origin cannot load its
   * answers, even opaquely, as images or scripts).
   */
  isolated?: boolean;
}

export const BASE_DIRECTIVES = {
  'default-src': "'none'",
  'script-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
} as const;

/**
 * The pages that need more than the base, by path prefix (longest first wins). Anything not listed
 * (JSON, XML, SOAP, health, 404s, SSO answers) gets the base rule as it is.
 */
export const PAGE_POLICIES: ReadonlyArray<{ prefix: string; policy: PagePolicy; why: string }> = [
  {
    prefix: PORTAL_PATH,
    // The portal page: its script and sheet, the message shown in a sandboxed frame built from a
    // blob/data URL (shared/messages/safe-html.ts), images of the message itself (cid: → data:),
    // its API on its own origin.
    // On its own origin (ESANTE_PORTAL_ORIGIN) 'self' is the portal's, never Zimbra's.
    policy: { styleSrc: "'self'", imgSrc: "'self' data: blob:", connectSrc: "'self'", frameSrc: "'self' blob: data:", isolated: true },
    why: 'portal page (script, sheet, sandboxed message frame, own API; its own origin, isolated)',
  },
  {
    prefix: HELP_PATH,
    // The help page (help/page.ts) carries its style in a <style> element and is opened from the
    // panels' "Aide" links; Zimbra may show it inside its own page, never another site.
    policy: { frameAncestors: "'self'", styleSrc: "'unsafe-inline'", formAction: "'none'" },
    why: 'help page (inline <style>, framed by Zimbra only)',
  },
  {
    prefix: `${SERVICE_BASE_PATH}/sso`,
    // The first-login refusal page (provisioning/routes.ts refusalPage) styles itself inline.
    policy: { styleSrc: "'unsafe-inline'", formAction: "'none'" },
    why: 'first-login refusal page (inline <style>)',
  },
];

/** The Content-Security-Policy of `path`: the base rule plus what its page may add. */
export function contentSecurityPolicy(path: string): string {
  const policy = policyFor(path);
  const d: Record<string, string> = { ...BASE_DIRECTIVES };
  if (policy.styleSrc) d['style-src'] = policy.styleSrc;
  if (policy.imgSrc) d['img-src'] = policy.imgSrc;
  if (policy.connectSrc) d['connect-src'] = policy.connectSrc;
  if (policy.frameSrc) d['frame-src'] = policy.frameSrc;
  if (policy.formAction) d['form-action'] = policy.formAction;
  if (policy.frameAncestors) d['frame-ancestors'] = policy.frameAncestors;
  return Object.entries(d)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}

function policyFor(path: string): PagePolicy {
  const match = [...PAGE_POLICIES].sort((a, b) => b.prefix.length - a.prefix.length).find((p) => path === p.prefix || path.startsWith(`${p.prefix}/`));
  return match?.policy ?? {};
}

/** Every header of the rule for `path`. */
export function securityHeaders(path: string): Record<string, string> {
  const policy = policyFor(path);
  const framed = policy.frameAncestors === "'self'";
  return {
    'Content-Security-Policy': contentSecurityPolicy(path),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': framed ? 'SAMEORIGIN' : 'DENY',
    ...(policy.isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Resource-Policy': 'same-origin' } : {}),
  };
}

const RULED = new Set(['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options', 'cross-origin-opener-policy', 'cross-origin-resource-policy']);

/**
 * Sets the rule on `res` and keeps it there: headers of the rule that a route passes to writeHead
 * (which would win over setHeader) are dropped. Called once per request, before routing.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  let path = '/';
  try {
    path = new URL(req.url ?? '/', 'http://service.invalid').pathname;
  } catch {
    // An unparsable target still gets the base rule (path '/').
  }
  for (const [name, value] of Object.entries(securityHeaders(path))) res.setHeader(name, value);
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const args = rest.map((a) => (a && typeof a === 'object' && !Array.isArray(a) ? withoutRuled(a as OutgoingHttpHeaders) : a));
    return writeHead(status, ...args);
  }) as ServerResponse['writeHead'];
}

function withoutRuled(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!RULED.has(k.toLowerCase())) out[k] = v;
  return out;
}
