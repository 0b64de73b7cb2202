/**
 * Issue 15, acceptance 3: every route the service and the portal serve answers with the one set of
 * security headers (http/headers.ts). The routes are enumerated from the composition root itself
 * (Service.routePrefixes), so a route added later without pages listed here fails this test; each
 * is asked for its pages, its API answers and its error answers (404, 405, 400, 401/403, Faults).
 * The assertions are the rule, written independently of headers.ts: a loosened policy there fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HELP_PATH } from '../../shared/help/sections.ts';
import { DSP_FILE_PATH, DSP_UPLOAD_PATH } from '../../shared/dsp/operations.ts';
import { PORTAL_PATH } from '../../shared/messages/portal-api.ts';
import { HEALTH_PATH, SERVICE_BASE_PATH, SOAP_PATH } from '../../shared/paths.ts';
import { startTestEnv, type TestEnv } from './support/service.ts';

interface Probe {
  method?: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

const json = { 'Content-Type': 'application/json' };
/** What to ask each route for: its pages and answers, and its errors. Keyed by route prefix. */
const PROBES: Record<string, Probe[]> = {
  [SOAP_PATH]: [
    { path: `${SOAP_PATH}?wsdl` },
    { method: 'POST', path: SOAP_PATH, body: '<x/>', headers: { 'Content-Type': 'text/xml' } },
    { method: 'PUT', path: SOAP_PATH, body: '' },
  ],
  [HEALTH_PATH]: [{ path: HEALTH_PATH }, { method: 'HEAD', path: HEALTH_PATH }],
  [PORTAL_PATH]: [
    { path: `${PORTAL_PATH}/` },
    { path: `${PORTAL_PATH}/?lang=de` },
    { path: `${PORTAL_PATH}/portal.js` },
    { path: `${PORTAL_PATH}/portal.css` },
    { path: `${PORTAL_PATH}/api/session` },
    { path: `${PORTAL_PATH}/api/session`, headers: { Cookie: `ESANTE_PORTAL=${'A'.repeat(43)}` } },
    { path: `${PORTAL_PATH}/login-link?token=${'A'.repeat(43)}` },
    { path: `${PORTAL_PATH}/login-link` },
    { method: 'POST', path: `${PORTAL_PATH}/login-link`, body: 'token=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    { method: 'POST', path: `${PORTAL_PATH}/api/login`, body: '{}', headers: json },
    { method: 'POST', path: `${PORTAL_PATH}/api/login`, body: '{"email":"not an address","password":"x"}', headers: { ...json, 'X-Esante-Portal': '1' } },
    { path: `${PORTAL_PATH}/nothing-here` },
  ],
  [HELP_PATH]: [{ path: HELP_PATH }, { path: `${HELP_PATH}/fr` }, { path: `${HELP_PATH}/en` }, { path: `${HELP_PATH}/xx` }, { method: 'POST', path: `${HELP_PATH}/fr`, body: '' }],
  [`${SERVICE_BASE_PATH}/sso`]: [
    { path: `${SERVICE_BASE_PATH}/sso/metadata` },
    { path: `${SERVICE_BASE_PATH}/sso/acs` },
    { method: 'POST', path: `${SERVICE_BASE_PATH}/sso/acs`, body: 'SAMLResponse=', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    { path: `${SERVICE_BASE_PATH}/sso/other` },
  ],
  [DSP_UPLOAD_PATH]: [{ path: DSP_UPLOAD_PATH }, { method: 'POST', path: DSP_UPLOAD_PATH, body: 'x', headers: { 'Content-Type': 'application/pdf' } }],
  [DSP_FILE_PATH]: [{ path: `${DSP_FILE_PATH}/unknown` }, { method: 'POST', path: `${DSP_FILE_PATH}/unknown`, body: 'x', headers: { 'Content-Type': 'application/pdf' } }],
  [`${SERVICE_BASE_PATH}/test`]: [{ path: `${SERVICE_BASE_PATH}/test/clock` }, { method: 'POST', path: `${SERVICE_BASE_PATH}/test/clock`, body: '{"advanceMs":-1}', headers: json }],
};
/** Not a route: the 404s of the front itself. */
const UNROUTED: Probe[] = [{ path: `${SERVICE_BASE_PATH}/nothing` }, { path: '/elsewhere' }, { method: 'DELETE', path: `${SERVICE_BASE_PATH}/` }];

/** Pages Zimbra may frame (its "Aide" links); every other answer may be framed by nobody. */
const FRAMED_BY_ZIMBRA = [HELP_PATH];
/** Pages with a <style> element of their own (no script is ever inline). */
const INLINE_STYLE = [HELP_PATH, `${SERVICE_BASE_PATH}/sso`];
const under = (path: string, prefixes: string[]) => prefixes.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`));

function parseCsp(value: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) {
      assert.ok(!out.has(name.toLowerCase()), `directive ${name} given twice`);
      out.set(name.toLowerCase(), sources);
    }
  }
  return out;
}

function assertRule(probe: Probe, res: Response, body: string): void {
  const where = `${probe.method ?? 'GET'} ${probe.path} → ${res.status}`;
  const h = (n: string) => res.headers.get(n);
  assert.equal(h('x-content-type-options'), 'nosniff', where);
  assert.equal(h('referrer-policy'), 'no-referrer', where);
  const csp = h('content-security-policy');
  assert.ok(csp, `${where}: no Content-Security-Policy`);
  const d = parseCsp(csp);
  assert.deepEqual(d.get('default-src'), ["'none'"], `${where}: default-src`);
  assert.deepEqual(d.get('script-src'), ["'self'"], `${where}: script-src only 'self' (no inline, no eval, no nonce)`);
  assert.deepEqual(d.get('base-uri'), ["'none'"], `${where}: base-uri`);
  assert.ok(!csp.includes('unsafe-eval') && !/\*/.test(csp) && !/\b(http|https):(?!\/)/.test(csp), `${where}: ${csp}`);
  for (const [name, sources] of d) {
    if (sources.includes("'unsafe-inline'")) assert.ok(name === 'style-src' && under(probe.path, INLINE_STYLE), `${where}: 'unsafe-inline' in ${name}`);
  }
  const framed = under(probe.path, FRAMED_BY_ZIMBRA);
  assert.deepEqual(d.get('frame-ancestors'), [framed ? "'self'" : "'none'"], `${where}: frame-ancestors`);
  assert.equal(h('x-frame-options'), framed ? 'SAMEORIGIN' : 'DENY', where);
  // Pages keep their side of the bargain: no inline script, no event-handler attribute.
  if ((h('content-type') ?? '').startsWith('text/html')) {
    for (const tag of body.match(/<script\b[^>]*>/gi) ?? []) assert.match(tag, /\ssrc=/, `${where}: inline <script>`);
    assert.doesNotMatch(body, /\son[a-z]+\s*=/i, `${where}: event-handler attribute`);
    assert.doesNotMatch(body, /javascript:/i, `${where}: javascript: URL`);
  }
}

describe('security headers on every route (issue 15, acceptance 3)', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv({ ESANTE_TEST_CLOCK: '1', ESANTE_SCHEDULER_INTERVAL_MS: '0' });
  });
  after(async () => {
    await env?.close();
  });

  test('every mounted route is probed, and every answer carries the rule', async () => {
    const prefixes = env.service.routePrefixes;
    for (const p of [SOAP_PATH, HEALTH_PATH, PORTAL_PATH, HELP_PATH]) assert.ok(prefixes.includes(p), `${p} is mounted`);
    const unprobed = prefixes.filter((p) => !PROBES[p]);
    assert.deepEqual(unprobed, [], 'a route without probes here: list its pages and answers in PROBES');
    let answers = 0;
    const statuses = new Set<number>();
    for (const probe of [...prefixes.flatMap((p) => PROBES[p]!), ...UNROUTED]) {
      const res = await fetch(`${env.url}${probe.path}`, { method: probe.method ?? 'GET', redirect: 'manual', headers: probe.headers ?? {}, ...(probe.body !== undefined ? { body: probe.body } : {}) });
      const body = probe.method === 'HEAD' ? '' : await res.text();
      assertRule(probe, res, body);
      statuses.add(res.status);
      answers++;
    }
    // Pages, redirects and the error answers were all among them.
    for (const s of [200, 302, 400, 403, 404, 405]) assert.ok(statuses.has(s), `an answer with status ${s} was checked (got ${[...statuses].join(', ')})`);
    assert.ok(answers >= 25, `${answers} answers checked`);
  });

  test('a route cannot loosen the rule: headers it passes itself are replaced', async () => {
    const { applySecurityHeaders } = await import('../src/http/headers.ts');
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      applySecurityHeaders(req, res);
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': "script-src 'unsafe-inline' 'unsafe-eval' *", 'x-frame-options': 'ALLOWALL', 'Referrer-Policy': 'unsafe-url' });
      res.end('<p>x</p>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}${PORTAL_PATH}/`);
      assertRule({ path: `${PORTAL_PATH}/` }, res, await res.text());
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
