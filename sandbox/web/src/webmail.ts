/**
 * The webmail: top bar, overview, the three apps (mail, compose, contacts), and the glue the Zimbra
 * surface needs (appCtxt hooks, zimlet loading and notifications). Boots from GetInfoResponse like
 * zm-web-client's ZmZimbraMail.startup (settings, then folders, then zimlets).
 */
import { h, byId } from './ui/dom.ts';
import { t, setLang } from './i18n.ts';
import { pickLang, type Lang } from '../../../shared/i18n/lang.ts';
import { sendSoap, ZmCsfeException } from './zimbra/soap.ts';
import { ZmAppCtxt, ZmApp, ZmId, type AccountInfo, type ComposeParams } from './zimbra/app-ctxt.ts';
import { createShell, DwtComposite, DwtDialog, type DwtShell } from './zimbra/dwt.ts';
import { ZmZimletMgr } from './zimbra/zimlet-mgr.ts';
import { ZmAppViewMgr } from './zimbra/app-view-mgr.ts';
import { setZimletRuntime } from './zimbra/zimlet-base.ts';
import type { ZmZimletContext } from './zimbra/zimlet-context.ts';
import { setStatus, showError } from './ui/notify.ts';
import { Overview, flattenFolders } from './ui/overview.ts';
import { MailView } from './ui/mail-view.ts';
import { ComposeController, composedMsgOf, DRAFT_TYPE, type DraftType } from './ui/compose-view.ts';
import { MsgAloneController, type AloneKind } from './ui/msg-view.ts';
import { fetchMsg, conversationOf, isConversationView } from './ui/mail-view.ts';
import { ZmMailMsg } from './zimbra/mail-msg.ts';
import { hasZimletsForTarget } from './zimbra/zimlet-mgr.ts';
import { ContactsView } from './ui/contacts-view.ts';
import type { FolderInfo, WebmailServices } from './ui/types.ts';

type AppName = 'mail' | 'compose' | 'contacts' | 'alone';

/**
 * A detached window (ZmNewWindow): its zimlet `target` ("compose-window" / "view-window",
 * core/ZmNewWindow.js:223-228), the command and params its opener left for it (:174-182), and the
 * opener's appCtxt (`parentAppCtxt`).
 */
export interface ChildWindowSetup {
  target: 'compose-window' | 'view-window';
  command: 'composeDetach' | 'msgViewDetach';
  params: Record<string, any>;
  parentAppCtxt: ZmAppCtxt;
}

/** ZmZimletTreeController._itemClicked's timeout (ZmZimletTreeController.js:207). */
export const ZIMLET_CLICK_DELAY_MS = 350;

/** Reads `_attrs` maps of GetInfoResponse (`attrs._attrs`, `prefs._attrs`). */
function attrsOf(v: any): Record<string, unknown> {
  return (v && typeof v === 'object' && v._attrs && typeof v._attrs === 'object' ? v._attrs : {}) as Record<string, unknown>;
}

export function accountFromGetInfo(info: any): AccountInfo {
  const attrs = attrsOf(info?.attrs);
  const prefs = attrsOf(info?.prefs);
  const locale = String(prefs['zimbraPrefLocale'] ?? attrs['zimbraPrefLocale'] ?? 'fr');
  return {
    id: String(info?.id ?? ''),
    name: String(info?.name ?? ''),
    displayName: String(attrs['displayName'] ?? info?.name ?? ''),
    locale,
    attrs,
    prefs,
  };
}

export class Webmail implements WebmailServices {
  readonly lang: Lang;
  readonly account: AccountInfo;
  readonly shell: DwtShell;
  readonly zimletMgr: ZmZimletMgr;
  readonly appCtxt: ZmAppCtxt;
  /** Pops the compose (ZmAppViewMgr.popView) and holds what waits for its pop shield. */
  readonly appViewMgr: ZmAppViewMgr;
  private readonly overview: Overview;
  private readonly mail: MailView;
  private readonly contacts: ContactsView;
  private readonly content: HTMLElement;
  private compose: ComposeController | null = null;
  /** The message / conversation shown alone ("MSG-n" / "CV-n"), reused once inactive. */
  private alone: MsgAloneController | null = null;
  private readonly aloneControllers: MsgAloneController[] = [];
  /** Compose session controllers, reused once inactive (ZmApp._sessionController, core/ZmApp.js:700-740). */
  private readonly composeControllers: ComposeController[] = [];
  /** ZmZimletTreeController._itemClicked's pending single click per zimlet (ZmZimletTreeController.js:195-220). */
  private readonly clickTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private app: AppName = 'mail';
  private folders: FolderInfo[] = [];
  private selectedFolder: FolderInfo | null = null;
  private readonly tabs: Record<'mail' | 'contacts', HTMLButtonElement>;

  constructor(
    private readonly info: any,
    private readonly win: Window & Record<string, any>,
    /** Set in a detached window (launchNewWindow.jsp); absent in the main one. */
    private readonly child?: ChildWindowSetup,
  ) {
    this.account = accountFromGetInfo(info);
    this.lang = pickLang(this.account.locale);
    setLang(this.lang);
    document.documentElement.lang = this.lang;
    document.title = t('app_title');
    const skip = document.querySelector('.skip-link');
    if (skip) skip.textContent = t('skip_to_content');

    const shellEl = byId('z_shell');
    this.shell = createShell(shellEl);
    this.zimletMgr = new ZmZimletMgr({
      win: this.win,
      shell: this.shell,
      language: this.lang,
      loadScript: (url) => loadScript(url),
      onError: (name, phase, e) => this.zimletFailed(name, phase, e),
    });
    this.appViewMgr = new ZmAppViewMgr({
      current: () => (this.app === 'compose' ? this.compose : this.app === 'alone' ? this.alone : null),
      popped: (view) => this.viewPopped(view),
    });
    this.appCtxt = new ZmAppCtxt(this.account, this.shell, this.zimletMgr, {
      appViewMgr: () => this.appViewMgr,
      compose: (p) => this.openCompose(p),
      currentView: () =>
        this.app === 'compose' && this.compose ? this.compose.getCurrentView() : this.app === 'alone' ? this.alone : this.app === 'mail' ? this.mail : this.contacts,
      currentViewId: () =>
        this.app === 'compose' && this.compose
          ? this.compose.getCurrentViewId()
          : this.app === 'alone' && this.alone
            ? this.alone.getCurrentViewId()
            : this.app === 'mail'
              ? ZmId.VIEW_TRAD
              : ZmId.VIEW_CONTACT_SIMPLE,
      currentController: () => (this.app === 'compose' ? this.compose : this.app === 'alone' ? this.alone : this.mail.controller),
      openWindow: (url, name, features) => this.win.open(url, name, features),
      composeController: (sessionId) => this.composeControllers.find((c) => c.sessionId === sessionId && !c.inactive),
      currentAppName: () => (this.app === 'contacts' ? ZmApp.CONTACTS : ZmApp.MAIL),
      setStatus: (m, l) => setStatus(m, l),
      showError: (p) => showError(p),
      sessionExpired: () => this.sessionExpired(),
      translate: (key, ...args) => t(key, ...args),
      changed: (name) => this.mailboxChanged(name),
    }, () => this.csrfToken(), !!child);
    setZimletRuntime({
      win: this.win,
      username: () => this.account.name,
      userId: () => this.account.id,
      shell: () => this.shell,
      setStatusMsg: (m) => setStatus(m),
      showError: (p) => showError(p),
      sendRequest: (p) => this.appCtxt.sendRequest(p),
      zimletErrorTitle: (label) => t('error_zimlet_title', label),
      setPanelIcon: (name, icon) => {
        const el = document.querySelector(`#zimlet-${CSS.escape(name)} .ZmTreeIcon`);
        if (!el) return;
        // A plain icon name is the CSS class Img<icon>; "ZimbraIcon DwtWait16Icon"-like values are classes.
        el.className = `ZmTreeIcon ${!icon ? 'ImgZimlet' : /\s/.test(icon) ? icon : `Img${icon}`}`;
      },
      openWindow: (url, name, features) => this.win.open(url, name, features),
      makeDialog: (title) => {
        const view = new DwtComposite(this.shell);
        const dlg = new DwtDialog({ title, view, standardButtons: [DwtDialog.OK_BUTTON] });
        dlg.popup();
        return view.getHtmlElement();
      },
    });

    this.overview = new Overview({
      selectFolder: (f) => void this.selectFolder(f),
      zimletClicked: (ctx, double) => this.zimletClicked(ctx, double),
      zimletMenuItem: (ctx, itemId, ev) => this.zimletMenuItem(ctx, itemId, ev),
    });
    this.mail = new MailView(this, () => this.openCompose({}), () => void this.refreshFolders(), (id, detach) => void this.openMsg(id, detach), (action, msg) => this.openCompose({ action, msg }));
    this.contacts = new ContactsView(this, (addr) => this.openCompose({ toOverride: addr }));
    this.content = h('main', { id: 'zm-content', class: 'ZmAppContent' });
    // Each list view's toolbar is built once and offered to zimlets once, when zimlets are loaded
    // (ZmBaseController._initializeToolBar, ZmBaseController.js:303-371). The sandbox's mail list is a
    // message list ("TV"); its reading pane is the conversation view, which has no toolbar of its own.
    // A detached window has no lists (ZmNewWindow creates only the compose or message controller).
    if (!child) {
      const mailApp = this.appCtxt.getApp(ZmApp.MAIL);
      this.appCtxt.notifyZimlets('initializeToolbar', [mailApp, this.mail.toolbar, this.mail.controller, ZmId.VIEW_TRAD], { waitUntilLoaded: true });
      this.appCtxt.notifyZimlets('initializeToolbar', [this.appCtxt.getApp(ZmApp.CONTACTS), this.contacts.toolbar, this.contacts.controller, ZmId.VIEW_CONTACT_SIMPLE], { waitUntilLoaded: true });
    }
    this.tabs = {
      mail: h('button', { type: 'button', id: 'zm-tab-mail', class: 'ZmAppTab', 'aria-pressed': 'true' }, t('tab_mail')),
      contacts: h('button', { type: 'button', id: 'zm-tab-contacts', class: 'ZmAppTab', 'aria-pressed': 'false' }, t('tab_contacts')),
    };
    this.tabs.mail.addEventListener('click', () => {
      const inbox = this.folders.find((f) => f.id === '2');
      if (inbox) void this.selectFolder(inbox);
      else this.show('mail');
    });
    this.tabs.contacts.addEventListener('click', () => {
      const book = this.folders.find((f) => f.view === 'contact');
      if (book) void this.selectFolder(book);
      else this.show('contacts');
    });

    const who = this.account.displayName && this.account.displayName !== this.account.name ? `${this.account.displayName} <${this.account.name}>` : this.account.name;
    const topbar = h(
      'header',
      { id: 'zm-topbar', class: 'ZmTopBar' },
      h('span', { class: 'ZmLogo', 'aria-hidden': 'true' }, 'Zimbra'),
      h('nav', { class: 'ZmAppTabs', 'aria-label': t('tree_label') }, this.tabs.mail, this.tabs.contacts),
      h('span', { class: 'ZmTopSpacer' }),
      h('span', { id: 'zm-user', class: 'ZmUser', title: t('top_user'), 'data-account': this.account.name }, who),
      h('a', { id: 'zm-logout', class: 'ZmLogout', href: '/?loginOp=logout' }, t('top_logout')),
    );
    if (child) {
      document.body.dataset['window'] = child.target;
      shellEl.replaceChildren(h('div', { id: 'zm-body', class: 'ZmBody ZmChildWindow' }, this.content));
      return;
    }
    document.body.dataset['window'] = 'main';
    shellEl.replaceChildren(topbar, h('div', { id: 'zm-body', class: 'ZmBody' }, this.overview.root, this.content));
    this.show('mail');
  }

  /** Starts the session: folders, inbox, zimlets. Exposed for tests as `window.__webmail`. */
  async start(): Promise<void> {
    if (this.child) return this.startChild(this.child);
    await this.refreshFolders();
    const inbox = this.folders.find((f) => f.id === '2') ?? this.folders.find((f) => f.view !== 'contact');
    if (inbox) await this.selectFolder(inbox);
    await this.loadZimlets();
  }

  // --- WebmailServices ------------------------------------------------------------------------

  csrfToken(): string {
    return String(this.win['csrfToken'] ?? '');
  }

  async soap<T = any>(requestName: string, body: Record<string, unknown> = {}, urn = 'urn:zimbraMail', opts: { quiet?: boolean } = {}): Promise<T> {
    try {
      const res = await sendSoap({ [requestName]: { _jsns: urn, ...body } }, { csrfToken: () => this.csrfToken() });
      return res[requestName.replace(/Request$/, 'Response')] as T;
    } catch (e) {
      const ex = e instanceof ZmCsfeException ? e : new ZmCsfeException(String(e), 'service.FAILURE', requestName);
      if (!opts.quiet) {
        if (ex.code === 'service.AUTH_REQUIRED' || ex.code === 'service.AUTH_EXPIRED') this.sessionExpired();
        else showError({ errMsg: t('error_soap', ex.msg), details: `${ex.code} (${requestName})` });
      }
      throw ex;
    }
  }

  setStatus(msg: string, level?: 1 | 2 | 3): void {
    setStatus(msg, level);
  }
  pref(name: string): unknown {
    return this.appCtxt.get(name);
  }
  showError(params: { errMsg: string; details?: string; title?: string }): void {
    showError(params);
  }
  notifyZimlets(event: string, args: unknown[]): boolean {
    return this.appCtxt.notifyZimlets(event, args);
  }

  // --- navigation -----------------------------------------------------------------------------

  private show(app: AppName): void {
    const was = this.app;
    this.app = app;
    const view =
      app === 'compose' && this.compose
        ? this.compose.getCurrentView().root
        : app === 'alone' && this.alone
          ? this.alone.root
          : app === 'contacts'
            ? this.contacts.root
            : this.mail.root;
    if (this.content.firstElementChild !== view) this.content.replaceChildren(view);
    this.tabs?.mail.setAttribute('aria-pressed', String(app !== 'contacts'));
    this.tabs?.contacts.setAttribute('aria-pressed', String(app === 'contacts'));
    // ZmAppViewMgr.pushView -> notifyZimlets("onShowView", [viewId, isNewView]) (ZmAppViewMgr.js:1207).
    if (was !== app || app === 'compose' || app === 'alone') {
      const viewId = this.appCtxt?.getCurrentViewId();
      if (viewId && this.appCtxt.areZimletsLoaded()) this.appCtxt.notifyZimlets('onShowView', [viewId, was !== app]);
    }
  }

  async refreshFolders(): Promise<void> {
    try {
      const res = await this.soap('GetFolderRequest', {});
      this.folders = flattenFolders(Array.isArray(res?.folder) ? res.folder[0] : res?.folder);
    } catch {
      return;
    }
    this.overview.renderFolders(this.folders, this.selectedFolder?.id ?? null);
  }

  async selectFolder(folder: FolderInfo): Promise<void> {
    // Leaving a compose goes through its pop shield (ZmComposeController._preHideCallback, :405-425).
    if ((this.app === 'compose' && this.compose) || (this.app === 'alone' && this.alone)) {
      this.appViewMgr.hideCurrentThen(() => void this.selectFolder(folder));
      return;
    }
    this.selectedFolder = folder;
    this.overview.markSelected(folder.domId);
    if (folder.view === 'contact') {
      this.show('contacts');
      await this.contacts.showFolder(folder);
    } else {
      this.show('mail');
      await this.mail.showFolder(folder);
    }
  }

  /**
   * ZmMailApp.compose -> ZmApp.getSessionController (core/ZmApp.js:717-737): an inactive compose
   * controller is reused (same toolbar, zimlet buttons included) and `doAction` starts the new
   * message (initializeToolbar fires again). The sandbox shows one compose at a time: a compose in
   * progress is left first, through its pop shield.
   */
  openCompose(params: ComposeParams): void {
    if ((this.app === 'compose' && this.compose) || (this.app === 'alone' && this.alone)) {
      this.appViewMgr.hideCurrentThen(() => this.openCompose(params));
      return;
    }
    let controller = this.composeControllers.find((c) => c.inactive);
    if (!controller) {
      controller = new ComposeController(this, this.appCtxt.getApp(ZmApp.MAIL), this.composeControllers.length + 1, {
        appViewMgr: () => this.appViewMgr,
        detach: this.child ? undefined : (c) => this.detachCompose(c),
        autoSaveInterval: () => this.appCtxt.get('zimbraPrefAutoSaveDraftInterval'),
        notifyZimletsWhenLoaded: (event, args) => void this.appCtxt.notifyZimlets(event, args, { waitUntilLoaded: true }),
      });
      this.composeControllers.push(controller);
    }
    this.compose = controller;
    this.show('compose');
    controller.doAction(params ?? {});
    const first = params?.toOverride ? controller._composeView._subjectField : controller._composeView._addrFields.to;
    first.focus();
  }

  /**
   * A compose or a message shown alone was popped (ZmAppViewMgr.popView): the list under it shows
   * again, refreshed (a send or a draft may have changed it); in a detached window, the last view
   * popped closes the window (ZmAppViewMgr.js:830-834).
   */
  private viewPopped(view: unknown): void {
    if (view === this.compose) this.compose = null;
    else if (view === this.alone) this.alone = null;
    else return;
    if (this.child) {
      this.content.replaceChildren();
      this.child.parentAppCtxt.getAppController().removeChildWindow(this.win);
      this.win.close();
      return;
    }
    this.show(this.selectedFolder?.view === 'contact' ? 'contacts' : 'mail');
    void this.refreshFolders().then(() => this.mail.refresh());
  }

  /** A session controller for a message ("MSG") or conversation ("CV") shown alone, reused once inactive. */
  private aloneController(kind: AloneKind): MsgAloneController {
    let c = this.aloneControllers.find((x) => x.kind === kind && x.inactive);
    if (!c) {
      const n = this.aloneControllers.filter((x) => x.kind === kind).length + 1;
      c = new MsgAloneController(this, kind, this.appCtxt.getApp(ZmApp.MAIL), n, {
        notifyZimletsWhenLoaded: (event, args) => void this.appCtxt.notifyZimlets(event, args, { waitUntilLoaded: true }),
        appViewMgr: () => this.appViewMgr,
        detach: this.child ? undefined : (msg) => this.detachMsg(msg.id),
        deleted: () => undefined,
      });
      this.aloneControllers.push(c);
    }
    return c;
  }

  /**
   * Shows a message alone: in this window (a double click: ZmConvController "CV" with conversations
   * on, else ZmMsgController "MSG"), or detached in a new window ("view-window").
   */
  async openMsg(id: string, detach: boolean): Promise<void> {
    if (detach) {
      this.detachMsg(id);
      return;
    }
    const json = await fetchMsg(this, id);
    if (!json) return;
    const msg = new ZmMailMsg(json);
    const kind: AloneKind = isConversationView(this) && !this.child ? ZmId.VIEW_CONV : ZmId.VIEW_MSG;
    const msgs = kind === ZmId.VIEW_CONV ? await conversationOf(this, msg) : [msg];
    const controller = this.aloneController(kind);
    this.alone = controller;
    // In the document first: onMsgView handlers look their view up by id (msgView.getHtmlElement()).
    this.show('alone');
    controller.show(msg, msgs);
  }

  /** ZmMailMsgView.detachMsgInNewWindow (ZmMailMsgView.js:2700-2711): command "msgViewDetach". */
  private detachMsg(id: string): void {
    const obj = this.appCtxt.getNewWindow(true);
    if (!obj) {
      setStatus(t('detach_blocked'), 3);
      return;
    }
    obj.command = 'msgViewDetach';
    obj.params = { msgId: id };
  }

  /**
   * ZmComposeController.detach → _detachInternal (ZmComposeController.js:295-350): a draft is saved
   * first (DRAFT_TYPE_AUTO), then the new window gets the compose; the child pops this compose once
   * it shows it (ZmNewWindow.js:300-307). Attachments are not carried (see the README).
   */
  private detachCompose(c: ComposeController): void {
    if (c._composeView.attachments.length) {
      showError({ errMsg: t('detach_no_attachments') });
      return;
    }
    c._toolbar.enable('DETACH_COMPOSE', false);
    c.saveDraft(DRAFT_TYPE.AUTO, undefined, undefined, () => {
      const v = c._composeView;
      const obj = this.appCtxt.getNewWindow(false, 870, 630, `COMPOSE_${c._draftMsg?.id ?? c.sessionId}`, true);
      if (!obj) {
        setStatus(t('detach_blocked'), 3);
        c.resetToolbarOperations();
        return;
      }
      obj.command = 'composeDetach';
      obj.params = {
        sessionId: c.sessionId,
        action: 'NEW_MESSAGE',
        toOverride: v._addrFields.to.value,
        ccOverride: v._addrFields.cc.value,
        bccOverride: v._addrFields.bcc.value,
        subjOverride: v._subjectField.value,
        body: v._bodyField.value,
        msg: c._msg,
        draftId: c._draftMsg?.id,
        draftType: c._draftType,
      };
    });
  }

  /** ZmNewWindow.startup / _createView (core/ZmNewWindow.js:171-340) for a detached window. */
  private async startChild(child: ChildWindowSetup): Promise<void> {
    // Only the zimlets whose descriptor targets this window are loaded (ZmNewWindow.js:230-247).
    if (hasZimletsForTarget(this.info?.zimlets?.zimlet, child.target)) await this.loadZimlets(child.target);
    else {
      this.appCtxt.allZimletsLoaded();
      document.body.dataset['zimlets'] = 'loaded';
    }
    const p = child.params;
    if (child.command === 'composeDetach') {
      this.openCompose({ toOverride: p['toOverride'], ccOverride: p['ccOverride'], bccOverride: p['bccOverride'], subjOverride: p['subjOverride'], msg: p['msg'] ?? null, action: p['action'] });
      const c = this.compose!;
      // The body as it was (not the overrides' extraBodyText, which appendExtraSignature would extend again).
      c._composeView._bodyField.value = String(p['body'] ?? '');
      if (p['draftId']) {
        // The detached compose goes on from the saved draft (params.draftMsg, ZmComposeController.js:350).
        const draft = composedMsgOf(c._composeView);
        draft.id = String(p['draftId']);
        c._draftMsg = draft;
        c._draftType = (p['draftType'] as DraftType) ?? DRAFT_TYPE.AUTO;
        c._composeView.draftId = draft.id;
      }
      c._composeView.markClean();
      // ZmNewWindow.js:300-307: the parent's compose is reset and popped, forced.
      const parentCC = child.parentAppCtxt.getApp(ZmApp.MAIL).getComposeController(Number(p['sessionId'])) as ComposeController | undefined;
      if (parentCC?._composeView) {
        parentCC._composeView.set({});
        parentCC._app.popView(true);
      }
      return;
    }
    await this.openMsg(String(p['msgId'] ?? ''), false);
  }

  /** What zimlets changed through sendRequest shows up without a reload. */
  private mailboxChanged(requestName: string): void {
    if (/^(CreateFolder|FolderAction|CreateMountpoint)Request$/.test(requestName)) void this.refreshFolders();
    if (/^(CreateContact|ModifyContact|ContactAction)Request$/.test(requestName) && this.app === 'contacts') {
      const book = this.contacts.getFolder();
      if (book) void this.contacts.showFolder(book);
    }
    if (/^(SendMsg|SaveDraft|MsgAction|AddMsg)Request$/.test(requestName) && this.app === 'mail') {
      void this.refreshFolders().then(() => this.mail.refresh());
    }
  }

  private sessionExpired(): void {
    showError({ errMsg: t('error_session'), onClose: () => this.win.location.assign('/') });
  }

  // --- zimlets --------------------------------------------------------------------------------

  private async loadZimlets(target = 'main'): Promise<void> {
    const zimlets = this.info?.zimlets?.zimlet ?? [];
    const props = this.info?.props?.prop ?? [];
    // Styles first (icons are CSS classes `Img<icon>` defined by each zimlet's includeCSS).
    for (const z of zimlets as any[]) {
      const d = z?.zimlet?.[0];
      const base = z?.zimletContext?.[0]?.baseUrl ?? `/service/zimlet/${d?.name}/`;
      for (const css of (d?.includeCSS ?? []) as any[]) {
        const file = typeof css === 'string' ? css : css?._content;
        if (file && /^[\w.-]+$/.test(file)) loadStyle(`${base.endsWith('/') ? base : `${base}/`}${file}`);
      }
    }
    try {
      await this.zimletMgr.loadZimlets(zimlets, props, target);
    } finally {
      this.overview.renderZimlets(this.zimletMgr.getPanelZimlets());
      this.appCtxt.allZimletsLoaded();
      document.body.dataset['zimlets'] = 'loaded';
    }
  }

  /**
   * ZmZimletTreeController._itemClicked / _itemDblClicked (ZmZimletTreeController.js:195-220): a
   * click waits 350 ms before `singleClicked`; a double click in that time cancels it and only
   * `doubleClicked` runs. Errors are not caught (ZmZimletContext.callHandler, :348-360).
   */
  private zimletClicked(ctx: ZmZimletContext, double: boolean): void {
    const pending = this.clickTimers.get(ctx.name);
    if (double) {
      if (pending) clearTimeout(pending);
      this.clickTimers.delete(ctx.name);
      this.zimletMgr.notifyZimlet(ctx.name, 'doubleClicked', []);
      return;
    }
    if (pending) return;
    this.clickTimers.set(
      ctx.name,
      setTimeout(() => {
        this.clickTimers.delete(ctx.name);
        this.zimletMgr.notifyZimlet(ctx.name, 'singleClicked', []);
      }, ZIMLET_CLICK_DELAY_MS),
    );
  }

  /** ZmZimletContext._handleMenuItemSelected: `menuItemSelected(itemId, data, ev)`. */
  private zimletMenuItem(ctx: ZmZimletContext, itemId: string, ev: Event): void {
    const data = ctx.panelItem?.menuItems.find((m) => m.id === itemId);
    this.zimletMgr.notifyZimlet(ctx.name, 'menuItemSelected', [itemId, data, ev]);
  }

  private zimletFailed(name: string, phase: string, e: unknown): void {
    // ZmZimletMgr logs and shows init errors; a failing hook must not stop the webmail.
    console.error(`Zimlet ${name} failed in ${phase}:`, e);
    if (phase === 'init' || phase === 'descriptor') setStatus(t('error_zimlet_init', name), 3);
    else if (phase === 'script') setStatus(t('error_zimlets_load'), 3);
    const failed = (document.body.dataset['zimletErrors'] ?? '').split(' ').filter(Boolean);
    if (!failed.includes(name)) failed.push(name);
    document.body.dataset['zimletErrors'] = failed.join(' ');
  }
}

function loadScript(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = url;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.append(s);
  });
}

function loadStyle(href: string): void {
  const l = document.createElement('link');
  l.rel = 'stylesheet';
  l.href = href;
  document.head.append(l);
}
