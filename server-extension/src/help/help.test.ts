import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { HELP_PATH, HELP_SECTIONS, PANEL_HELP, helpUrl } from '../../../shared/help/sections.ts';
import type { FeatureContext } from '../feature.ts';
import { createHelpFeature } from './feature.ts';
import { HELP_TEXTS } from './texts.ts';

describe('help page (guide p.29)', () => {
  let server: Server;
  let base: string;
  before(async () => {
    const feature = createHelpFeature({ env: { ESANTE_HELPDESK_PHONE: '+352 99 88 77' } } as unknown as FeatureContext);
    const route = feature.routes![0]!;
    server = createServer((req, res) => void route.handle(req, res, { log: undefined as never, requestId: 'r', signal: new AbortController().signal }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('each language: every section with its anchor, the configured helpdesk (the guide’s mail by default), strict headers', async () => {
    for (const lang of ['fr', 'de', 'en'] as const) {
      const res = await fetch(`${base}${HELP_PATH}/${lang}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'.*base-uri 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const page = await res.text();
      assert.match(page, new RegExp(`<html lang="${lang}">`));
      for (const id of HELP_SECTIONS) {
        assert.ok(page.includes(`<section id="${id}"`), `${lang}: section ${id}`);
        assert.ok(page.includes(HELP_TEXTS[lang].sections[id].title), `${lang}: title of ${id}`);
      }
      assert.ok(page.includes('href="tel:+352998877"') && page.includes('+352 99 88 77'));
      assert.ok(page.includes('mailto:helpdesk@esante.lu'));
      assert.doesNotMatch(page, /<script/i);
    }
  });

  test('the bare path follows Accept-Language; an unknown language or method is refused', async () => {
    const r = await fetch(`${base}${HELP_PATH}`, { headers: { 'Accept-Language': 'de-LU,de;q=0.9' }, redirect: 'manual' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), `${HELP_PATH}/de`);
    assert.equal((await fetch(`${base}${HELP_PATH}/lb`)).status, 404);
    assert.equal((await fetch(`${base}${HELP_PATH}/fr`, { method: 'POST' })).status, 405);
  });

  test('every panel names a section that exists; the link is same-origin under the service path', () => {
    for (const section of Object.values(PANEL_HELP)) assert.ok(HELP_SECTIONS.includes(section));
    assert.equal(helpUrl('de', 'prosearch'), '/service/extension/esante/help/de#prosearch');
  });

  test('each panel\'s "À propos" asks for a feature the service really has (issue 10 defect 7: "security" vs "signing")', () => {
    const root = new URL('../../../', import.meta.url);
    const serviceFeatures = new Set<string>();
    for (const dir of readdirSync(new URL('server-extension/src/', root), { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      let src: string;
      try {
        src = readFileSync(new URL(`server-extension/src/${dir.name}/feature.ts`, root), 'utf8');
      } catch {
        continue;
      }
      for (const m of src.matchAll(/^ {4}name: '([a-z]+)',$/gm)) serviceFeatures.add(m[1]!);
    }
    assert.ok(serviceFeatures.has('signing') && serviceFeatures.has('dsp'), [...serviceFeatures].join());
    for (const zimlet of ['medical', 'prosearch', 'regify', 'security', 'webex']) {
      const dir = new URL(`zimlets/${zimlet}/src/components/`, root);
      const asked = readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .flatMap((f) => [...readFileSync(new URL(f, dir), 'utf8').matchAll(/<esante-service-info feature="([a-z]+)"/g)].map((m) => m[1]!));
      assert.equal(asked.length, 1, zimlet);
      assert.ok(serviceFeatures.has(asked[0]!), `${zimlet} asks for "${asked[0]}", the service has ${[...serviceFeatures].join(', ')}`);
      assert.ok(PANEL_HELP[asked[0]!], `${zimlet}: a help section for ${asked[0]}`);
    }
  });
});
