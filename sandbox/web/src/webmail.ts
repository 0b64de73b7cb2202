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
import { createShell, type DwtShell } from './zimbra/dwt.ts';
import { ZmZimletMgr } from './zimbra/zimlet-mgr.ts';
import { setZimletRuntime } from './zimbra/zimlet-base.ts';
import type { ZmZimletContext } from './zimbra/zimlet-context.ts';
import { setStatus, showError } from './ui/notify.ts';
import { Overview, flattenFolders } from './ui/overview.ts';
import { MailView } from './ui/mail-view.ts';
import { ComposeController } from './ui/compose-view.ts';
import { ContactsView } from './ui/contacts-view.ts';
import type { FolderInfo, WebmailServices } from './ui/types.ts';

type AppName = 'mail' | 'compose' | 'contacts';

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
  private readonly overview: Overview;
  private readonly mail: MailView;
  private readonly contacts: ContactsView;
  private readonly content: HTMLElement;
  private compose: ComposeController | null = null;
  private app: AppName = 'mail';
  private folders: FolderInfo[] = [];
  private selectedFolder: FolderInfo | null = null;
  private readonly tabs: Record<'mail' | 'contacts', HTMLButtonElement>;

  constructor(
    private readonly info: any,
    private readonly win: Window & Record<string, any>,
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
    this.appCtxt = new ZmAppCtxt(this.account, this.shell, this.zimletMgr, {
      compose: (p) => this.openCompose(p),
      currentView: () => (this.app === 'compose' && this.compose ? this.compose.getCurrentView() : this.app === 'mail' ? this.mail : this.contacts),
      currentViewId: () => (this.app === 'compose' && this.compose ? this.compose.getCurrentViewId() : this.app === 'mail' ? ZmId.VIEW_TRAD : ZmId.VIEW_CONTACT_SIMPLE),
      currentController: () => (this.app === 'compose' ? this.compose : this.mail.controller),
      currentAppName: () => (this.app === 'contacts' ? ZmApp.CONTACTS : ZmApp.MAIL),
      setStatus: (m, l) => setStatus(m, l),
      showError: (p) => showError(p),
      sessionExpired: () => this.sessionExpired(),
      translate: (key, ...args) => t(key, ...args),
      changed: (name) => this.mailboxChanged(name),
    }, () => this.csrfToken());
    setZimletRuntime({
      win: this.win,
      username: () => this.account.name,
      userId: () => this.account.id,
      shell: () => this.shell,
      setStatusMsg: (m) => setStatus(m),
      showError: (p) => showError(p),
      sendRequest: (p) => this.appCtxt.sendRequest(p),
      zimletErrorTitle: (label) => t('error_zimlet_title', label),
    });

    this.overview = new Overview({
      selectFolder: (f) => void this.selectFolder(f),
      zimletClicked: (ctx, double) => this.zimletClicked(ctx, double),
      zimletMenuItem: (ctx, itemId, ev) => this.zimletMenuItem(ctx, itemId, ev),
    });
    this.mail = new MailView(this, () => this.openCompose({}), () => void this.refreshFolders());
    this.contacts = new ContactsView(this, (addr) => this.openCompose({ toOverride: addr }));
    this.content = h('main', { id: 'zm-content', class: 'ZmAppContent' });
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
    shellEl.replaceChildren(topbar, h('div', { id: 'zm-body', class: 'ZmBody' }, this.overview.root, this.content));
    this.show('mail');
  }

  /** Starts the session: folders, inbox, zimlets. Exposed for tests as `window.__webmail`. */
  async start(): Promise<void> {
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
  showError(params: { errMsg: string; details?: string; title?: string }): void {
    showError(params);
  }
  notifyZimlets(event: string, args: unknown[]): boolean {
    return this.appCtxt.notifyZimlets(event, args);
  }

  // --- navigation -----------------------------------------------------------------------------

  private show(app: AppName): void {
    this.app = app;
    const view = app === 'compose' && this.compose ? this.compose.getCurrentView().root : app === 'contacts' ? this.contacts.root : this.mail.root;
    if (this.content.firstElementChild !== view) this.content.replaceChildren(view);
    this.tabs.mail.setAttribute('aria-pressed', String(app !== 'contacts'));
    this.tabs.contacts.setAttribute('aria-pressed', String(app === 'contacts'));
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
    if (this.app === 'compose') this.closeCompose();
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

  /** ZmMailApp.compose: shows a compose view and lets zimlets add their toolbar buttons. */
  openCompose(params: ComposeParams): void {
    if (this.compose) this.closeCompose();
    const controller = new ComposeController(this, this.appCtxt.getApp(ZmApp.MAIL), params ?? {}, (sent) => {
      this.closeCompose();
      if (sent) void this.refreshFolders().then(() => this.mail.refresh());
    });
    this.compose = controller;
    this.show('compose');
    controller.initializeZimletToolbar();
    const first = params?.toOverride ? controller._composeView._subjectField : controller._composeView._addrFields.to;
    first.focus();
  }

  private closeCompose(): void {
    this.compose = null;
    this.show(this.selectedFolder?.view === 'contact' ? 'contacts' : 'mail');
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

  private async loadZimlets(): Promise<void> {
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
      await this.zimletMgr.loadZimlets(zimlets, props);
    } finally {
      this.overview.renderZimlets(this.zimletMgr.getPanelZimlets());
      this.appCtxt.allZimletsLoaded();
      document.body.dataset['zimlets'] = 'loaded';
    }
  }

  private zimletClicked(ctx: ZmZimletContext, double: boolean): void {
    const canvas = undefined; // Zimbra passes a canvas DIV only for <onClick><canvas> descriptors; ours have none.
    this.zimletMgr.notifyZimlet(ctx.name, double ? 'doubleClicked' : 'singleClicked', [canvas]);
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
