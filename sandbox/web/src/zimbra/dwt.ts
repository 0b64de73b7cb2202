/**
 * The few Dwt/Zm widgets zimlets touch, as old-style constructors (zimlets subclass them with
 * `X.prototype = new ZmDialog(); ZmDialog.call(this, params)`, which ES classes refuse):
 * DwtControl, DwtComposite, DwtShell, DwtButton, ZmButtonToolBar, DwtDialog, ZmDialog.
 * Each follows the named zm-ajax / zm-web-client file for the members it has; the rendering is
 * plain accessible HTML (native <button>, native <dialog> with showModal for the focus trap).
 */
import { AjxCallback, fireListener } from './ajx.ts';
import { t } from '../i18n.ts';

let nextId = 1;
/** zm-ajax `Dwt.getNextId()`: unique DOM ids for widgets without one. */
export function dwtNextId(prefix = 'DWT'): string {
  return `${prefix}${nextId++}`;
}

// ---------------------------------------------------------------------------------------------
// DwtControl / DwtComposite / DwtShell (zm-ajax WebRoot/js/ajax/dwt/widgets/DwtControl.js,
// DwtComposite.js, DwtShell.js)

export interface DwtControl {
  parent: DwtControl | null;
  _htmlElId: string;
  _htmlEl: HTMLElement;
  _data: Record<string, unknown>;
  _disposed: boolean;
  getHtmlElement(): HTMLElement;
  getHTMLElId(): string;
  setContent(html: string): void;
  getContent(): string;
  setVisible(visible: boolean): void;
  getVisible(): boolean;
  setSize(width?: number | string, height?: number | string): void;
  setData(key: string, value: unknown): void;
  getData(key: string): unknown;
  addClassName(name: string): void;
  focus(): void;
  dispose(): void;
  isDisposed(): boolean;
}
interface ControlParams {
  parent?: DwtControl | null;
  className?: string;
  id?: string;
  tag?: string;
}
/** `new DwtControl(parent)` or `new DwtControl({parent, className, id})`, both accepted like Dwt does. */
function controlParams(arg: unknown): ControlParams {
  if (!arg) return {};
  if (typeof (arg as DwtControl).getHtmlElement === 'function') return { parent: arg as DwtControl };
  return arg as ControlParams;
}

/** Where a control whose parent is the shell waits (hidden, so it is not focusable) until it is shown. */
function parkingLot(shell: DwtControl): HTMLElement {
  const host = shell.getHtmlElement();
  let lot = host.querySelector<HTMLElement>(':scope > .DwtShellParking');
  if (!lot) {
    lot = document.createElement('div');
    lot.className = 'DwtShellParking';
    lot.hidden = true;
    host.append(lot);
  }
  return lot;
}

export const DwtControl = function (this: DwtControl, params?: unknown) {
  if (arguments.length === 0) return;
  const p = controlParams(params);
  this.parent = p.parent ?? null;
  this._htmlElId = p.id || dwtNextId();
  this._data = {};
  this._disposed = false;
  const el = document.createElement(p.tag ?? 'div');
  el.id = this._htmlElId;
  el.className = p.className ?? 'DwtControl';
  this._htmlEl = el;
  if (this.parent) {
    const parentEl = this.parent.getHtmlElement();
    if ((this.parent as DwtShell).isDwtShell) parkingLot(this.parent).append(el);
    else parentEl.append(el);
  }
} as unknown as { new (params?: unknown): DwtControl; (this: DwtControl, params?: unknown): void; prototype: DwtControl };

Object.assign(DwtControl.prototype, {
  getHtmlElement(this: DwtControl) {
    return this._htmlEl;
  },
  getHTMLElId(this: DwtControl) {
    return this._htmlElId;
  },
  setContent(this: DwtControl, html: string) {
    // Zimbra's DwtControl.setContent assigns innerHTML; zimlets pass their own markup.
    this._htmlEl.innerHTML = html;
  },
  getContent(this: DwtControl) {
    return this._htmlEl.innerHTML;
  },
  setVisible(this: DwtControl, visible: boolean) {
    this._htmlEl.hidden = !visible;
  },
  getVisible(this: DwtControl) {
    return !this._htmlEl.hidden;
  },
  setSize(this: DwtControl, width?: number | string, height?: number | string) {
    const css = (v: number | string) => (typeof v === 'number' ? `${v}px` : v);
    if (width !== undefined && width !== null && width !== 'auto' && width !== -1) this._htmlEl.style.width = css(width);
    if (height !== undefined && height !== null && height !== 'auto' && height !== -1) this._htmlEl.style.height = css(height);
  },
  setData(this: DwtControl, key: string, value: unknown) {
    this._data[key] = value;
  },
  getData(this: DwtControl, key: string) {
    return this._data[key];
  },
  addClassName(this: DwtControl, name: string) {
    this._htmlEl.classList.add(name);
  },
  focus(this: DwtControl) {
    this._htmlEl.focus();
  },
  dispose(this: DwtControl) {
    this._disposed = true;
    this._htmlEl.remove();
  },
  isDisposed(this: DwtControl) {
    return this._disposed;
  },
  toString() {
    return 'DwtControl';
  },
});

export type DwtComposite = DwtControl;
export const DwtComposite = function (this: DwtComposite, params?: unknown) {
  if (arguments.length === 0) return;
  const p = controlParams(params);
  DwtControl.call(this, { ...p, className: p.className ?? 'DwtComposite' });
} as unknown as typeof DwtControl;
DwtComposite.prototype = new DwtControl();
DwtComposite.prototype.constructor = DwtComposite as unknown as Function;
DwtComposite.prototype.toString = () => 'DwtComposite';

export interface DwtShell extends DwtControl {
  isDwtShell: true;
}
/** zm-ajax `DwtShell.js`: the one top-level widget; wraps an existing element of the page. */
export function createShell(el: HTMLElement): DwtShell {
  const shell = Object.create(DwtControl.prototype) as DwtShell;
  shell.parent = null;
  shell._htmlElId = el.id || dwtNextId('z_shell');
  el.id = shell._htmlElId;
  shell._htmlEl = el;
  shell._data = {};
  shell._disposed = false;
  shell.isDwtShell = true;
  shell.toString = () => 'DwtShell';
  return shell;
}

// ---------------------------------------------------------------------------------------------
// DwtButton (zm-ajax WebRoot/js/ajax/dwt/widgets/DwtButton.js)

export interface DwtSelectionEvent {
  item: DwtButton;
  dwtObj: DwtButton;
  target: EventTarget | null;
  detail: number;
  type: string;
}
export interface DwtButton extends DwtControl {
  _listeners: unknown[];
  _enabled: boolean;
  buttonId?: string | number;
  setText(text: string): void;
  getText(): string;
  setImage(image: string | null | undefined): void;
  setToolTipContent(text: string): void;
  setEnabled(enabled: boolean): void;
  getEnabled(): boolean;
  addSelectionListener(listener: unknown): void;
  removeSelectionListener(listener: unknown): void;
  removeSelectionListeners(): void;
  /** Runs the listeners as a click would (used by dialogs' Escape/Enter and by tests). */
  _fireSelection(domEv?: Event): void;
}
export const DwtButton = function (this: DwtButton, params?: unknown) {
  if (arguments.length === 0) return;
  const p = controlParams(params) as ControlParams & { text?: string; image?: string; tooltip?: string };
  DwtControl.call(this, { ...p, tag: 'button', className: p.className ?? 'ZButton' });
  const el = this._htmlEl as HTMLButtonElement;
  el.type = 'button';
  el.innerHTML = '<span class="ZButtonImage" aria-hidden="true"></span><span class="ZButtonText"></span>';
  this._listeners = [];
  this._enabled = true;
  el.addEventListener('click', (ev) => this._fireSelection(ev));
  if (p.text) this.setText(p.text);
  if (p.image) this.setImage(p.image);
  if (p.tooltip) this.setToolTipContent(p.tooltip);
} as unknown as { new (params?: unknown): DwtButton; (this: DwtButton, params?: unknown): void; prototype: DwtButton };
DwtButton.prototype = new DwtControl() as DwtButton;
DwtButton.prototype.constructor = DwtButton as unknown as Function;
Object.assign(DwtButton.prototype, {
  setText(this: DwtButton, text: string) {
    (this._htmlEl.querySelector('.ZButtonText') as HTMLElement).textContent = text ?? '';
  },
  getText(this: DwtButton) {
    return (this._htmlEl.querySelector('.ZButtonText') as HTMLElement).textContent ?? '';
  },
  /** Zimbra images are CSS classes (`ImgXxx`); a URL-looking value is shown as an <img>. */
  setImage(this: DwtButton, image: string | null | undefined) {
    const slot = this._htmlEl.querySelector('.ZButtonImage') as HTMLElement;
    slot.replaceChildren();
    slot.className = 'ZButtonImage';
    if (!image) return;
    if (/[/.]/.test(image)) {
      const img = document.createElement('img');
      img.src = image;
      img.alt = '';
      img.width = 16;
      img.height = 16;
      slot.append(img);
    } else {
      slot.classList.add(`Img${image}`);
    }
  },
  setToolTipContent(this: DwtButton, text: string) {
    if (text) this._htmlEl.title = text;
    else this._htmlEl.removeAttribute('title');
  },
  setEnabled(this: DwtButton, enabled: boolean) {
    this._enabled = enabled !== false;
    (this._htmlEl as HTMLButtonElement).disabled = !this._enabled;
  },
  getEnabled(this: DwtButton) {
    return this._enabled;
  },
  addSelectionListener(this: DwtButton, listener: unknown) {
    if (listener) this._listeners.push(listener);
  },
  removeSelectionListener(this: DwtButton, listener: unknown) {
    this._listeners = this._listeners.filter((l) => l !== listener);
  },
  removeSelectionListeners(this: DwtButton) {
    this._listeners = [];
  },
  _fireSelection(this: DwtButton, domEv?: Event) {
    if (!this._enabled) return;
    const ev: DwtSelectionEvent = { item: this, dwtObj: this, target: domEv?.target ?? this._htmlEl, detail: 0, type: 'selection' };
    for (const l of [...this._listeners]) fireListener(l, ev);
  },
  toString() {
    return 'DwtButton';
  },
});

// ---------------------------------------------------------------------------------------------
// ZmButtonToolBar (zm-web-client WebRoot/js/zimbraMail/share/view/ZmButtonToolBar.js)

export interface CreateOpParams {
  text?: string;
  tooltip?: string;
  image?: string;
  index?: number;
  enabled?: boolean;
  /** Show the image too when a text is given (default false: the image is DROPPED, ZmButtonToolBar.js:174-178). */
  showImageInToolbar?: boolean;
  /** With showImageInToolbar, show the text as well (default false: image only). */
  showTextInToolbar?: boolean;
}
export interface ZmButtonToolBar extends DwtControl {
  _buttons: Map<string, DwtButton>;
  _context: string;
  createOp(id: string, params?: CreateOpParams): DwtButton;
  addOp(id: string, index?: number): DwtButton;
  getButton(id: string): DwtButton | undefined;
  getOp(id: string): DwtButton | undefined;
  getButtons(): DwtButton[];
  addSelectionListener(id: string, listener: unknown): void;
  removeSelectionListeners(id: string): void;
  enable(ids: string | string[], enabled: boolean): void;
  enableAll(enabled: boolean): void;
}
/** `new ZmButtonToolBar({parent, context})`; `context` is the view id used in button DOM ids (`zb__CONTEXT__OP`, ZmId.getButtonId). */
export const ZmButtonToolBar = function (this: ZmButtonToolBar, params?: { parent?: DwtControl; context?: string; id?: string; ariaLabel?: string }) {
  if (arguments.length === 0) return;
  DwtControl.call(this, { parent: params?.parent, id: params?.id, className: 'ZToolbar' });
  this._htmlEl.setAttribute('role', 'toolbar');
  if (params?.ariaLabel) this._htmlEl.setAttribute('aria-label', params.ariaLabel);
  this._buttons = new Map();
  this._context = params?.context ?? 'TB';
  // Arrow keys move between buttons, as a WAI-ARIA toolbar should.
  this._htmlEl.addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft') return;
    const buttons = [...this._htmlEl.querySelectorAll<HTMLButtonElement>('button:not([disabled])')];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const next = buttons[(i + (ev.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length];
    next?.focus();
    ev.preventDefault();
  });
} as unknown as { new (params?: object): ZmButtonToolBar; prototype: ZmButtonToolBar };
ZmButtonToolBar.prototype = new DwtControl() as ZmButtonToolBar;
ZmButtonToolBar.prototype.constructor = ZmButtonToolBar as unknown as Function;
Object.assign(ZmButtonToolBar.prototype, {
  /**
   * ZmButtonToolBar.createOp (ZmButtonToolBar.js:158-185): what the button shows follows Zimbra's rule
   * exactly: the image only with `showImageInToolbar` (or when there is no text), the text unless
   * `showImageInToolbar` without `showTextInToolbar` (or when there is no image).
   */
  createOp(this: ZmButtonToolBar, id: string, params: CreateOpParams = {}) {
    const b = new DwtButton({ id: `zb__${this._context}__${id}` });
    b.setData('opId', id);
    b.buttonId = id;
    let showImage = params.showImageInToolbar || false;
    let showText = !showImage || !!params.showTextInToolbar;
    showImage = showImage || !params.text;
    showText = showText || !params.image;
    if (showText && params.text) b.setText(params.text);
    if (showImage && params.image) b.setImage(params.image);
    b.setToolTipContent(params.tooltip ?? '');
    // An icon-only button still needs a name for screen readers (Zimbra sets aria-label from the tooltip).
    if (!(showText && params.text) && (params.tooltip || params.text)) b.getHtmlElement().setAttribute('aria-label', params.tooltip || params.text!);
    if (params.enabled === false) b.setEnabled(false);
    const el = b.getHtmlElement();
    const children = [...this._htmlEl.children];
    const before = params.index !== undefined && params.index >= 0 ? children[params.index] : undefined;
    if (before) this._htmlEl.insertBefore(el, before);
    else this._htmlEl.append(el);
    b.parent = this;
    this._buttons.set(id, b);
    return b;
  },
  addOp(this: ZmButtonToolBar, id: string, index?: number) {
    return this.createOp(id, { text: id, index });
  },
  getButton(this: ZmButtonToolBar, id: string) {
    return this._buttons.get(id);
  },
  getOp(this: ZmButtonToolBar, id: string) {
    return this._buttons.get(id);
  },
  getButtons(this: ZmButtonToolBar) {
    return [...this._buttons.values()];
  },
  addSelectionListener(this: ZmButtonToolBar, id: string, listener: unknown) {
    this._buttons.get(id)?.addSelectionListener(listener);
  },
  removeSelectionListeners(this: ZmButtonToolBar, id: string) {
    this._buttons.get(id)?.removeSelectionListeners();
  },
  enable(this: ZmButtonToolBar, ids: string | string[], enabled: boolean) {
    for (const id of Array.isArray(ids) ? ids : [ids]) this._buttons.get(id)?.setEnabled(enabled);
  },
  enableAll(this: ZmButtonToolBar, enabled: boolean) {
    for (const b of this._buttons.values()) b.setEnabled(enabled);
  },
  toString() {
    return 'ZmButtonToolBar';
  },
});

// ---------------------------------------------------------------------------------------------
// DwtDialog / ZmDialog (zm-ajax WebRoot/js/ajax/dwt/widgets/DwtDialog.js,
// zm-web-client WebRoot/js/zimbraMail/share/view/dialog/ZmDialog.js)

/** zm-ajax `DwtDialog_ButtonDescriptor(id, label, align, callback)`. */
export interface DwtDialogButtonDescriptor {
  id: string | number;
  label: string;
  align?: number;
  callback?: unknown;
}
export const DwtDialog_ButtonDescriptor = function (
  this: DwtDialogButtonDescriptor,
  id: string | number,
  label: string,
  align?: number,
  callback?: unknown,
) {
  this.id = id;
  this.label = label;
  this.align = align;
  this.callback = callback;
} as unknown as { new (id: string | number, label: string, align?: number, callback?: unknown): DwtDialogButtonDescriptor };

export interface DwtDialogParams {
  parent?: DwtControl;
  title?: string;
  view?: DwtControl;
  standardButtons?: number[] | number;
  extraButtons?: DwtDialogButtonDescriptor[];
  id?: string;
  className?: string;
}
export interface DwtDialog extends DwtControl {
  _title: string;
  _buttonList: Array<string | number>;
  _buttonDesc: Record<string, DwtDialogButtonDescriptor>;
  _button: Record<string, DwtButton>;
  _contentDiv: HTMLElement;
  _titleEl: HTMLElement;
  _poppedUp: boolean;
  _view: DwtControl | null;
  isDwtDialog: true;
  popup(loc?: unknown, focusButtonId?: number | string): void;
  popdown(): void;
  isPoppedUp(): boolean;
  setTitle(title: string): void;
  setContent(html: string): void;
  setView(view: DwtControl): void;
  getButton(id: number | string): DwtButton | undefined;
  setButtonEnabled(id: number | string, enabled: boolean): void;
  setButtonVisible(id: number | string, visible: boolean): void;
  getButtonEnabled(id: number | string): boolean;
  registerCallback(id: number | string, func: unknown, obj?: object, args?: unknown): void;
  unregisterCallback(id: number | string): void;
  setButtonListener(id: number | string, listener: unknown): void;
  _runCallbackForButtonId(id: number | string, args?: unknown): boolean;
  _resetCallbacks(): void;
  reset(): void;
}
interface DwtDialogStatics {
  CANCEL_BUTTON: 1;
  OK_BUTTON: 2;
  DISMISS_BUTTON: 3;
  NO_BUTTON: 4;
  YES_BUTTON: 5;
  LAST_BUTTON: 5;
  NO_BUTTONS: 256;
  ALL_BUTTONS: number[];
  ALIGN_LEFT: 1;
  ALIGN_RIGHT: 2;
  ALIGN_CENTER: 3;
  MODELESS: 1;
  MODAL: 2;
}
const DIALOG_STATICS: DwtDialogStatics = {
  CANCEL_BUTTON: 1,
  OK_BUTTON: 2,
  DISMISS_BUTTON: 3,
  NO_BUTTON: 4,
  YES_BUTTON: 5,
  LAST_BUTTON: 5,
  NO_BUTTONS: 256,
  ALL_BUTTONS: [1, 2, 3, 4, 5],
  ALIGN_LEFT: 1,
  ALIGN_RIGHT: 2,
  ALIGN_CENTER: 3,
  MODELESS: 1,
  MODAL: 2,
};
const STANDARD_LABEL = (id: number): string =>
  ({ 1: t('dialog_cancel'), 2: t('dialog_ok'), 3: t('dialog_close'), 4: t('dialog_no'), 5: t('dialog_yes') })[id] ?? String(id);
const STANDARD_NAME: Record<number, string> = { 1: 'cancel', 2: 'ok', 3: 'dismiss', 4: 'no', 5: 'yes' };

/** Where dialogs live in the page (a body-level container so their ids are easy to find). */
function dialogHost(): HTMLElement {
  let host = document.getElementById('zm-dialogs');
  if (!host) {
    host = document.createElement('div');
    host.id = 'zm-dialogs';
    document.body.append(host);
  }
  return host;
}

type DwtDialogCtor = {
  new (params?: DwtDialogParams): DwtDialog;
  (this: DwtDialog, params?: DwtDialogParams): void;
  prototype: DwtDialog;
} & DwtDialogStatics;

export const DwtDialog = function (this: DwtDialog, params?: DwtDialogParams) {
  if (arguments.length === 0) return;
  const p = params ?? {};
  DwtControl.call(this, { id: p.id || dwtNextId('zm-dialog-'), tag: 'dialog', className: p.className ?? 'DwtDialog' });
  const el = this._htmlEl as HTMLDialogElement;
  dialogHost().append(el);
  this.isDwtDialog = true;
  this._poppedUp = false;
  this._view = null;
  this._title = p.title ?? '';
  el.setAttribute('aria-labelledby', `${this._htmlElId}_title`);

  this._titleEl = document.createElement('h2');
  this._titleEl.id = `${this._htmlElId}_title`;
  this._titleEl.className = 'DwtDialogTitle';
  this._titleEl.textContent = this._title;
  this._contentDiv = document.createElement('div');
  this._contentDiv.id = `${this._htmlElId}_content`;
  this._contentDiv.className = 'DwtDialogBody';
  const buttonBar = document.createElement('div');
  buttonBar.className = 'DwtDialogButtonBar';
  el.append(this._titleEl, this._contentDiv, buttonBar);

  // Buttons as DwtDialog builds them: standard ones (default OK + Cancel), then the extra ones.
  let standard = p.standardButtons;
  if (standard === undefined) standard = [DIALOG_STATICS.OK_BUTTON, DIALOG_STATICS.CANCEL_BUTTON];
  else if (standard === DIALOG_STATICS.NO_BUTTONS) standard = [];
  else if (!Array.isArray(standard)) standard = [standard];
  this._buttonList = [];
  this._buttonDesc = {};
  this._button = {};
  for (const id of standard) {
    this._buttonList.push(id);
    this._buttonDesc[id] = new DwtDialog_ButtonDescriptor(id, STANDARD_LABEL(id));
  }
  for (const d of p.extraButtons ?? []) {
    this._buttonList.push(d.id);
    this._buttonDesc[d.id] = d;
  }
  this._resetCallbacks();
  for (const id of this._buttonList) {
    const b = new DwtButton({ id: `${this._htmlElId}_button${id}`, className: 'ZButton DwtDialogButton' });
    b.buttonId = id;
    b.setText(this._buttonDesc[id]!.label);
    b.getHtmlElement().dataset['button'] = typeof id === 'number' ? (STANDARD_NAME[id] ?? String(id)) : String(id);
    b.addSelectionListener(() => this._runCallbackForButtonId(id));
    buttonBar.append(b.getHtmlElement());
    b.parent = this;
    this._button[id] = b;
  }

  // Escape acts as Cancel (DwtDialog.handleKeyAction DwtKeyMap.CANCEL): run the cancel/no/dismiss
  // callback if any, then pop down. The native dialog's own close is prevented so state stays ours.
  el.addEventListener('cancel', (ev) => {
    ev.preventDefault();
    const handled =
      this._runCallbackForButtonId(DIALOG_STATICS.CANCEL_BUTTON) ||
      this._runCallbackForButtonId(DIALOG_STATICS.NO_BUTTON) ||
      this._runCallbackForButtonId(DIALOG_STATICS.DISMISS_BUTTON);
    if (!handled && this._buttonDesc[DIALOG_STATICS.OK_BUTTON] && this._buttonList.length === 1) {
      this._runCallbackForButtonId(DIALOG_STATICS.OK_BUTTON);
    }
    this.popdown();
  });

  if (p.view) this.setView(p.view);
} as unknown as DwtDialogCtor;
Object.assign(DwtDialog, DIALOG_STATICS);
DwtDialog.prototype = new DwtControl() as DwtDialog;
DwtDialog.prototype.constructor = DwtDialog as unknown as Function;
Object.assign(DwtDialog.prototype, {
  /** Shows the dialog modally: the rest of the page is inert, so focus stays inside while it is open. */
  popup(this: DwtDialog, _loc?: unknown, focusButtonId?: number | string) {
    const el = this._htmlEl as HTMLDialogElement;
    if (!el.open) el.showModal();
    this._poppedUp = true;
    const focusButton = focusButtonId !== undefined ? this._button[focusButtonId] : undefined;
    if (focusButton) focusButton.focus();
  },
  popdown(this: DwtDialog) {
    const el = this._htmlEl as HTMLDialogElement;
    if (el.open) el.close();
    this._poppedUp = false;
    for (const b of Object.values(this._button)) b.setEnabled(true);
  },
  isPoppedUp(this: DwtDialog) {
    return this._poppedUp;
  },
  setTitle(this: DwtDialog, title: string) {
    this._title = title ?? '';
    this._titleEl.textContent = this._title;
  },
  setContent(this: DwtDialog, html: string) {
    this._contentDiv.innerHTML = html;
  },
  /** ZmDialog.setView: the view's element becomes the dialog's content. */
  setView(this: DwtDialog, view: DwtControl) {
    if (!view) return;
    this._view = view;
    this._contentDiv.replaceChildren(view.getHtmlElement());
    view.getHtmlElement().hidden = false;
  },
  getButton(this: DwtDialog, id: number | string) {
    return this._button[id];
  },
  _getContentDiv(this: DwtDialog) {
    return this._contentDiv;
  },
  setButtonEnabled(this: DwtDialog, id: number | string, enabled: boolean) {
    this._button[id]?.setEnabled(enabled);
  },
  setButtonVisible(this: DwtDialog, id: number | string, visible: boolean) {
    this._button[id]?.setVisible(visible);
  },
  getButtonEnabled(this: DwtDialog, id: number | string) {
    return this._button[id]?.getEnabled() ?? false;
  },
  registerCallback(this: DwtDialog, id: number | string, func: unknown, obj?: object, args?: unknown) {
    const desc = this._buttonDesc[id];
    if (!desc) return;
    const isCb = !!func && typeof func === 'object' && (func as { isAjxCallback?: boolean }).isAjxCallback;
    desc.callback = isCb || (!obj && args === undefined) ? func : new AjxCallback(obj ?? null, func, args);
  },
  unregisterCallback(this: DwtDialog, id: number | string) {
    const desc = this._buttonDesc[id];
    if (desc) desc.callback = undefined;
  },
  /** Replaces the button's listeners (DwtDialog.setButtonListener); the listener gets a DwtSelectionEvent. */
  setButtonListener(this: DwtDialog, id: number | string, listener: unknown) {
    const b = this._button[id];
    if (!b) return;
    b.removeSelectionListeners();
    b.addSelectionListener(listener);
  },
  /** Runs the button descriptor's callback (popdown unless registerCallback changed it). */
  _runCallbackForButtonId(this: DwtDialog, id: number | string, args?: unknown) {
    const cb = this._buttonDesc[id]?.callback;
    if (!cb) return false;
    if (typeof cb === 'function') (cb as (...a: unknown[]) => unknown)(args);
    else (cb as AjxCallback).run(...(Array.isArray(args) ? args : args === undefined ? [] : [args]));
    return true;
  },
  _resetCallbacks(this: DwtDialog) {
    for (const id of DIALOG_STATICS.ALL_BUTTONS) {
      const desc = this._buttonDesc[id];
      if (desc) desc.callback = new AjxCallback(this, this.popdown);
    }
  },
  reset(this: DwtDialog) {
    this._resetCallbacks();
    for (const b of Object.values(this._button)) b.setEnabled(true);
  },
  dispose(this: DwtDialog) {
    this.popdown();
    this._disposed = true;
    this._htmlEl.remove();
  },
  toString() {
    return 'DwtDialog';
  },
});

export type ZmDialog = DwtDialog;
/** zm-web-client `ZmDialog.js`: a DwtDialog whose OK button calls `_okButtonListener` unless replaced. */
export const ZmDialog = function (this: ZmDialog, params?: DwtDialogParams) {
  if (arguments.length === 0) return;
  DwtDialog.call(this, params);
  // Subclasses without a view give their markup through _contentHtml (ZmDialog constructor).
  const sub = this as ZmDialog & { _contentHtml?: () => string };
  if (!params?.view && typeof sub._contentHtml === 'function') this.setContent(sub._contentHtml());
  const ok = this._button[DIALOG_STATICS.OK_BUTTON];
  if (ok) {
    const self = this as ZmDialog & { _okButtonListener?: (ev: unknown) => unknown };
    this.setButtonListener(DIALOG_STATICS.OK_BUTTON, (ev: unknown) => (self._okButtonListener ? self._okButtonListener(ev) : self.popdown()));
  }
} as unknown as DwtDialogCtor;
Object.assign(ZmDialog, DIALOG_STATICS);
ZmDialog.prototype = new DwtDialog() as ZmDialog;
ZmDialog.prototype.constructor = ZmDialog as unknown as Function;
ZmDialog.prototype.toString = () => 'ZmDialog';
