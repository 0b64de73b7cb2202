/**
 * One deployed zimlet as the client sees it, built from a GetInfoResponse `zimlets.zimlet[]` entry
 * (`{zimlet:[descriptor], zimletContext:[{baseUrl, priority}], zimletConfig:[{global:[{property}]}]}`),
 * following zm-web-client `WebRoot/js/zimbraMail/share/model/ZmZimletContext.js`: the panel item
 * (label with `${msg.key}` resolved from `window[name]`, icon, tooltip, context menu), the handler
 * object's global name, the user properties and the config (local overrides global). Pure: `win`
 * stands for `window` so node tests can pass a plain object.
 */

export interface MenuItemSpec {
  id: string;
  label: string;
  icon?: string;
}
export interface PanelItemSpec {
  label: string;
  icon?: string;
  toolTipText?: string;
  menuItems: MenuItemSpec[];
}
export interface UserProp {
  name: string;
  type?: string;
  label?: string;
  value?: string;
}
/** A GetInfoResponse `zimlets.zimlet[]` entry (Zimbra's JSON: every child element is an array). */
export interface ZimletInfoJson {
  zimlet: Array<Record<string, any>>;
  zimletContext?: Array<{ baseUrl?: string; priority?: number | string; presence?: string }>;
  zimletConfig?: Array<Record<string, any>>;
}

/** Text of a Zimbra JSON child that may be `"x"`, `{_content}`, or `[{_content}]`. */
export function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return textOf(v[0]);
  if (typeof v === 'object') return textOf((v as { _content?: unknown })._content);
  return String(v);
}
function first<T = Record<string, any>>(v: unknown): T | undefined {
  if (Array.isArray(v)) return v[0] as T | undefined;
  return (v ?? undefined) as T | undefined;
}
function list<T = Record<string, any>>(v: unknown): T[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as T[];
}

const RE_SCAN_MSG = /(^|[^\\])\$\{msg\.([$a-zA-Z0-9_]+)\}/g;

/**
 * `ZmZimletContext.processMessage(name, str)`: replaces `${msg.key}` with `window[name][key]`; an
 * unknown key shows Zimbra's `(UNDEFINED - …)` marker so a missing translation is visible.
 */
export function processMessage(win: Record<string, any>, zimletName: string, str: string): string {
  const props = win[zimletName] as Record<string, string> | undefined;
  if (!props) return str;
  return String(str).replace(RE_SCAN_MSG, (whole, p1: string, key: string) =>
    p1 + (typeof props[key] !== 'undefined' ? props[key] : `(UNDEFINED - str '${whole.slice(p1.length)}')`),
  );
}

export class ZmZimletContext {
  readonly id: number;
  readonly name: string;
  readonly version: string;
  readonly baseUrl: string;
  readonly priority: number;
  readonly target: string;
  /** ZmZimletContext.targets (ZmZimletContext.js:76-80): `{main: true, "compose-window": true…}`. */
  readonly targets: Record<string, boolean>;
  /** Global constructor name from `<handlerObject>`, or undefined (then plain ZmZimletBase). */
  readonly handlerObjectName: string | undefined;
  label: string;
  description: string;
  readonly panelItem: PanelItemSpec | undefined;
  readonly userProperties: UserProp[];
  private readonly propsById = new Map<string, UserProp>();
  private readonly config: { global: Record<string, string>; local: Record<string, string> };
  /** The instantiated handler, once `init()` ran (ZmZimletContext keeps it in `handlerObject`). */
  handlerObject: any = null;
  readonly json: ZimletInfoJson;

  constructor(id: number, json: ZimletInfoJson) {
    const z = first(json.zimlet) ?? {};
    const ctx = first(json.zimletContext) ?? {};
    this.json = json;
    this.id = id;
    this.name = String(z['name'] ?? '');
    if (!/^[\w.-]+$/.test(this.name)) throw new Error(`Invalid zimlet name: ${JSON.stringify(this.name)}`);
    this.version = String(z['version'] ?? '');
    this.label = String(z['label'] ?? this.name);
    this.description = String(z['description'] ?? '');
    this.target = String(z['target'] || 'main');
    this.targets = {};
    for (const tg of this.target.split(' ')) this.targets[tg] = true;
    const base = String(ctx.baseUrl ?? `/service/zimlet/${this.name}/`);
    this.baseUrl = base.endsWith('/') ? base : `${base}/`;
    this.priority = Number(ctx.priority ?? 0);
    this.handlerObjectName = textOf(z['handlerObject']);

    const panel = first(z['zimletPanelItem']);
    if (panel) {
      const menu = first(panel['contextMenu']);
      this.panelItem = {
        label: String(panel['label'] ?? this.label),
        icon: panel['icon'] ? String(panel['icon']) : undefined,
        toolTipText: textOf(panel['toolTipText']),
        menuItems: list(menu?.['menuItem'])
          .filter((m) => m && m['id'])
          .map((m) => ({ id: String(m['id']), label: String(m['label'] ?? m['id']), icon: m['icon'] ? String(m['icon']) : undefined })),
      };
    }

    const up = first(z['userProperties']);
    this.userProperties = list(up?.['property']).map((p) => ({
      name: String(p['name']),
      type: p['type'] ? String(p['type']) : undefined,
      label: p['label'] ? String(p['label']) : undefined,
      value: p['value'] !== undefined ? String(p['value']) : textOf(p['_content']),
    }));
    for (const p of this.userProperties) this.propsById.set(p.name, p);

    // _translateConfig: `global`/`local` property lists become name -> value maps.
    const cfg = first(json.zimletConfig) ?? {};
    const toMap = (section: unknown): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const p of list(first(section)?.['property'])) {
        if (p && p['name'] !== undefined) out[String(p['name'])] = textOf(p) ?? '';
      }
      return out;
    };
    this.config = { global: toMap(cfg['global']), local: toMap(cfg['local'] ?? cfg['host']) };
  }

  /** Resolves `${msg.key}` in the label, tooltip and menu labels once the properties are loaded. */
  localize(win: Record<string, any>): void {
    this.label = processMessage(win, this.name, this.label);
    this.description = processMessage(win, this.name, this.description);
    if (this.panelItem) {
      this.panelItem.label = processMessage(win, this.name, this.panelItem.label);
      if (this.panelItem.toolTipText) this.panelItem.toolTipText = processMessage(win, this.name, this.panelItem.toolTipText);
      for (const m of this.panelItem.menuItems) m.label = processMessage(win, this.name, m.label);
    }
  }

  getUrl(): string {
    return this.baseUrl;
  }
  /** `getConfig(name)`: local (host) value first, then global; null when absent (as Zimbra). */
  getConfig(name: string): string | null {
    if (Object.prototype.hasOwnProperty.call(this.config.local, name) && this.config.local[name]) return this.config.local[name]!;
    if (Object.prototype.hasOwnProperty.call(this.config.global, name) && this.config.global[name]) return this.config.global[name]!;
    return null;
  }
  setPropValue(name: string, value: string): void {
    let p = this.propsById.get(name);
    if (!p) {
      p = { name };
      this.userProperties.push(p);
      this.propsById.set(name, p);
    }
    p.value = value;
  }
  getPropValue(name: string): string | undefined {
    return this.propsById.get(name)?.value;
  }
  getProp(name: string): UserProp | undefined {
    return this.propsById.get(name);
  }
  /**
   * `getVal("a.b")`: walks the descriptor JSON. `xmlObj("name")` uses it; single-element arrays are
   * unwrapped like ZmZimletContext.sanitize does for non-list tags.
   */
  getVal(key: string): unknown {
    let cur: any = first(this.json.zimlet);
    for (const part of key.split('.')) {
      if (cur === undefined || cur === null) return undefined;
      cur = cur[part];
      if (Array.isArray(cur) && cur.length === 1) cur = cur[0];
    }
    return cur;
  }
  /** `callHandler(name, args)`: calls the handler's method if it has one. */
  callHandler(funcname: string, args: unknown[] = []): unknown {
    const h = this.handlerObject;
    if (h && typeof h[funcname] === 'function') return h[funcname].apply(h, args);
    return null;
  }
  toString(): string {
    return `ZmZimletContext - ${this.name}`;
  }
}
