/**
 * Issue 12, the sender's control as a user works it, in Chromium: the real
 * `<esante-regify-sender-control>` with the zimlet's properties in fr, de and en, and a fake service
 * (the ControlApi port) that records each call. Keyboard only where a user would use it; axe-core
 * (WCAG 2.1 A/AA) on the panel and both dialogs in the three languages.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import * as esbuild from 'esbuild';
import { parseProperties } from '../../../../build/properties.mjs';
import { dayValue } from './dates.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const ORIGIN = 'http://zimbra.test';
const DAY = 24 * 3600 * 1000;

let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/**
 * The page's fake service and mount helper. Plain JavaScript in the page: functions passed to
 * page.evaluate would carry tsx's `__name` helper.
 */
const MOUNT = `
window.__mount = function (lang, history, failures) {
  document.body.replaceChildren();
  var props = window.__props[lang];
  var calls = (window.__calls = []);
  var state = JSON.parse(JSON.stringify(history));
  var fail = failures || {};
  function fault(code, message) { var e = new Error(message); e.name = 'ServiceFault'; e.code = code; return e; }
  var api = {
    history: function (id) { calls.push(['history', id]); return Promise.resolve(JSON.parse(JSON.stringify(state))); },
    revoke: function (id, recipient) {
      calls.push(['revoke', id, recipient]);
      if (fail.revoke) return Promise.reject(fault(fail.revoke.code, fail.revoke.message));
      var at = '2026-12-07T10:00:00.000Z';
      var done = [];
      state.recipients.forEach(function (r) {
        if ((!recipient || r.address === recipient) && !r.revokedAt) { r.revokedAt = at; r.state = 'revoked'; done.push(r.address); }
      });
      return Promise.resolve({ messageId: id, revokedAt: at, revoked: done });
    },
    update: function (req) {
      calls.push(['update', req]);
      if (fail.update) return Promise.reject(fault(fail.update.code, fail.update.message));
      var changed = state.recipients.filter(function (r) { return !r.revokedAt && (!req.recipient || r.address === req.recipient); });
      changed.forEach(function (r) {
        if (req.readDeadline) r.readDeadline = req.readDeadline;
        if (req.accessUntil) r.accessUntil = req.accessUntil;
        if (req.clearAccessUntil) delete r.accessUntil;
      });
      return Promise.resolve({ messageId: req.messageId, recipients: changed });
    },
    exportCsv: function () {
      calls.push(['export']);
      return Promise.resolve({ fileName: 'historique-messages.csv', mimeType: 'text/csv;charset=utf-8', csv: '\\ufeffmessage,destinataire\\r\\nm1,luc\\r\\n', rows: 1 });
    },
  };
  var el = document.createElement('esante-regify-sender-control');
  el.host = {
    lang: lang,
    msg: function (key) {
      var args = Array.prototype.slice.call(arguments, 1);
      return (props[key] || '???' + key + '???').replace(/\\{(\\d)\\}/g, function (m, i) { return String(args[Number(i)]); });
    },
  };
  el.api = api;
  el.messageId = 'm1';
  document.body.append(el);
};
/* The "Messages envoyés" list over the same fake (listSent added), n messages m0… newest first. */
window.__mountList = function (lang, history, n) {
  window.__mount(lang, history);
  var control = document.querySelector('esante-regify-sender-control');
  var api = control.api;
  var calls = window.__calls;
  var all = [];
  for (var i = 0; i < n; i++) all.push({ messageId: 'm' + i, subject: i === 1 ? '' : 'Résultats ' + i, sentAt: i === 2 ? undefined : new Date(Date.UTC(2026, 11, 7, 9, 0) - i * 3600000).toISOString(), readDeadline: new Date(Date.UTC(2026, 11, 12, 9, 0)).toISOString(), recipients: 3, opened: i % 4 });
  api.listSent = function (offset, limit) { calls.push(['listSent', offset, limit]); return Promise.resolve({ total: all.length, messages: all.slice(offset, offset + limit) }); };
  var list = document.createElement('esante-regify-sent-messages');
  list.host = control.host;
  list.api = api;
  document.body.replaceChildren(list);
};`;

const NOW = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();

function history() {
  return {
    messageId: 'm1',
    subject: 'Résultats',
    createdAt: iso(NOW - DAY),
    sentAt: iso(NOW - DAY),
    recipients: [
      { address: 'jean-claude.weber@esante.lu', kind: 'to', state: 'opened', delivered: true, openedAt: iso(NOW - DAY / 2), openedVia: 'webmail', readDeadline: iso(NOW + 9 * DAY), deadlinePassed: false },
      { address: 'luc.hoffmann@esante.lu', kind: 'cc', state: 'delivered', delivered: true, readDeadline: iso(NOW + 9 * DAY), deadlinePassed: false },
      { address: 'dr.extern@praxis-beispiel.de', kind: 'to', state: 'opened', delivered: true, openedAt: iso(NOW - DAY / 3), openedVia: 'portal', readDeadline: iso(NOW + 9 * DAY), deadlinePassed: false },
    ],
    notifications: [
      { kind: 'transmission', state: 'sent', dueAt: iso(NOW - DAY), sentAt: iso(NOW - DAY) },
      { kind: 'read', recipient: 'jean-claude.weber@esante.lu', state: 'sent', dueAt: iso(NOW - DAY / 2), sentAt: iso(NOW - DAY / 2) },
    ],
  };
}

type Lang = 'fr' | 'de' | 'en';

async function mount(lang: Lang = 'fr', failures?: Record<string, { code: string; message: string }>): Promise<void> {
  await page.evaluate(([l, h, f]) => (window as unknown as { __mount(l: string, h: unknown, f: unknown): void }).__mount(l, h, f), [lang, history(), failures ?? {}] as const);
  await page.locator('esante-regify-sender-control #control-button').waitFor();
}

/** axe-core's WCAG 2.1 A/AA violations on the whole page, as `id (impact, nodes)`. */
const axeViolations = () =>
  page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
  });
const calls = () => page.evaluate(() => (window as unknown as { __calls: unknown[] }).__calls);
const activeId = () => page.evaluate(() => document.querySelector('esante-regify-sender-control')?.shadowRoot?.activeElement?.id ?? '');
const activeAction = () =>
  page.evaluate(() => {
    const a = document.querySelector('esante-regify-sender-control')?.shadowRoot?.activeElement as HTMLElement | null | undefined;
    return a ? `${a.dataset['action'] ?? a.id}:${a.dataset['recipient'] ?? ''}` : '';
  });

async function expand(): Promise<void> {
  await page.locator('esante-regify-sender-control #control-button').focus();
  await page.keyboard.press('Enter');
  await page.locator('esante-regify-sender-control[data-load="ready"]').waitFor();
}

before(async () => {
  const bundle = await esbuild.build({
    stdin: { contents: "import { offerSenderControl } from './zimlets/regify/src/control/index.ts'; import './zimlets/regify/src/control/sent-messages.ts'; window.__offer = offerSenderControl;", resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const props: Record<string, Record<string, string>> = {};
  for (const lang of ['fr', 'de', 'en']) {
    props[lang] = Object.fromEntries(parseProperties(await readFile(path.join(ROOT, `zimlets/regify/i18n/${lang}.properties`), 'utf8')));
  }
  browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ acceptDownloads: true });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.route(`${ORIGIN}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="fr"><head><title>Zimbra</title></head><body></body></html>' }),
  );
  await page.goto(`${ORIGIN}/`);
  await page.addScriptTag({ content: `window.__props = ${JSON.stringify(props)};` });
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  await page.addScriptTag({ path: path.join(ROOT, 'node_modules/axe-core/axe.min.js') });
  await page.addScriptTag({ content: MOUNT });
  // esbuild's keepNames (tsx) wraps functions passed to page.evaluate in a __name helper the page lacks.
  await page.addScriptTag({ content: 'window.__name = function (f) { return f; };' });
});

after(async () => {
  await browser?.close();
});

beforeEach(() => {
  pageErrors.length = 0;
});

test('the panel opens from the keyboard and shows each recipient: state, where and when opened, deadline, access end; and the notifications', async () => {
  await mount('fr');
  const button = page.locator('esante-regify-sender-control #control-button');
  assert.equal(await button.textContent().then((t) => t?.trim()), 'Suivi et contrôle de l’envoi');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('esante-regify-sender-control #control-panel').isVisible(), false);
  await expand();
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  assert.deepEqual(await calls(), [['history', 'm1']]);

  const row = (a: string) => page.locator(`esante-regify-sender-control tr[data-recipient="${a}"]`);
  assert.equal(await row('jean-claude.weber@esante.lu').getAttribute('data-state'), 'opened');
  assert.match((await row('jean-claude.weber@esante.lu').textContent()) ?? '', /Ouvert le .+, dans la messagerie/);
  assert.match((await row('dr.extern@praxis-beispiel.de').textContent()) ?? '', /Ouvert le .+, sur le portail/);
  const luc = (await row('luc.hoffmann@esante.lu').textContent()) ?? '';
  assert.match(luc, /Remis/);
  assert.match(luc, /\(Cc\)/);
  assert.match(luc, /Pas encore ouvert/);
  assert.match(luc, /Aucune/);
  // Dates in the reader's language, Luxembourg time (shared/i18n/dates.ts), never ISO.
  assert.doesNotMatch(luc, /\d{4}-\d{2}-\d{2}T/);
  const notifications = page.locator('esante-regify-sender-control #notifications tbody tr');
  assert.equal(await notifications.count(), 2);
  assert.match((await notifications.nth(0).textContent()) ?? '', /Notification de transmission\s*—\s*Envoyée le/);
  assert.match((await notifications.nth(1).textContent()) ?? '', /Notification de lecture\s*jean-claude\.weber@esante\.lu\s*Envoyée le/);
  // Row buttons say whom they act on to a screen reader.
  assert.equal(
    await page.locator('esante-regify-sender-control [data-action=revoke][data-recipient="luc.hoffmann@esante.lu"]').getAttribute('aria-label'),
    'Retirer le message pour luc.hoffmann@esante.lu',
  );
  assert.deepEqual(pageErrors, []);
});

test('withdraw for one recipient: a confirmation first (focus on Annuler, Escape keeps everything), then the row says withdrawn and the user is told', async () => {
  await mount('fr');
  await expand();
  const revokeLuc = page.locator('esante-regify-sender-control [data-action=revoke][data-recipient="luc.hoffmann@esante.lu"]');
  await revokeLuc.focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('esante-regify-sender-control #revoke-dialog[open]');
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('role'), 'alertdialog');
  assert.equal(await dialog.locator('h2').textContent(), 'Retirer ce message ?');
  assert.match((await dialog.locator('#revoke-text').textContent()) ?? '', /luc\.hoffmann@esante\.lu ne pourra plus ouvrir ce message, ni dans la messagerie ni sur le portail/);
  assert.equal(await activeAction(), 'cancel:');
  // Escape: nothing sent, focus back on the row's button.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.locator('esante-regify-sender-control #revoke-dialog').evaluate((d: HTMLDialogElement) => d.open), false);
  assert.equal(await activeAction(), 'revoke:luc.hoffmann@esante.lu');
  assert.deepEqual(await calls(), [['history', 'm1']]);

  // Again, and confirm with the keyboard (Tab from Annuler to "Retirer le message"), once the
  // dialog has put the focus on Annuler (a Tab before would start from elsewhere).
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.waitForFunction(() => (document.querySelector('esante-regify-sender-control')?.shadowRoot?.activeElement as HTMLElement | null)?.dataset['action'] === 'cancel');
  await page.keyboard.press('Tab');
  assert.equal(await activeAction(), 'confirm:');
  await page.keyboard.press('Enter');
  const status = page.locator('esante-regify-sender-control #control-status');
  await page.waitForFunction(() => /retiré pour luc/.test(document.querySelector('esante-regify-sender-control')?.shadowRoot?.querySelector('#control-status')?.textContent ?? ''));
  assert.equal(await status.textContent(), 'Le message a été retiré pour luc.hoffmann@esante.lu.');
  const row = page.locator('esante-regify-sender-control tr[data-recipient="luc.hoffmann@esante.lu"]');
  await page.waitForFunction(() => document.querySelector('esante-regify-sender-control')?.shadowRoot?.querySelector('tr[data-recipient="luc.hoffmann@esante.lu"]')?.getAttribute('data-state') === 'revoked');
  assert.match((await row.textContent()) ?? '', /Retiré le/);
  assert.equal(await row.locator('button').count(), 0);
  // The row's buttons went with the withdrawal: focus is on the panel's title, not lost on <body>.
  assert.equal(await activeId(), 'control-title');
  assert.deepEqual((await calls()).filter((c) => (c as unknown[])[0] === 'revoke'), [['revoke', 'm1', 'luc.hoffmann@esante.lu']]);
  assert.deepEqual(pageErrors, []);
});

test('withdraw for all: the dialog names everyone and who already opened it; a refusal of the service stays in the dialog', async () => {
  await mount('fr', { revoke: { code: 'message.already_revoked', message: 'Ce message a déjà été retiré pour luc.hoffmann@esante.lu.' } });
  await expand();
  await page.locator('esante-regify-sender-control #revoke-all').click();
  const dialog = page.locator('esante-regify-sender-control #revoke-dialog[open]');
  await dialog.waitFor();
  const text = (await dialog.locator('#revoke-text').textContent()) ?? '';
  assert.match(text, /Plus aucun destinataire \(jean-claude\.weber@esante\.lu, luc\.hoffmann@esante\.lu, dr\.extern@praxis-beispiel\.de\)/);
  assert.match(text, /Déjà ouvert par jean-claude\.weber@esante\.lu, dr\.extern@praxis-beispiel\.de : le retrait n’efface pas/);
  await dialog.locator('[data-action=confirm]').click();
  const error = page.locator('esante-regify-sender-control #revoke-error');
  await error.waitFor();
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await error.textContent(), 'Ce message a déjà été retiré pour luc.hoffmann@esante.lu.');
  assert.equal(await dialog.isVisible(), true);
  assert.deepEqual((await calls()).filter((c) => (c as unknown[])[0] === 'revoke'), [['revoke', 'm1', undefined]]);
});

test('change the dates of one recipient: a past day is refused on the field, then a later deadline and an access end are sent as the end of those days in Luxembourg', async () => {
  await mount('fr');
  await expand();
  const opener = page.locator('esante-regify-sender-control [data-action=dates][data-recipient="luc.hoffmann@esante.lu"]');
  await opener.click();
  const dialog = page.locator('esante-regify-sender-control #dates-dialog[open]');
  await dialog.waitFor();
  assert.equal(await dialog.locator('h2').textContent(), 'Modifier les dates pour luc.hoffmann@esante.lu');
  assert.equal(await activeId(), 'read-deadline');
  const deadline = dialog.locator('#read-deadline');
  assert.equal(await deadline.inputValue(), dayValue(new Date(NOW + 9 * DAY)));
  assert.equal(await dialog.locator('#no-access-end').isChecked(), true);
  assert.equal(await dialog.locator('#access-until').isDisabled(), true);

  // Enter on an untouched dialog: nothing to change, said in the dialog, nothing sent.
  await page.keyboard.press('Enter');
  await dialog.locator('#dates-error').waitFor();
  assert.equal(await dialog.locator('#dates-error').textContent(), 'Indiquez un nouveau délai de lecture ou une date de fin d’accès.');

  const yesterday = dayValue(new Date(NOW - DAY));
  await deadline.fill(yesterday);
  await dialog.locator('[data-action=save]').click();
  await page.waitForFunction(() => /déjà passée/.test(document.querySelector('esante-regify-sender-control')?.shadowRoot?.querySelector('#dates-error')?.textContent ?? ''));
  assert.equal(await deadline.getAttribute('aria-invalid'), 'true');
  assert.match((await deadline.getAttribute('aria-describedby')) ?? '', /dates-error/);
  assert.equal(await activeId(), 'read-deadline');
  assert.equal((await calls()).filter((c) => (c as unknown[])[0] === 'update').length, 0);

  const later = dayValue(new Date(NOW + 30 * DAY));
  const end = dayValue(new Date(NOW + 60 * DAY));
  await deadline.fill(later);
  await dialog.locator('#no-access-end').uncheck();
  await dialog.locator('#access-until').fill(end);
  await dialog.locator('[data-action=save]').click();
  await page.waitForFunction(() => /Dates enregistrées/.test(document.querySelector('esante-regify-sender-control')?.shadowRoot?.querySelector('#control-status')?.textContent ?? ''));
  const update = (await calls()).find((c) => (c as unknown[])[0] === 'update') as [string, Record<string, unknown>];
  assert.equal(update[1]['recipient'], 'luc.hoffmann@esante.lu');
  assert.equal(dayValue(update[1]['readDeadline'] as string), later);
  assert.equal(dayValue(update[1]['accessUntil'] as string), end);
  // 23:59:59 Luxembourg time: the day's last second there.
  assert.equal(dayValue(new Date(Date.parse(update[1]['readDeadline'] as string) + 1000)), dayValue(new Date(Date.parse(`${later}T12:00:00Z`) + DAY)));
  assert.equal(await page.locator('esante-regify-sender-control #dates-dialog').evaluate((d: HTMLDialogElement) => d.open), false);
  assert.equal(await activeAction(), 'dates:luc.hoffmann@esante.lu');
  const row = (await page.locator('esante-regify-sender-control tr[data-recipient="luc.hoffmann@esante.lu"]').textContent()) ?? '';
  assert.doesNotMatch(row, /Aucune/);
  assert.deepEqual(pageErrors, []);
});

test('a refusal of the service (date beyond the maximum) is shown in the dates dialog, in the user’s language', async () => {
  await mount('de', { update: { code: 'message.date_too_far', message: 'Das gewählte Datum (1. Januar 2099) liegt nach dem zulässigen Höchstdatum (7. Dezember 2027).' } });
  await expand();
  await page.locator('esante-regify-sender-control #dates-all').click();
  const dialog = page.locator('esante-regify-sender-control #dates-dialog[open]');
  await dialog.waitFor();
  assert.equal(await dialog.locator('h2').textContent(), 'Daten für alle Empfänger ändern');
  await dialog.locator('#read-deadline').fill('2099-01-01');
  await dialog.locator('[data-action=save]').click();
  await dialog.locator('#dates-error').waitFor();
  assert.match((await dialog.locator('#dates-error').textContent()) ?? '', /zulässigen Höchstdatum/);
  const update = (await calls()).find((c) => (c as unknown[])[0] === 'update') as [string, Record<string, unknown>];
  assert.equal(update[1]['recipient'], undefined);
  await dialog.locator('[data-action=cancel]').click();
  assert.equal(await activeId(), 'dates-all');
});

test('export: the CSV of the service is downloaded under its name, and the user is told how many rows', async () => {
  await mount('en');
  await expand();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('esante-regify-sender-control #export').click()]);
  assert.equal(download.suggestedFilename(), 'historique-messages.csv');
  const body = await readFile((await download.path())!, 'utf8');
  assert.match(body, /message,destinataire\r\nm1,luc/);
  await page.waitForFunction(() => /History exported: 1 row/.test(document.querySelector('esante-regify-sender-control')?.shadowRoot?.querySelector('#control-status')?.textContent ?? ''));
});

for (const lang of ['fr', 'de', 'en'] as const) {
  test(`axe-core (WCAG 2.1 A/AA): no violation in the panel and both dialogs (${lang}); no untranslated key`, async () => {
    await mount(lang);
    await expand();
    const check = async (what: string) => {
      const result = await axeViolations();
      assert.deepEqual(result, [], `${lang} ${what}`);
      const text = await page.locator('esante-regify-sender-control').evaluate((el) => el.shadowRoot?.textContent ?? '');
      assert.doesNotMatch(text, /\?\?\?|control_[a-z_]+/, `${lang} ${what}`);
    };
    await check('panel');
    await page.locator('esante-regify-sender-control [data-action=revoke][data-recipient="luc.hoffmann@esante.lu"]').click();
    await page.locator('esante-regify-sender-control #revoke-dialog[open]').waitFor();
    await check('revoke dialog');
    await page.keyboard.press('Escape');
    await page.locator('esante-regify-sender-control [data-action=dates][data-recipient="luc.hoffmann@esante.lu"]').click();
    await page.locator('esante-regify-sender-control #dates-dialog[open]').waitFor();
    await check('dates dialog');
    await page.keyboard.press('Escape');
  });
}

test('only the sender gets the control, placed right under the message; a message shown next in the same view takes its place', async () => {
  const placed = await page.evaluate(() => {
    const w = window as unknown as { __offer(host: unknown, opened: unknown, anchor: Element, api: unknown): void };
    document.body.replaceChildren();
    const view = document.createElement('div');
    const message = document.createElement('div');
    message.id = 'message';
    const cover = document.createElement('div');
    cover.id = 'cover';
    view.append(message, cover);
    document.body.append(view);
    const host = (user: string) => ({ lang: 'fr', username: () => user, msg: (k: string) => k, csrfToken: () => 't' });
    const api = { history: () => new Promise(() => undefined) };
    const opened = (id: string) => ({ header: { messageId: id }, sender: { mail: 'Marie.Schmit@esante.lu' } });
    const tags = () => Array.from(view.children).map((c) => c.tagName.toLowerCase() + (c.id ? '#' + c.id : '') + ((c as HTMLElement & { messageId?: string }).messageId ? ':' + (c as HTMLElement & { messageId?: string }).messageId : ''));
    w.__offer(host('luc.hoffmann@esante.lu'), opened('m1'), message, api);
    const asRecipient = tags();
    w.__offer(host('marie.schmit@esante.lu'), opened('m1'), message, api);
    const asSender = tags();
    w.__offer(host('marie.schmit@esante.lu'), opened('m2'), message, api);
    const next = tags();
    w.__offer(host('luc.hoffmann@esante.lu'), opened('m3'), message, api);
    return { asRecipient, asSender, next, afterRecipient: tags() };
  });
  assert.deepEqual(placed.asRecipient, ['div#message', 'div#cover']);
  assert.deepEqual(placed.asSender, ['div#message', 'esante-regify-sender-control:m1', 'div#cover']);
  assert.deepEqual(placed.next, ['div#message', 'esante-regify-sender-control:m2', 'div#cover']);
  assert.deepEqual(placed.afterRecipient, ['div#message', 'div#cover']);
});

// --- The "Messages envoyés" tab's list (sent-messages.component.ts) --------------------------------

async function mountList(lang: Lang, n: number): Promise<void> {
  await page.evaluate(([l, h, k]) => (window as unknown as { __mountList(l: string, h: unknown, n: number): void }).__mountList(l, h, k), [lang, history(), n] as const);
  await page.locator('esante-regify-sent-messages[data-load="ready"]').waitFor();
}

test('"Messages envoyés": the user\'s messages newest first, 20 a page, each with its state of reading; "Suivi" opens that message\'s control, expanded', async () => {
  await mountList('fr', 23);
  const list = page.locator('esante-regify-sent-messages');
  const rows = list.locator('tbody tr');
  assert.equal(await rows.count(), 20);
  assert.deepEqual((await calls()).filter((c) => (c as unknown[])[0] === 'listSent'), [['listSent', 0, 20]]);
  assert.equal(await list.locator('caption').textContent(), 'Vos messages envoyés avec Regify, du plus récent au plus ancien');
  const first = (await rows.nth(0).textContent())?.replace(/\s+/g, ' ') ?? '';
  assert.match(first, /Résultats 0 .*7 déc\. 2026.* 0 sur 3 Suivi/);
  assert.doesNotMatch(first, /\d{4}-\d{2}-\d{2}T/);
  assert.match((await rows.nth(1).textContent()) ?? '', /\(sans objet\)/);
  assert.match((await rows.nth(2).textContent()) ?? '', /Non envoyé/);
  // Pages: the range in words; "Plus récents" off on the first page.
  assert.equal(await list.locator('#sent-range').textContent(), 'Messages 1 à 20 sur 23');
  assert.equal(await list.locator('#sent-newer').isDisabled(), true);
  await list.locator('#sent-older').focus();
  await page.keyboard.press('Enter');
  await list.locator('tr[data-message="m20"]').waitFor();
  assert.equal(await rows.count(), 3);
  assert.equal(await list.locator('#sent-range').textContent(), 'Messages 21 à 23 sur 23');
  assert.equal(await list.locator('#sent-older').isDisabled(), true);
  await list.locator('#sent-newer').click();
  await list.locator('tr[data-message="m0"]').waitFor();

  // "Suivi" from the keyboard: named with the subject, expanded, and the control for THAT message, open at once.
  const follow = list.locator('[data-action=follow][data-message="m3"]');
  assert.equal(await follow.getAttribute('aria-label'), 'Suivi et contrôle de l’envoi : Résultats 3');
  assert.equal(await follow.getAttribute('aria-expanded'), 'false');
  await follow.focus();
  await page.keyboard.press('Enter');
  const control = list.locator('esante-regify-sender-control#sent-control');
  await list.locator('esante-regify-sender-control[data-load="ready"]').waitFor();
  assert.equal(await follow.getAttribute('aria-expanded'), 'true');
  assert.equal(await control.evaluate((el) => (el as HTMLElement & { messageId: string }).messageId), 'm3');
  assert.equal(await control.locator('#control-button').getAttribute('aria-expanded'), 'true');
  assert.deepEqual((await calls()).filter((c) => (c as unknown[])[0] === 'history'), [['history', 'm3']]);
  assert.equal(await control.locator('tr[data-recipient="luc.hoffmann@esante.lu"]').getAttribute('data-state'), 'delivered');
  // Another row replaces it; the same row again closes it.
  await list.locator('[data-action=follow][data-message="m5"]').click();
  await list.locator('esante-regify-sender-control[data-load="ready"]').waitFor();
  assert.equal(await control.evaluate((el) => (el as HTMLElement & { messageId: string }).messageId), 'm5');
  assert.equal(await follow.getAttribute('aria-expanded'), 'false');
  await list.locator('[data-action=follow][data-message="m5"]').click();
  assert.equal(await list.locator('esante-regify-sender-control').count(), 0);
  assert.deepEqual(pageErrors, []);
});

test('"Messages envoyés": none sent yet says so; a failure is the service\'s own text in an alert', async () => {
  await mountList('fr', 0);
  const list = page.locator('esante-regify-sent-messages');
  assert.equal(await list.locator('#sent-empty').textContent(), 'Vous n’avez encore envoyé aucun message avec Regify.');
  assert.equal(await list.locator('table').count(), 0);
  await page.evaluate(() => {
    const el = document.querySelector('esante-regify-sent-messages') as HTMLElement & { api: { listSent: unknown } };
    const e = Object.assign(new Error('Le service de messagerie sécurisée est momentanément indisponible.'), { name: 'ServiceFault', code: 'service.unavailable' });
    el.api = { ...el.api, listSent: () => Promise.reject(e) };
    const fresh = document.createElement('esante-regify-sent-messages') as HTMLElement & { api: unknown; host: unknown };
    fresh.host = (el as unknown as { host: unknown }).host;
    fresh.api = el.api;
    document.body.replaceChildren(fresh);
  });
  await page.locator('esante-regify-sent-messages[data-load="error"]').waitFor();
  assert.equal(await page.locator('esante-regify-sent-messages #sent-error').getAttribute('role'), 'alert');
  assert.match((await page.locator('esante-regify-sent-messages #sent-error').textContent()) ?? '', /indisponible/);
});

for (const lang of ['fr', 'de', 'en'] as const) {
  test(`"Messages envoyés" in ${lang}: axe-core (WCAG 2.1 A/AA) finds nothing, with a message's control open; no untranslated key`, async () => {
    await mountList(lang, 23);
    await page.locator('esante-regify-sent-messages [data-action=follow][data-message="m0"]').click();
    await page.locator('esante-regify-sent-messages esante-regify-sender-control[data-load="ready"]').waitFor();
    assert.deepEqual(await axeViolations(), [], lang);
    const text = await page.locator('esante-regify-sent-messages').evaluate((el) => el.shadowRoot?.textContent ?? '');
    assert.doesNotMatch(text, /\?\?\?|sent_[a-z_]+/, lang);
  });
}
