import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ZmZimletContext, processMessage, type ZimletInfoJson } from './zimlet-context.ts';
import { ZmZimletBase, setZimletRuntime, type ZimletRuntime, type RpcResult } from './zimlet-base.ts';
import { ZmZimletMgr, ALL_ZIMLETS_SCRIPT, hasZimletsForTarget, zimletTargetRe } from './zimlet-mgr.ts';

/** A GetInfoResponse zimlets.zimlet[] entry in Zimbra's JSON shape (arrays for child elements). */
function info(name: string, extra: Record<string, unknown> = {}): ZimletInfoJson {
  return {
    zimlet: [
      {
        name,
        version: '1.0.0',
        label: '${msg.zimlet_label}',
        description: '${msg.zimlet_description}',
        handlerObject: [{ _content: `${name}_HandlerObject` }],
        include: [{ _content: `${name}.js` }],
        zimletPanelItem: [
          {
            label: '${msg.zimlet_label}',
            icon: `${name}-panelIcon`,
            toolTipText: [{ _content: '${msg.zimlet_tooltip}' }],
            contextMenu: [{ menuItem: [{ id: 'about', label: '${msg.menu_about}' }, { id: 'options', label: 'Options' }] }],
          },
        ],
        ...extra,
      },
    ],
    zimletContext: [{ baseUrl: `/service/zimlet/${name}/`, priority: 1, presence: 'enabled' }],
    zimletConfig: [{ name, version: '1.0.0', global: [{ property: [{ name: 'portalUrl', _content: 'https://portal.example.lu' }, { name: 'enabled', _content: 'yes' }] }] }],
  };
}

const messages = { zimlet_label: 'Regify', zimlet_description: 'Messages chiffrés', zimlet_tooltip: 'Ouvrir Regify', menu_about: 'À propos' };

function makeRuntime(win: Record<string, any>, sent: unknown[] = []): ZimletRuntime {
  return {
    win,
    username: () => 'marie.schmit@esante.lu',
    userId: () => 'uid-1',
    shell: () => ({ shell: true }),
    setStatusMsg: () => undefined,
    showError: () => undefined,
    sendRequest: (p) => {
      sent.push(p.jsonObj);
      return undefined;
    },
    zimletErrorTitle: (l) => `Erreur du zimlet ${l}`,
  };
}

describe('ZmZimletContext (ZmZimletContext.js)', () => {
  test('reads the descriptor, panel item, menu and config; localizes ${msg.key}', () => {
    const ctx = new ZmZimletContext(0, info('lu_esante_regify'));
    assert.equal(ctx.handlerObjectName, 'lu_esante_regify_HandlerObject');
    assert.equal(ctx.getUrl(), '/service/zimlet/lu_esante_regify/');
    assert.equal(ctx.getConfig('portalUrl'), 'https://portal.example.lu');
    assert.equal(ctx.getConfig('missing'), null);
    ctx.localize({ lu_esante_regify: messages });
    assert.equal(ctx.label, 'Regify');
    assert.equal(ctx.panelItem?.label, 'Regify');
    assert.equal(ctx.panelItem?.toolTipText, 'Ouvrir Regify');
    assert.deepEqual(ctx.panelItem?.menuItems.map((m) => [m.id, m.label]), [['about', 'À propos'], ['options', 'Options']]);
    assert.equal(ctx.getVal('zimletPanelItem.icon'), 'lu_esante_regify-panelIcon');
  });
  test('a missing key stays visible, a missing bundle leaves the text as is', () => {
    assert.match(processMessage({ z: {} }, 'z', 'x ${msg.nope}'), /^x \(UNDEFINED/);
    assert.equal(processMessage({}, 'z', '${msg.nope}'), '${msg.nope}');
  });
  test('refuses a zimlet name Zimbra would refuse', () => {
    assert.throws(() => new ZmZimletContext(0, info('../evil')), /Invalid zimlet name/);
  });
});

describe('ZmZimletBase (ZmZimletBase.js)', () => {
  let ctx: ZmZimletContext;
  let base: InstanceType<typeof ZmZimletBase>;
  const sent: unknown[] = [];
  beforeEach(() => {
    sent.length = 0;
    setZimletRuntime(makeRuntime({ lu_esante_regify: messages }, sent));
    ctx = new ZmZimletContext(0, info('lu_esante_regify'));
    base = new ZmZimletBase();
    base._init(ctx, { shell: true });
  });
  test('getMessage answers the text, ???key??? when missing', () => {
    assert.equal(base.getMessage('zimlet_label'), 'Regify');
    assert.equal(base.getMessage('no_such_key'), '???no_such_key???');
    setZimletRuntime(makeRuntime({}));
    assert.equal(base.getMessage('zimlet_label'), '???zimlet_label???');
  });
  test('getUsername, getConfig, getBoolConfig, getResource, getShell', () => {
    assert.equal(base.getUsername(), 'marie.schmit@esante.lu');
    assert.equal(base.getConfig('portalUrl'), 'https://portal.example.lu');
    assert.equal(base.getBoolConfig('enabled'), true);
    assert.equal(base.getBoolConfig('missing', true), true);
    assert.equal(base.getResource('icon.png'), '/service/zimlet/lu_esante_regify/icon.png');
    assert.deepEqual(base.getShell(), { shell: true });
  });
  test('setUserProperty(save) sends ModifyPropertiesRequest with every property of the zimlet', () => {
    base.setUserProperty('accountId', 'r-42');
    base.setUserProperty('lang', 'fr', true);
    assert.equal(base.getUserProperty('accountId'), 'r-42');
    assert.deepEqual(sent, [
      {
        ModifyPropertiesRequest: {
          _jsns: 'urn:zimbraAccount',
          prop: [
            { zimlet: 'lu_esante_regify', name: 'accountId', _content: 'r-42' },
            { zimlet: 'lu_esante_regify', name: 'lang', _content: 'fr' },
          ],
        },
      },
    ]);
  });
  test('a handler built the Zimbra way inherits everything', () => {
    const H = function () {} as unknown as { new (): InstanceType<typeof ZmZimletBase> & { hello(): string }; prototype: any };
    H.prototype = new ZmZimletBase();
    H.prototype.constructor = H;
    H.prototype.hello = function (this: InstanceType<typeof ZmZimletBase>) {
      return this.getMessage('zimlet_label');
    };
    const h = new H();
    h._init(ctx, null);
    assert.equal(h.hello(), 'Regify');
    assert.ok(h instanceof ZmZimletBase);
  });
});

// ZmZimletBase.js: setIcon :893, resetIcon :920, setBusyIcon :864, sendRequest :779, requestFinished :756.
describe('ZmZimletBase members zimlets may call', () => {
  function zimlet(rtExtra: Partial<ZimletRuntime> = {}) {
    const win: Record<string, any> = {};
    setZimletRuntime({ ...makeRuntime(win), ...rtExtra });
    const ctx = new ZmZimletContext(0, info('lu_esante_regify'));
    const z = new ZmZimletBase();
    z._init(ctx, null);
    return { z, ctx };
  }
  test('setBusyIcon / resetIcon change the panel icon and restore the descriptor one', () => {
    const icons: Array<string | undefined> = [];
    const { z, ctx } = zimlet({ setPanelIcon: (_n, icon) => icons.push(icon) });
    const orig = ctx.panelItem!.icon;
    z.setBusyIcon();
    assert.equal(ctx.panelItem!.icon, 'ZimbraIcon DwtWait16Icon');
    z.resetIcon();
    assert.deepEqual(icons, ['ZimbraIcon DwtWait16Icon', orig]);
  });
  test('sendRequest goes through /service/proxy; a failure is shown unless passErrors, then the callback gets it', async () => {
    const errors: string[] = [];
    const results: RpcResult[] = [];
    const { z } = zimlet({ showError: (p) => errors.push(p.errMsg) });
    // In node the relative proxy URL cannot be fetched: the request fails, as a refused proxy target would.
    await z.sendRequest('<x/>', 'https://remote.example.org/api', null, (r: unknown) => results.push(r as RpcResult));
    assert.equal(errors.length, 1);
    // length, not deepEqual(results, []): deepEqual's `asserts` signature would narrow results to never[].
    assert.equal(results.length, 0);
    await z.sendRequest('<x/>', 'https://remote.example.org/api', null, (r: unknown) => results.push(r as RpcResult), false, true);
    assert.equal(results.length, 1);
    assert.equal(results[0]?.success, false);
  });
  test('the no-op hooks exist (appActive, onShowView, appendExtraSignature, onMailConfirm)', () => {
    const { z } = zimlet();
    for (const m of ['appActive', 'appLaunch', 'onShowView', 'appendExtraSignature', 'onMailConfirm', 'resetToolbarOperations', 'makeCanvas']) {
      assert.equal(typeof (z as any)[m], 'function', m);
    }
  });
});

describe('ZmZimletMgr (ZmZimletMgr.js)', () => {
  function setup(win: Record<string, any>) {
    const errors: Array<[string, string]> = [];
    const loaded: string[] = [];
    setZimletRuntime(makeRuntime(win));
    const mgr = new ZmZimletMgr({
      win,
      shell: {},
      language: 'fr',
      loadScript: async (url) => {
        loaded.push(url);
        // What Zimlets-nodev_all.js does: messages as window[name], then each bundle's handler global.
        win['lu_esante_regify'] = messages;
        win['lu_esante_regify_HandlerObject'] = makeHandler({ init() { this.started = true; } });
        win['lu_esante_webex_HandlerObject'] = makeHandler({ init() { throw new Error('boom'); } });
        win['lu_esante_security_HandlerObject'] = makeHandler({
          onSendButtonClicked() { throw new Error('hook failed'); },
          onMsgView(msg: unknown) { this.seen = msg; },
        });
      },
      onError: (name, phase) => errors.push([name, phase]),
    });
    return { mgr, errors, loaded };
  }
  function makeHandler(methods: Record<string, (this: any, ...a: any[]) => unknown>) {
    const H = function () {} as any;
    H.prototype = new ZmZimletBase();
    H.prototype.constructor = H;
    Object.assign(H.prototype, methods);
    return H;
  }

  test('loads the one concatenated script, applies user props, inits handlers, isolates a failing init', async () => {
    const win: Record<string, any> = {};
    const { mgr, errors, loaded } = setup(win);
    const zimlets = await mgr.loadZimlets(
      [info('lu_esante_regify'), info('lu_esante_webex'), info('lu_esante_security')],
      [{ zimlet: 'lu_esante_regify', name: 'accountId', _content: 'r-1' }],
    );
    assert.deepEqual(loaded, [`${ALL_ZIMLETS_SCRIPT}?language=fr`]);
    assert.equal(zimlets.length, 3);
    const regify = mgr.getZimletByName('lu_esante_regify')!;
    assert.equal(regify.handlerObject.started, true);
    assert.equal(regify.handlerObject.getUserProperty('accountId'), 'r-1');
    assert.equal(regify.panelItem?.label, 'Regify');
    assert.deepEqual(errors, [['lu_esante_webex', 'init']]);
    assert.equal(mgr.getZimletByName('lu_esante_webex')!.handlerObject.getEnabled(), false);
  });

  // ZmZimletMgr.notifyZimlets (ZmZimletMgr.js:414-429) has no try/catch: a throwing hook reaches the
  // caller (Send is aborted) and the zimlets after it are not called.
  test('notifyZimlets catches nothing: a throwing hook propagates and stops the loop; truthy answers are OR-ed', async () => {
    const win: Record<string, any> = {};
    const { mgr, errors } = setup(win);
    await mgr.loadZimlets([info('lu_esante_security'), info('lu_esante_regify')]);
    const msg = { id: '257' };
    assert.equal(mgr.notifyZimlets('onMsgView', [msg, null, {}]), false);
    assert.equal(mgr.getZimletByName('lu_esante_security')!.handlerObject.seen, msg);
    let regifyCalled = false;
    win['lu_esante_regify_HandlerObject'].prototype.onSendButtonClicked = () => {
      regifyCalled = true;
      return true;
    };
    assert.throws(() => mgr.notifyZimlets('onSendButtonClicked', [{}, msg]), /hook failed/);
    assert.equal(regifyCalled, false, 'the zimlets after a throwing one are not called');
    assert.deepEqual(errors, [['lu_esante_security', 'onSendButtonClicked']]);
    delete win['lu_esante_security_HandlerObject'].prototype.onSendButtonClicked;
    assert.equal(mgr.notifyZimlets('onSendButtonClicked', [{}, msg]), true);
    assert.equal(regifyCalled, true);
    win['lu_esante_security_HandlerObject'].prototype.singleClicked = () => {
      throw new Error('click failed');
    };
    assert.throws(() => mgr.notifyZimlet('lu_esante_security', 'singleClicked', []), /click failed/);
  });

  test('a handler global the script did not define is reported, not thrown', async () => {
    const win: Record<string, any> = {};
    const errors: Array<[string, string]> = [];
    setZimletRuntime(makeRuntime(win));
    const mgr = new ZmZimletMgr({ win, shell: {}, loadScript: async () => undefined, onError: (n, p) => errors.push([n, p]) });
    await mgr.loadZimlets([info('lu_esante_medical')]);
    assert.deepEqual(errors, [['lu_esante_medical', 'init']]);
    assert.equal(mgr.notifyZimlets('onMsgView', [{}]), false);
  });

  // ZmZimletMgr._loadZimlets (ZmZimletMgr.js:193-201), ZmZimletContext targets (ZmZimletContext.js:76-80),
  // ZmNewWindow._hasZimletsForTarget (ZmNewWindow.js:344-360).
  test('target filter: each window instantiates only the zimlets whose descriptor names it ("main" by default)', async () => {
    const all = [
      info('lu_esante_regify', { target: 'main compose-window view-window' }),
      info('lu_esante_webex', { target: 'main compose-window' }),
      info('lu_esante_security', { target: 'view-window' }),
      info('lu_esante_medical'),
    ];
    const names = async (target?: string) => {
      const { mgr } = setup({});
      return (await mgr.loadZimlets(all, [], target)).map((z) => z.name);
    };
    assert.deepEqual(await names(), ['lu_esante_regify', 'lu_esante_webex', 'lu_esante_medical'], 'no target = main');
    assert.deepEqual(await names('compose-window'), ['lu_esante_regify', 'lu_esante_webex']);
    assert.deepEqual(await names('view-window'), ['lu_esante_regify', 'lu_esante_security']);
    const { mgr, loaded } = setup({});
    await mgr.loadZimlets([info('lu_esante_medical')], [], 'compose-window');
    assert.deepEqual(loaded, [], 'no zimlet for the window: the script is not even loaded');
    assert.deepEqual(new ZmZimletContext(0, all[0]!).targets, { main: true, 'compose-window': true, 'view-window': true });
    assert.equal(hasZimletsForTarget(all, 'compose-window'), true);
    assert.equal(hasZimletsForTarget([info('lu_esante_medical')], 'view-window'), false);
    // A word match, as Zimbra's \b regexp: "main" is not found inside another word.
    assert.equal(zimletTargetRe('main').test('mainframe compose-window'), false);
    assert.equal(zimletTargetRe('compose-window').test('main compose-window'), true);
  });

  test('no zimlet, no script', async () => {
    const win: Record<string, any> = {};
    const { mgr, loaded } = setup(win);
    await mgr.loadZimlets([]);
    assert.deepEqual(loaded, []);
    assert.equal(mgr.isLoaded(), true);
  });
});
