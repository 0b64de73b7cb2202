/**
 * Zimlet loading and notification, following zm-web-client
 * `WebRoot/js/zimbraMail/share/model/ZmZimletMgr.js` (`loadZimlets`, `_loadZimlets`,
 * `_finished_loadIncludes`, `notifyZimlets`) and `ZmZimletContext._finished_loadIncludes`:
 * contexts from GetInfo, user properties applied, ONE script `/service/zimlet/res/Zimlets-nodev_all.js`
 * (which also sets `window[name]` = each zimlet's messages), then for each zimlet `new window[handlerObject]()`,
 * `_init(context, shell)`, `init()`. A zimlet whose descriptor or init throws is reported and skipped.
 * Notifications catch NOTHING, as ZmZimletMgr.notifyZimlets (ZmZimletMgr.js:414-429) and notifyZimlet
 * (:431-437): a hook that throws stops the loop and reaches Zimbra's caller (e.g. Send is aborted). The
 * sandbox only records the failing zimlet (`onError`) before rethrowing. Pure: no DOM.
 */
import { ZmZimletContext, type ZimletInfoJson } from './zimlet-context.ts';
import { ZmZimletBase } from './zimlet-base.ts';

export interface ZimletMgrOptions {
  win: Record<string, any>;
  shell: unknown;
  /** Loads one script URL (a <script> element in the browser); resolves when it ran. */
  loadScript(url: string): Promise<void>;
  /** Reports a failing zimlet (logged to the console and shown as a status in the webmail). */
  onError(zimletName: string, phase: string, error: unknown): void;
  /** e.g. "fr": appended as `?language=` like ZmZimletMgr.__getIncludes does. */
  language?: string;
}

export const ALL_ZIMLETS_SCRIPT = '/service/zimlet/res/Zimlets-nodev_all.js';

/** The window kinds zimlet descriptors may target (ZmNewWindow.js:223-228; ZmZimletContext.js:76-80). */
export const ZIMLET_TARGETS = ['main', 'compose-window', 'view-window'] as const;
export type ZimletTarget = (typeof ZIMLET_TARGETS)[number];

/** `new RegExp("\\b" + target + "\\b")` tested on the descriptor's `target` (ZmZimletMgr.js:193-198). */
export function zimletTargetRe(target: string): RegExp {
  return new RegExp(`\\b${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
}

/** Whether any zimlet targets the window (ZmNewWindow._hasZimletsForTarget, ZmNewWindow.js:344-360). */
export function hasZimletsForTarget(zimletArray: ZimletInfoJson[] | undefined, target: string): boolean {
  const re = zimletTargetRe(target);
  return (zimletArray ?? []).some((z) => re.test(String(z?.zimlet?.[0]?.['target'] ?? 'main')));
}

export class ZmZimletMgr {
  private readonly zimlets: ZmZimletContext[] = [];
  private readonly byName = new Map<string, ZmZimletContext>();
  loaded = false;

  constructor(private readonly opts: ZimletMgrOptions) {}

  /**
   * `loadZimlets(zimletArray, userProps, target)`: `zimletArray` is GetInfoResponse `zimlets.zimlet`,
   * `userProps` its `props.prop` (`{zimlet, name, _content}`), `target` the window kind: "main" (the
   * default), "compose-window" or "view-window" for a detached window (ZmNewWindow.js:223-248).
   */
  async loadZimlets(
    zimletArray: ZimletInfoJson[] | undefined,
    userProps?: Array<{ zimlet?: string; name?: string; _content?: string }>,
    target = 'main',
  ): Promise<ZmZimletContext[]> {
    // ZmZimletMgr._loadZimlets (ZmZimletMgr.js:193-201): only zimlets whose descriptor's `target`
    // (default "main") names this window are instantiated at all.
    const targetRe = zimletTargetRe(target);
    (zimletArray ?? []).forEach((json, i) => {
      try {
        const ctx = new ZmZimletContext(i, json);
        if (!targetRe.test(ctx.target)) return;
        if (this.byName.has(ctx.name)) return;
        this.zimlets.push(ctx);
        this.byName.set(ctx.name, ctx);
      } catch (e) {
        this.opts.onError(String(json?.zimlet?.[0]?.['name'] ?? `#${i}`), 'descriptor', e);
      }
    });
    for (const p of userProps ?? []) {
      const z = p.zimlet ? this.byName.get(p.zimlet) : undefined;
      if (z && p.name) z.setPropValue(p.name, p._content ?? '');
    }
    if (this.zimlets.length) {
      const url = ALL_ZIMLETS_SCRIPT + (this.opts.language ? `?language=${encodeURIComponent(this.opts.language)}` : '');
      try {
        await this.opts.loadScript(url);
      } catch (e) {
        this.opts.onError('*', 'script', e);
      }
    }
    for (const ctx of this.zimlets) this.finishLoading(ctx);
    this.loaded = true;
    return this.zimlets;
  }

  /** ZmZimletContext._finished_loadIncludes: localize, instantiate the handler, _init, init. */
  private finishLoading(ctx: ZmZimletContext): void {
    try {
      ctx.localize(this.opts.win);
      const Ctor = ctx.handlerObjectName ? this.opts.win[ctx.handlerObjectName] : ZmZimletBase;
      if (typeof Ctor !== 'function') throw new Error(`zimlet handler not defined (${ctx.handlerObjectName})`);
      const handler = new Ctor();
      if (typeof handler._init !== 'function') {
        throw new Error(`Zimlet handler (${ctx.name}) does not inherit ZmZimletBase`);
      }
      handler._init(ctx, this.opts.shell);
      handler._zimletContext = ctx;
      ctx.handlerObject = handler;
      handler.init();
    } catch (e) {
      // A zimlet whose init failed stays listed but is disabled: no notifications reach it.
      if (ctx.handlerObject) ctx.handlerObject.__zimletEnabled = false;
      this.opts.onError(ctx.name, 'init', e);
    }
  }

  getZimlets(): ZmZimletContext[] {
    return this.zimlets;
  }
  getZimletByName(name: string): ZmZimletContext | undefined {
    return this.byName.get(name);
  }
  /** Zimlets with a `zimletPanelItem`, in load order (the "Zimlets" accordion). */
  getPanelZimlets(): ZmZimletContext[] {
    return this.zimlets.filter((z) => z.panelItem);
  }
  isLoaded(): boolean {
    return this.loaded;
  }

  /**
   * `notifyZimlets(event, args)`: calls `handler[event](...args)` on every enabled handler that has
   * it; answers true when any returned a truthy value (e.g. onSendButtonClicked suppressing the send).
   */
  notifyZimlets(event: string, args: unknown[] = []): boolean {
    let handled = false;
    for (const ctx of this.zimlets) {
      const z = ctx.handlerObject;
      if (!z || !z.isZmObjectHandler || (typeof z.getEnabled === 'function' && !z.getEnabled())) continue;
      if (typeof z[event] !== 'function') continue;
      let result: unknown;
      try {
        result = z[event](...args);
      } catch (e) {
        this.opts.onError(ctx.name, event, e);
        throw e;
      }
      handled = handled || !!result;
    }
    return handled;
  }

  /** `notifyZimlet(name, event, args)`: one zimlet only (panel clicks, menu items). */
  notifyZimlet(name: string, event: string, args: unknown[] = []): unknown {
    const ctx = this.byName.get(name);
    const z = ctx?.handlerObject;
    if (!z || (typeof z.getEnabled === 'function' && !z.getEnabled()) || typeof z[event] !== 'function') return undefined;
    try {
      return z[event](...args);
    } catch (e) {
      this.opts.onError(name, event, e);
      throw e;
    }
  }
}
