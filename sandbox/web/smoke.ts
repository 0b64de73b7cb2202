/**
 * Smoke check of the sandbox webmail in Chromium (not part of the unit tests: it needs the sandbox
 * server, Chromium and the built zimlets in dist/zimlets). Starts a throw-away sandbox, logs in,
 * sends a message with an attachment, opens it, drives the Zimlets accordion, a zimlet compose
 * button and the send hooks, then checks a German session. Screenshots go to SMOKE_OUT (default a
 * temp dir). Exit code 0 when every check passed.
 *
 *   node --import tsx sandbox/web/smoke.ts
 */
import { type Page } from '@playwright/test';
import { launchChromium } from '../../scripts/chromium.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { startSandbox } from '../server/index.ts';

const out = process.env['SMOKE_OUT'] || mkdtempSync(join(tmpdir(), 'webmail-smoke-'));
const dataDir = mkdtempSync(join(tmpdir(), 'webmail-smoke-data-'));
const PASSWORD = 'Sandbox-2026!';
const sbx = await startSandbox({ port: 0, dataDir, smtpPort: 0, zimletsDir: 'dist/zimlets', serviceUrl: 'http://127.0.0.1:9' });
const browser = await launchChromium();
const problems: string[] = [];
let failed = false;

async function login(page: Page, mail: string, method: 'card' | 'fallback' = 'card'): Promise<void> {
  await page.goto(`${sbx.url}/`);
  await page.fill('#username', mail);
  await page.fill('#password', PASSWORD);
  await page.check(`#authMethod-${method}`);
  await page.click('#login-submit');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
}

async function step(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
    process.stdout.write(`ok   ${name}\n`);
  } catch (e) {
    failed = true;
    process.stdout.write(`FAIL ${name}: ${(e as Error).message}\n`);
  }
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  // tsx compiles this file with esbuild's keepNames, which wraps functions in `__name(…)`; the
  // functions handed to page.evaluate run in the page, where that helper does not exist.
  await page.addInitScript('window.__name = (f) => f;');
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));

  await step('login page in French with both methods', async () => {
    await page.goto(`${sbx.url}/`);
    assert.equal(await page.textContent('label[for=authMethod-card], #authMethod-card + span'), 'Carte LuxTrust');
    assert.equal(await page.textContent('#authMethod-fallback + span'), 'Mode de secours (sans carte)');
    await page.screenshot({ path: join(out, 'login.png') });
  });

  await step('a failed login in German stays German and shows the error', async () => {
    await page.goto(`${sbx.url}/?lang=de`);
    assert.equal(await page.textContent('#login-submit'), 'Anmelden');
    await page.fill('#username', 'marie.schmit@esante.lu');
    await page.fill('#password', 'wrong');
    await page.click('#login-submit');
    await page.waitForSelector('#login-error:not(:empty)');
    assert.equal(await page.textContent('#login-submit'), 'Anmelden');
  });

  await step('webmail shell: user, folders, zimlets', async () => {
    await login(page, 'marie.schmit@esante.lu');
    assert.match((await page.textContent('#zm-user')) ?? '', /marie\.schmit@esante\.lu/);
    for (const id of ['zm-folder-inbox', 'zm-folder-sent', 'zm-folder-drafts', 'zm-folder-trash']) assert.ok(await page.isVisible(`#${id}`), id);
    assert.equal(await page.textContent('#zm-folder-inbox .ZmTreeLabel'), 'Réception');
    await page.waitForSelector('body[data-zimlets="loaded"]');
    await page.screenshot({ path: join(out, 'inbox.png') });
  });

  await step('compose with attachment, send, see it in Envoyés', async () => {
    await page.click('#zb__TV__NEW_MESSAGE');
    await page.fill('#zm-compose-to', 'jean-claude.weber@esante.lu');
    await page.fill('#zm-compose-subject', 'Essai sandbox');
    await page.fill('#zm-compose-body', 'Bonjour,\nceci est un test.');
    await page.setInputFiles('#zm-compose-attach', { name: 'bilan.txt', mimeType: 'text/plain', buffer: Buffer.from('contenu') });
    await page.waitForSelector('#zm-compose-attachments li');
    await page.screenshot({ path: join(out, 'compose.png') });
    await page.click('#zb__COMPOSE__SEND');
    await page.waitForSelector('#zm-mail-app');
    await page.click('#zm-folder-sent');
    await page.click('#zm-msg-list [role=option] >> nth=0');
    await page.waitForSelector('#zm-msg-view');
    assert.equal(await page.textContent('#zm-msg-subject'), 'Essai sandbox');
    assert.match((await page.textContent('#zm-msg-attachments')) ?? '', /bilan\.txt/);
    await page.screenshot({ path: join(out, 'sent.png') });
  });

  await step('onMsgView gets the message and its view; a banner can be inserted; raw MIME reachable', async () => {
    await page.evaluate(() => {
      const w = window as any;
      const h = w.__webmail.zimletMgr.getZimlets()[0].handlerObject;
      h.onMsgView = function (msg: any, _old: unknown, view: any) {
        const banner = document.createElement('div');
        banner.id = 'smoke-banner';
        banner.textContent = `${msg.id}|${msg.subject}|${msg.getAddress(w.AjxEmailAddress.FROM).address}|${msg.hasAttach}`;
        view.getHtmlElement().prepend(banner);
        w.__smokeRawUrl = msg.getRawUrl();
      };
    });
    await page.click('#zm-folder-inbox');
    await page.click('#zm-folder-sent');
    await page.click('#zm-msg-list [role=option] >> nth=0');
    await page.waitForSelector('#zm-msg-view #smoke-banner');
    assert.match((await page.textContent('#smoke-banner')) ?? '', /\|Essai sandbox\|marie\.schmit@esante\.lu\|true$/);
    const raw = await page.evaluate(async () => (await fetch((window as any).__smokeRawUrl)).text());
    assert.match(raw, /Subject: Essai sandbox/);
    await page.evaluate(() => delete (window as any).__webmail.zimletMgr.getZimlets()[0].handlerObject.onMsgView);
  });

  await step('zimlet panel: click opens its dialog, Escape closes it, focus stays in it', async () => {
    const first = page.locator('#zm-zimlets .ZmZimletItem').first();
    await first.click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('dialog[open]')), 'focus left the dialog');
    await page.screenshot({ path: join(out, 'zimlet.png') });
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('dialog[open]').count(), 0);
  });

  await step('zimlet context menu by keyboard calls menuItemSelected(itemId)', async () => {
    const got = await page.evaluate(async () => {
      const w = window as any;
      const ctx = w.__webmail.zimletMgr.getPanelZimlets().find((z: any) => z.panelItem.menuItems.length);
      const calls: unknown[] = [];
      ctx.handlerObject.menuItemSelected = (id: string) => calls.push(id);
      const item = document.getElementById(`zimlet-${ctx.name}`)!;
      item.focus();
      item.dispatchEvent(new KeyboardEvent('keydown', { key: 'F10', shiftKey: true, bubbles: true }));
      const active = document.activeElement as HTMLElement;
      const id = active.dataset['itemId'];
      active.click();
      return { calls, id };
    });
    assert.deepEqual(got.calls, [got.id]);
  });

  await step('initializeToolbar adds a compose button; onSendButtonClicked true suppresses the send', async () => {
    await page.evaluate(() => {
      const w = window as any;
      const h = w.__webmail.zimletMgr.getZimlets()[0].handlerObject;
      h.initializeToolbar = function (_app: unknown, toolbar: any, controller: any, viewId: string) {
        if (viewId.indexOf('COMPOSE') < 0 || toolbar.getButton('SMOKE_SEND')) return;
        const b = toolbar.createOp('SMOKE_SEND', { text: 'Envoyer avec Smoke', tooltip: 'smoke', index: 1 });
        b.addSelectionListener(new w.AjxListener(this, (ctrl: any) => { w.__smokeCtrl = ctrl === controller; }, controller));
      };
      h.onSendButtonClicked = (_c: unknown, msg: any) => { w.__smokeSubject = msg.subject; return true; };
    });
    await page.click('#zb__TV__NEW_MESSAGE');
    await page.click('#zb__COMPOSE__SMOKE_SEND');
    assert.equal(await page.evaluate(() => (window as any).__smokeCtrl), true);
    await page.evaluate(() => (window as any).appCtxt.getCurrentView().setAddress((window as any).AjxEmailAddress.CC, 'a@x.lu; b@y.lu'));
    assert.equal(await page.inputValue('#zm-compose-cc'), 'a@x.lu; b@y.lu');
    await page.fill('#zm-compose-to', 'luc.hoffmann@esante.lu');
    await page.fill('#zm-compose-subject', 'Pris par le zimlet');
    await page.click('#zb__COMPOSE__SEND');
    assert.equal(await page.evaluate(() => (window as any).__smokeSubject), 'Pris par le zimlet');
    assert.ok(await page.isVisible('#zm-compose'), 'the compose view should still be open');
    await page.click('#zb__COMPOSE__CANCEL');
  });

  await step('emailErrorCheck warns; Annuler keeps compose, OK sends anyway', async () => {
    await page.evaluate(() => {
      const w = window as any;
      const h = w.__webmail.zimletMgr.getZimlets()[0].handlerObject;
      delete h.onSendButtonClicked;
      h.emailErrorCheck = (_msg: unknown, arr: unknown[]) => arr.push({ hasError: true, errorMsg: 'Pièce jointe oubliée ?', zimletName: h.name });
    });
    await page.click('#zb__TV__NEW_MESSAGE');
    await page.fill('#zm-compose-to', 'luc.hoffmann@esante.lu');
    await page.fill('#zm-compose-subject', 'Avec avertissement');
    await page.click('#zb__COMPOSE__SEND');
    await page.waitForSelector('#zm-zimlet-warning-dialog[open]');
    assert.equal(await page.textContent('#zm-zimlet-warning-message'), 'Pièce jointe oubliée ?');
    await page.click('#zm-zimlet-warning-dialog_button1');
    assert.ok(await page.isVisible('#zm-compose'));
    await page.click('#zb__COMPOSE__SEND');
    await page.click('#zm-zimlet-warning-dialog_button2');
    await page.waitForSelector('#zm-mail-app');
    await page.evaluate(() => delete (window as any).__webmail.zimletMgr.getZimlets()[0].handlerObject.emailErrorCheck);
  });

  await step('appCtxt.getApp(ZmApp.MAIL).compose prefills To/Cc/subject', async () => {
    await page.evaluate(() => {
      const w = window as any;
      w.appCtxt.getApp(w.ZmApp.MAIL).compose({ action: w.ZmOperation.NEW_MESSAGE, toOverride: 'a@x.lu', ccOverride: 'c@x.lu', subjOverride: 'Sujet' });
    });
    assert.equal(await page.inputValue('#zm-compose-to'), 'a@x.lu');
    assert.equal(await page.inputValue('#zm-compose-cc'), 'c@x.lu');
    assert.equal(await page.inputValue('#zm-compose-subject'), 'Sujet');
    await page.click('#zb__COMPOSE__CANCEL');
  });

  await step('a zimlet-created address book and contact appear (sendRequest + tree refresh)', async () => {
    const folderId = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const w = window as any;
          w.appCtxt.getAppController().sendRequest({
            jsonObj: { CreateFolderRequest: { _jsns: 'urn:zimbraMail', folder: { name: 'Professionnels', view: 'contact', l: '1' } } },
            asyncMode: true,
            callback: new w.AjxCallback(null, (r: any) => {
              const f = r.getResponse().CreateFolderResponse.folder;
              const id = String((Array.isArray(f) ? f[0] : f).id);
              w.appCtxt.getAppController().sendRequest({
                jsonObj: { CreateContactRequest: { _jsns: 'urn:zimbraMail', cn: { l: id, a: [{ n: 'firstName', _content: 'Luc' }, { n: 'lastName', _content: 'Hoffmann' }, { n: 'email', _content: 'luc.hoffmann@esante.lu' }] } } },
                asyncMode: true,
                callback: () => resolve(id),
                errorCallback: (ex: any) => (reject(new Error(ex.code)), true),
              });
            }),
            errorCallback: new w.AjxCallback(null, (ex: any) => (reject(new Error(ex.code)), true)),
          });
        }),
    );
    await page.click(`#zm-folder-${folderId}`);
    await page.waitForSelector('#zm-contact-list [data-contact-id]');
    assert.match((await page.textContent('#zm-contact-list tbody')) ?? '', /luc\.hoffmann@esante\.lu/);
    await page.screenshot({ path: join(out, 'contacts.png') });
    await page.click('#zm-contact-list [data-contact-id] button');
    assert.match(await page.inputValue('#zm-compose-to'), /luc\.hoffmann@esante\.lu/);
    await page.click('#zb__COMPOSE__CANCEL');
  });

  await step('a SOAP fault nobody handles shows the error dialog', async () => {
    await page.evaluate(() => (window as any).appCtxt.getAppController().sendRequest({ jsonObj: { GetMsgRequest: { _jsns: 'urn:zimbraMail', m: { id: '999999' } } }, asyncMode: true }));
    await page.waitForSelector('#zm-error-dialog[open]');
    await page.click('#zm-error-dialog_button2');
    assert.equal(await page.locator('#zm-error-dialog[open]').count(), 0);
  });

  await step('the recipient sees it unread in Réception; opening marks it read; Delete moves it to Corbeille', async () => {
    const jc = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await jc.addInitScript('window.__name = (f) => f;');
    await login(jc, 'jean-claude.weber@esante.lu');
    const row = jc.locator('#zm-msg-list [role=option]', { hasText: 'Essai sandbox' });
    await row.waitFor();
    assert.match((await row.getAttribute('class')) ?? '', /unread/);
    await jc.screenshot({ path: join(out, 'inbox-recipient.png') });
    await row.click();
    await jc.waitForSelector('#zm-msg-view');
    assert.doesNotMatch((await row.getAttribute('class')) ?? '', /unread/);
    await jc.focus('#zm-msg-list');
    await jc.keyboard.press('Delete');
    await jc.click('#zm-folder-trash');
    await jc.locator('#zm-msg-list [role=option]', { hasText: 'Essai sandbox' }).waitFor();
    await jc.close();
  });

  await step('a German session shows German texts', async () => {
    const de = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await login(de, 'sophie.muller@esante.lu', 'fallback');
    assert.equal(await de.textContent('#zm-folder-inbox .ZmTreeLabel'), 'Posteingang');
    assert.equal(await de.getAttribute('html', 'lang'), 'de');
    await de.screenshot({ path: join(out, 'inbox-de.png') });
    await de.close();
  });

  await step('no uncaught page error', async () => {
    assert.deepEqual(problems, []);
  });
} finally {
  await browser.close();
  await sbx.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(`screenshots: ${out}\n`);
}
process.exit(failed ? 1 : 0);
