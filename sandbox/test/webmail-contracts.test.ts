/**
 * The sandbox webmail keeps Zimbra's contracts with zimlets (issue 10), checked in Chromium with a
 * probe zimlet that records every hook it gets. Each test cites the zm-web-client code it follows:
 * - compose controllers reused with their toolbar, `initializeToolbar` on each compose
 *   (core/ZmApp.js:717-737, ZmComposeController.js:1138, :1252-1255);
 * - `onSendButtonClicked(controller, controller._msg)`, a throwing hook aborts Send
 *   (ZmComposeController.js:1781-1786, ZmZimletMgr.js:414-429);
 * - `onSendMsgSuccess(ctrl, msg, draftType)` (:675); "send later" never calls onSendButtonClicked
 *   (:1795-1798, :2064-2086); autosave (:1329-1339, :1992-1998); the pop shield (:365-400);
 * - `singleClicked` after 350 ms, cancelled by a double click (ZmZimletTreeController.js:195-220);
 * - conversation view: `onMsgView` once per expanded message (ZmConvView2.js:239-252, ZmMailMsgView.js:516).
 * Needs /usr/bin/chromium (as the e2e suite).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';
import { chromium, type Browser, type Page } from '@playwright/test';
import { startTestSandbox, PASSWORD, MARIE, JEAN, type TestSandbox } from './helpers.ts';
import { loginAs, soapAs } from '../server/testing.ts';

async function writeZip(path: string, files: Record<string, string>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject));
}

const DESCRIPTOR = `<zimlet name="lu_test_probe" version="1.0.0" label="Probe" description="Records hooks">
  <include>probe.js</include>
  <handlerObject>lu_test_probe_HandlerObject</handlerObject>
  <zimletPanelItem label="Probe" icon="probe"><toolTipText>Probe</toolTipText></zimletPanelItem>
</zimlet>`;

/** A second zimlet, after the probe by name (same priority): it must not hear a hook the probe threw in. */
const DESCRIPTOR_2 = DESCRIPTOR.replaceAll('lu_test_probe', 'lu_test_probf').replace('probe.js', 'probf.js');
const PROBF_JS = `
function lu_test_probf_HandlerObject() {}
lu_test_probf_HandlerObject.prototype = new ZmZimletBase();
lu_test_probf_HandlerObject.prototype.constructor = lu_test_probf_HandlerObject;
lu_test_probf_HandlerObject.prototype.onSendButtonClicked = function () { window.__probe.calls.push({ name: 'probf.onSendButtonClicked' }); return false; };
`;

/** The probe: every hook appends `{name, ...}` to `window.__probe.calls`; flags steer its answers. */
const PROBE_JS = `
function lu_test_probe_HandlerObject() {}
lu_test_probe_HandlerObject.prototype = new ZmZimletBase();
lu_test_probe_HandlerObject.prototype.constructor = lu_test_probe_HandlerObject;
var P = window.__probe = { calls: [], throwOnSend: false, suppress: false, nextCtrl: 0 };
function ctrlId(c) { if (!c) return null; if (!c.__probeId) c.__probeId = ++P.nextCtrl; return c.__probeId; }
function rec(name, extra) { var o = extra || {}; o.name = name; o.t = performance.now(); P.calls.push(o); }
var H = lu_test_probe_HandlerObject.prototype;
H.initializeToolbar = function (app, toolbar, controller, viewId) {
  rec('initializeToolbar', { viewId: viewId, ctrl: ctrlId(controller), hadButton: !!toolbar.getOp('PROBE') });
  if (String(viewId).indexOf('COMPOSE') === 0 && !toolbar.getOp('PROBE')) {
    toolbar.createOp('PROBE', { text: 'Probe' });
    toolbar.createOp('PROBE_IMG', { text: 'Texte', image: 'probe' });
    toolbar.createOp('PROBE_BOTH', { text: 'Les deux', image: 'probe', showImageInToolbar: true, showTextInToolbar: true });
    toolbar.createOp('PROBE_ICON', { text: 'Icône', tooltip: 'Icône seule', image: 'probe', showImageInToolbar: true });
  }
};
H.onSendButtonClicked = function (controller, msg) {
  rec('onSendButtonClicked', { ctrl: ctrlId(controller), msg: msg === null ? null : (msg && msg.id) });
  if (P.throwOnSend) throw new Error('probe refuses');
  return P.suppress;
};
H.onSendMsgSuccess = function (controller, msg, draftType) { rec('onSendMsgSuccess', { ctrl: ctrlId(controller), draftType: draftType }); };
H.onSendMsgFailure = function (controller, ex, msg) { rec('onSendMsgFailure', { code: ex && ex.code }); };
H.singleClicked = function () { rec('singleClicked'); };
H.doubleClicked = function () { rec('doubleClicked'); };
H.onMsgView = function (msg, oldMsg, view) {
  var el = view && view.getHtmlElement && view.getHtmlElement();
  rec('onMsgView', { id: msg.id, viewEl: el ? el.id : null, bodyIframe: !!(el && el.querySelector('iframe')) });
};
`;

describe('webmail keeps Zimbra contracts (Chromium, probe zimlet)', () => {
  let sb: TestSandbox;
  let browser: Browser;
  let page: Page;
  const soapSeen: Array<{ name: string; body: any }> = [];

  async function calls(name?: string): Promise<any[]> {
    const all = (await page.evaluate('window.__probe.calls')) as any[];
    return name ? all.filter((c) => c.name === name) : all;
  }
  async function waitCalls(name: string, n: number): Promise<any[]> {
    await page.waitForFunction(([nm, k]) => (window as any).__probe.calls.filter((c: any) => c.name === nm).length >= (k as number), [name, n] as const);
    return calls(name);
  }
  async function newMessage(): Promise<void> {
    await page.click('#zb__TV__NEW_MESSAGE');
    await page.waitForSelector('#zm-compose', { state: 'visible' });
  }
  async function fill(subject: string): Promise<void> {
    await page.fill('#zm-compose-to', JEAN);
    await page.fill('#zm-compose-subject', subject);
    await page.fill('#zm-compose-body', `corps ${subject}`);
  }

  before(async () => {
    sb = await startTestSandbox({ autoSaveDraftInterval: '1s' });
    mkdirSync(sb.zimletsDir, { recursive: true });
    await writeZip(join(sb.zimletsDir, 'lu_test_probe.zip'), { 'lu_test_probe.xml': DESCRIPTOR, 'probe.js': PROBE_JS });
    await writeZip(join(sb.zimletsDir, 'lu_test_probf.zip'), { 'lu_test_probf.xml': DESCRIPTOR_2, 'probf.js': PROBF_JS });
    const reload = await fetch(new URL('/sandbox/zimlets/reload', sb.url), { method: 'POST' });
    assert.equal(reload.status, 200);
    browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ locale: 'fr-FR' });
    await page.addInitScript('window.__name = (f) => f;');
    page.on('request', (r) => {
      const m = /\/service\/soap\/(\w+)$/.exec(r.url());
      if (m) soapSeen.push({ name: m[1]!, body: r.postDataJSON()?.Body?.[m[1]!] });
    });
    await page.goto(`${sb.url}/`);
    await page.fill('#username', MARIE);
    await page.fill('#password', PASSWORD);
    await page.check('#authMethod-card');
    await page.click('#login-submit');
    await page.waitForSelector('body[data-zimlets="loaded"]');
  });
  after(async () => {
    await browser?.close();
    await sb?.dispose();
  });

  test('the compose controller and its toolbar are reused; initializeToolbar fires on every compose', async () => {
    await newMessage();
    const [first] = await waitCalls('initializeToolbar', 1).then((c) => c.filter((x) => x.viewId.startsWith('COMPOSE')));
    assert.deepEqual([first!.viewId, first!.hadButton], ['COMPOSE-1', false]);
    await fill('premier');
    await page.click('#zb__COMPOSE__SEND');
    const [sent] = await waitCalls('onSendMsgSuccess', 1);
    assert.equal(sent.draftType, 'none');
    const [clicked] = await calls('onSendButtonClicked');
    assert.equal(clicked.msg, null, 'a new message: controller._msg is null');
    assert.equal(clicked.ctrl, first!.ctrl);
    await page.waitForSelector('#zm-compose', { state: 'detached' });
    const sends = soapSeen.filter((s) => s.name === 'SendMsgRequest');
    assert.equal(sends.length, 1);

    await newMessage();
    const again = (await waitCalls('initializeToolbar', 2)).filter((x) => x.viewId.startsWith('COMPOSE'));
    assert.equal(again.length, 2);
    assert.equal(again[1].ctrl, first!.ctrl, 'same controller object');
    assert.equal(again[1].hadButton, true, 'same toolbar: the zimlet button of the first compose is still there');
    assert.equal(await page.inputValue('#zm-compose-subject'), '', 'the reused view starts empty');
  });

  // ZmButtonToolBar.createOp (ZmButtonToolBar.js:174-178): with a text, the image only with showImageInToolbar,
  // and then the text only with showTextInToolbar too (issue 10 defect 6: the padlock that never showed).
  test('createOp drops the image of a button with a text unless showImageInToolbar, as Zimbra', async () => {
    const shown = (id: string) =>
      page.evaluate((i) => {
        const el = document.getElementById(`zb__COMPOSE__${i}`)!;
        const img = el.querySelector('.ZButtonImage') as HTMLElement;
        return { text: el.querySelector('.ZButtonText')!.textContent, img: img.classList.contains('Imgprobe'), imgShown: getComputedStyle(img).display !== 'none', label: el.getAttribute('aria-label') };
      }, id);
    assert.deepEqual(await shown('PROBE_IMG'), { text: 'Texte', img: false, imgShown: false, label: null });
    assert.deepEqual(await shown('PROBE_BOTH'), { text: 'Les deux', img: true, imgShown: true, label: null });
    assert.deepEqual(await shown('PROBE_ICON'), { text: '', img: true, imgShown: true, label: 'Icône seule' });
  });

  test('list toolbars (mail "TV", contacts "CNS") are offered to zimlets once each', async () => {
    const views = (await calls('initializeToolbar')).map((c) => c.viewId).filter((v) => !String(v).startsWith('COMPOSE'));
    assert.deepEqual(views.sort(), ['CNS', 'TV']);
  });

  test('a throwing onSendButtonClicked aborts the send; suppressing it sends nothing', async () => {
    await fill('refusé');
    const before = soapSeen.filter((s) => s.name === 'SendMsgRequest').length;
    await page.evaluate('window.__probe.throwOnSend = true');
    await page.click('#zb__COMPOSE__SEND');
    await waitCalls('onSendButtonClicked', 2);
    // ZmZimletMgr.notifyZimlets (:414-429) catches nothing: the throw also skipped the later zimlet's hook.
    assert.equal((await calls('probf.onSendButtonClicked')).length, 1, 'heard on the first send only, not after the throw');
    assert.match((await page.getAttribute('body', 'data-zimlet-errors')) ?? '', /lu_test_probe/);
    await page.evaluate('window.__probe.throwOnSend = false; window.__probe.suppress = true');
    await page.click('#zb__COMPOSE__SEND');
    await waitCalls('onSendButtonClicked', 3);
    // Both clicks are handled synchronously: no request was started by either.
    assert.equal(soapSeen.filter((s) => s.name === 'SendMsgRequest').length, before);
    assert.ok(await page.isVisible('#zm-compose'));
    await page.evaluate('window.__probe.suppress = false');
  });

  // ZmComposeController._handleErrorSendMsg (:689-779): zimlets hear onSendMsgFailure(ctrl, ex, msg), the
  // compose stays with the user's text, the autosave timer is re-armed (:776-778).
  test('a failed send: onSendMsgFailure(ctrl, ex, msg), the compose stays, autosave re-armed', async () => {
    await page.route('**/service/soap/SendMsgRequest', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ Body: { Fault: { Code: { Value: 'soap:Sender' }, Reason: { Text: 'refusé par le MTA' }, Detail: { Error: { Code: 'mail.SEND_FAILURE', _jsns: 'urn:zimbra' } } } } }),
      }),
    );
    try {
      await page.click('#zb__COMPOSE__SEND');
      const [failure] = await waitCalls('onSendMsgFailure', 1);
      assert.equal(failure.code, 'mail.SEND_FAILURE');
      assert.ok(await page.isVisible('#zm-compose'));
      assert.equal(await page.inputValue('#zm-compose-subject'), 'refusé');
      assert.notEqual(await page.evaluate('appCtxt.getCurrentController()._autoSaveTimer._timer'), null, 'autosave waits again');
      await page.click('#zm-error-dialog_button2');
    } finally {
      await page.unroute('**/service/soap/SendMsgRequest');
    }
  });

  // ZmComposeController._autoSaveTimer is a DwtIdleTimer (:60, :1329-1339); Zimbra's send kills it (:561-569)
  // and so may a zimlet that sends by itself: activity no longer restarts it (DwtIdleTimer.js:40-44).
  test('_autoSaveTimer.kill() stops autosave until the controller re-arms it', async () => {
    const killedAfterTyping = await page.evaluate(() => {
      const c = (window as any).appCtxt.getCurrentController();
      c._autoSaveTimer.kill();
      (document.getElementById('zm-compose-body') as HTMLTextAreaElement).dispatchEvent(new Event('input', { bubbles: true }));
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
      return c._autoSaveTimer._timer;
    });
    assert.equal(killedAfterTyping, null, 'typing does not restart a killed timer');
    await page.evaluate('appCtxt.getCurrentController()._autoSaveTimer.resurrect(1000)');
  });

  test('"Envoyer plus tard" saves the draft with autoSendTime and never calls onSendButtonClicked', async () => {
    const clicks = (await calls('onSendButtonClicked')).length;
    await page.click('#zb__COMPOSE__SEND_LATER');
    await page.waitForSelector('#zm-send-later-dialog[open]');
    const later = new Date(Date.now() + 3600_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.fill('#zm-send-later-when', later);
    const req = page.waitForRequest((r) => r.url().endsWith('/SaveDraftRequest'));
    await page.click('#zm-send-later-dialog_button2');
    const body = (await req).postDataJSON().Body.SaveDraftRequest;
    assert.ok(body.m.autoSendTime > Date.now() + 3000_000);
    const success = await waitCalls('onSendMsgSuccess', 2);
    assert.equal(success.at(-1).draftType, 'delaysend');
    assert.equal((await calls('onSendButtonClicked')).length, clicks);
    await page.waitForSelector('#zm-compose', { state: 'detached' });
  });

  test('autosave saves a dirty compose after the idle interval; leaving asks whether to keep it', async () => {
    await newMessage();
    const saved = page.waitForRequest((r) => r.url().endsWith('/SaveDraftRequest'));
    await fill('autosave');
    const body = (await saved).postDataJSON().Body.SaveDraftRequest;
    assert.equal(body.m.su._content, 'autosave');
    const success = await waitCalls('onSendMsgSuccess', 3);
    assert.equal(success.at(-1).draftType, 'auto');
    await page.click('#zb__COMPOSE__CANCEL');
    await page.waitForSelector('#zm-compose-leave-dialog[open]');
    const del = page.waitForRequest((r) => r.url().endsWith('/MsgActionRequest'));
    await page.click('#zm-compose-leave-dialog_button4');
    assert.equal((await del).postDataJSON().Body.MsgActionRequest.action.op, 'delete');
    await page.waitForSelector('#zm-compose', { state: 'detached' });
  });

  test('a clean compose leaves at once; a dirty one asks and Cancel stays', async () => {
    await newMessage();
    await page.click('#zb__COMPOSE__CANCEL');
    await page.waitForSelector('#zm-compose', { state: 'detached' });
    await newMessage();
    await page.fill('#zm-compose-body', 'à garder');
    await page.click('#zm-folder-sent');
    await page.waitForSelector('#zm-compose-leave-dialog[open]');
    await page.click('#zm-compose-leave-dialog_button1');
    assert.ok(await page.isVisible('#zm-compose'));
    assert.equal(await page.inputValue('#zm-compose-body'), 'à garder');
    await page.click('#zb__COMPOSE__CANCEL');
    await page.click('#zm-compose-leave-dialog_button4');
    await page.waitForSelector('#zm-compose', { state: 'detached' });
  });

  // ZmComposeController.js:677-680 (`_dontSavePreHide = true; _app.popView(true, _currentView)`),
  // ZmApp.popView → ZmAppViewMgr.popView (ZmApp.js:393-396, ZmAppViewMgr.js:764-870), _preHideCallback (:405-425).
  test('popView: forced leaves without the pop shield (autosaving unless _dontSavePreHide); unforced asks', async () => {
    /** Fills the compose and pops it in ONE task, so no idle autosave can run in between. */
    const fillAndPop = (subject: string, dontSave: boolean, force: boolean, viewId?: string) =>
      page.evaluate(
        ([su, dont, f, id, to]) => {
          const c = (window as any).appCtxt.getCurrentController();
          const v = c._composeView;
          v._addrFields.to.value = to;
          v._subjectField.value = su;
          v._bodyField.value = 'données patient';
          if (dont) c._dontSavePreHide = true;
          return c._app.popView(f, id === '' ? c._currentView : id);
        },
        [subject, dontSave, force, viewId ?? '', JEAN] as const,
      );
    const drafts = (su: string) => soapSeen.filter((s) => s.name === 'SaveDraftRequest' && s.body?.m?.su?._content === su).length;
    const listRefreshed = () => page.waitForRequest((r) => r.url().endsWith('/SearchRequest'));

    await newMessage();
    let refreshed = listRefreshed();
    assert.equal(await fillAndPop('envoyé par le zimlet', true, true), true);
    await page.waitForSelector('#zm-compose', { state: 'detached' });
    await refreshed;
    assert.equal(await page.isVisible('#zm-compose-leave-dialog[open]'), false);
    assert.equal(drafts('envoyé par le zimlet'), 0, '_dontSavePreHide: nothing autosaved');

    await newMessage();
    refreshed = listRefreshed();
    const saved = page.waitForRequest((r) => r.url().endsWith('/SaveDraftRequest'));
    assert.equal(await fillAndPop('quitté de force', false, true), true);
    assert.equal((await saved).postDataJSON().Body.SaveDraftRequest.m.su._content, 'quitté de force', 'a forced pop autosaves a dirty compose');
    await page.waitForSelector('#zm-compose', { state: 'detached' });
    await refreshed;

    await newMessage();
    assert.equal(await fillAndPop('pas ce compose', true, true, 'COMPOSE-9'), false, 'another view id pops nothing');
    assert.ok(await page.isVisible('#zm-compose'));
    assert.equal(await fillAndPop('demande', false, false), false, 'unforced: the pop shield asks');
    await page.waitForSelector('#zm-compose-leave-dialog[open]');
    await page.click('#zm-compose-leave-dialog_button1');
    assert.ok(await page.isVisible('#zm-compose'));
    await page.click('#zb__COMPOSE__CANCEL');
    await page.click('#zm-compose-leave-dialog_button4');
    await page.waitForSelector('#zm-compose', { state: 'detached' });
  });

  test('singleClicked waits 350 ms; a double click cancels it', async () => {
    await page.click('#zimlet-lu_test_probe');
    const clickedAt = (await page.evaluate('performance.now()')) as number;
    const [single] = await waitCalls('singleClicked', 1);
    assert.ok(single.t - clickedAt >= 300, `singleClicked after ${single.t - clickedAt} ms`);
    await page.dblclick('#zimlet-lu_test_probe');
    await waitCalls('doubleClicked', 1);
    // A later single click's timer fires after any timer the double click could have left.
    await page.click('#zimlet-lu_test_probe');
    await waitCalls('singleClicked', 2);
    assert.equal((await calls('singleClicked')).length, 2);
  });

  test('conversation view: onMsgView once per expanded message, body in an iframe', async () => {
    const jean = await loginAs(sb.url, JEAN, PASSWORD);
    const first = await soapAs<{ m: any[] }>(sb.url, jean, 'SendMsgRequest', { m: { e: [{ t: 't', a: MARIE }], su: 'Fil', mp: [{ ct: 'text/plain', content: 'un' }] } });
    assert.ok(first.m[0].id);
    await soapAs(sb.url, jean, 'SendMsgRequest', { m: { e: [{ t: 't', a: MARIE }], su: 'Re: Fil', mp: [{ ct: 'text/plain', content: 'deux' }] } });
    await page.click('#zm-folder-inbox');
    const row = page.locator('#zm-msg-list [role=option]', { hasText: 'Fil' }).first();
    await row.waitFor();
    const before = (await calls('onMsgView')).length;
    await row.click();
    const views = (await waitCalls('onMsgView', before + 1)).slice(before);
    // Both messages are unread: both expanded, one onMsgView each, each with its own view element.
    assert.equal(views.length, 2);
    assert.deepEqual(new Set(views.map((v) => v.viewEl)).size, 2);
    assert.ok(views.some((v) => v.viewEl === 'zm-msg-view'), 'the selected message keeps #zm-msg-view');
    for (const v of views) assert.equal(v.bodyIframe, true, 'the message body is in an iframe');
    const expanded = await page.locator('#zm-conv-view .ZmMailMsgView[data-expanded="true"]').count();
    assert.equal(views.length, expanded, 'one onMsgView per expanded message');
  });

  // ZmBaseController._initializeToolBar (ZmBaseController.js:303-371): once per toolbar, with the view id;
  // a double click shows the conversation alone (ZmConvController, "CV-1"); Fermer pops it (:588-591).
  test('a conversation opened alone has its own toolbar, offered once as "CV-1"; Fermer goes back to the list', async () => {
    const row = page.locator('#zm-msg-list [role=option]', { hasText: 'Fil' }).first();
    const viewsBefore = (await calls('onMsgView')).length;
    await row.dblclick();
    await page.waitForSelector('#zm-cv-alone[data-view-id="CV-1"] #zm-conv-view');
    await page.waitForFunction(() => (window as any).__probe.calls.some((c: any) => c.name === 'initializeToolbar' && c.viewId === 'CV-1'));
    assert.equal(await page.evaluate('appCtxt.getCurrentViewId()'), 'CV-1');
    const views = (await calls('onMsgView')).slice(viewsBefore);
    assert.ok(views.length >= 1 && views.every((v) => v.viewEl), 'onMsgView for the messages shown alone, with their view element');
    await page.click('#zb__CV__CLOSE');
    await page.waitForSelector('#zm-msg-list');
    await row.dblclick();
    await page.waitForSelector('#zm-cv-alone');
    await page.click('#zb__CV__CLOSE');
    await page.waitForSelector('#zm-msg-list');
    assert.equal((await calls('initializeToolbar')).filter((c) => c.viewId.startsWith('CV')).length, 1, 'the reused controller keeps its toolbar: offered once');
  });
});
