/**
 * The Ajx* utilities zimlets use: AjxCallback, AjxListener, AjxVector and AjxEmailAddress.
 * They are old-style constructors (not ES classes) on purpose: Zimbra code and zimlets subclass
 * them with `X.prototype = new AjxCallback()` and `AjxCallback.call(this, …)`, which an ES class
 * would refuse. Pure (no DOM), so node unit tests can load them.
 */

type AnyFn = (...args: any[]) => unknown;

export interface AjxCallback {
  obj: object | null;
  func: AnyFn | undefined;
  args: unknown;
  isAjxCallback: true;
  run(...args: unknown[]): unknown;
  run1(argList?: unknown[]): unknown;
}
export interface AjxCallbackCtor {
  new (obj?: object | null | AnyFn, func?: AnyFn | unknown, args?: unknown): AjxCallback;
  (this: AjxCallback, obj?: object | null | AnyFn, func?: AnyFn | unknown, args?: unknown): void;
  prototype: AjxCallback;
  NOP: AjxCallback;
  simpleClosure(func: AnyFn, obj: object | null, ...args: unknown[]): AnyFn;
}

/**
 * zm-ajax `WebRoot/js/ajax/boot/AjxCallback.js`: `new AjxCallback(obj, func, args)` or
 * `new AjxCallback(func, args)`; `run(a, b)` calls `func.apply(obj, [...args, a, b])` where a
 * non-array `args` is a single leading argument (pgp-zimlet's `new AjxListener(this, fn, controller)`).
 */
export const AjxCallback = function (this: AjxCallback, obj?: unknown, func?: unknown, args?: unknown) {
  if (arguments.length === 0) return;
  if (typeof obj === 'function') {
    this.obj = null;
    this.func = obj as AnyFn;
    this.args = func;
  } else {
    this.obj = (obj as object | null) ?? null;
    this.func = func as AnyFn;
    this.args = args;
  }
} as unknown as AjxCallbackCtor;

function combinedArgs(cb: AjxCallback, extra: ArrayLike<unknown>): unknown[] {
  const out: unknown[] = [];
  if (typeof cb.args !== 'undefined') {
    if (Array.isArray(cb.args)) out.push(...cb.args);
    else out.push(cb.args);
  }
  for (let i = 0; i < extra.length; i++) out.push(extra[i]);
  return out;
}

AjxCallback.prototype.isAjxCallback = true;
AjxCallback.prototype.run = function (this: AjxCallback, ...args: unknown[]) {
  return this.func ? this.func.apply(this.obj ?? globalThis, combinedArgs(this, args)) : undefined;
};
AjxCallback.prototype.run1 = function (this: AjxCallback, argList?: unknown[]) {
  return this.func ? this.func.apply(this.obj ?? globalThis, combinedArgs(this, argList ?? [])) : undefined;
};
AjxCallback.prototype.toString = () => 'AjxCallback';
AjxCallback.NOP = new AjxCallback(() => undefined);
AjxCallback.simpleClosure = (func: AnyFn, obj: object | null, ...bound: unknown[]) =>
  function (this: unknown, ...later: unknown[]) {
    return func.apply(obj ?? this, [...bound, ...later]);
  };

export interface AjxListener extends AjxCallback {
  isAjxListener: true;
  handleEvent(ev: unknown): unknown;
}
export interface AjxListenerCtor {
  new (obj?: object | null | AnyFn, func?: AnyFn | unknown, args?: unknown): AjxListener;
  prototype: AjxListener;
}
/** zm-ajax `WebRoot/js/ajax/events/AjxListener.js`: an AjxCallback whose `handleEvent(ev)` is `run(ev)`. */
export const AjxListener = function (this: AjxListener, obj?: unknown, func?: unknown, args?: unknown) {
  AjxCallback.call(this, obj as object | null, func, args);
} as unknown as AjxListenerCtor;
AjxListener.prototype = new AjxCallback() as AjxListener;
AjxListener.prototype.constructor = AjxListener as unknown as Function;
AjxListener.prototype.isAjxListener = true;
AjxListener.prototype.toString = () => 'AjxListener';
AjxListener.prototype.handleEvent = function (this: AjxListener, ev: unknown) {
  return this.run(ev);
};

/** Something with `run` or a plain function: Zimbra accepts both in most callback slots. */
export type Runnable = { run(...args: unknown[]): unknown } | ((...args: any[]) => unknown);
export function runCallback(cb: Runnable | null | undefined, ...args: unknown[]): unknown {
  if (!cb) return undefined;
  return typeof cb === 'function' ? cb(...args) : cb.run(...args);
}
/** A listener may be an AjxListener (`handleEvent`), an AjxCallback (`run`) or a function. */
export function fireListener(listener: unknown, ev: unknown): unknown {
  if (!listener) return undefined;
  if (typeof listener === 'function') return (listener as AnyFn)(ev);
  const l = listener as { handleEvent?: AnyFn; run?: AnyFn };
  if (typeof l.handleEvent === 'function') return l.handleEvent(ev);
  if (typeof l.run === 'function') return l.run(ev);
  return undefined;
}

/** zm-ajax `WebRoot/js/ajax/util/AjxVector.js`: the list type `parseEmailString` answers. */
export class AjxVector<T> {
  private readonly items: T[] = [];
  add(item: T): void {
    this.items.push(item);
  }
  get(i: number): T | undefined {
    return this.items[i];
  }
  size(): number {
    return this.items.length;
  }
  getArray(): T[] {
    return this.items;
  }
  toString(sep = ', '): string {
    return this.items.map(String).join(sep);
  }
}

export type AddressType = 'FROM' | 'TO' | 'CC' | 'BCC' | 'REPLY_TO' | 'SENDER' | 'READ_RECEIPT' | 'RESENT_FROM';

// Validation patterns copied in spirit from AjxEmailAddress.js (addrOnlyPat / addrAnglePat), restricted
// to what our users type: ASCII dot-atom or quoted local part, a domain with a dot.
const LOCAL = `(?:[^\\x00-\\x1F\\x7F\\u0080-\\uFFFF()<>\\[\\]:;@\\\\,."\\s]+(?:\\.[^\\x00-\\x1F\\x7F\\u0080-\\uFFFF()<>\\[\\]:;@\\\\,."\\s]+)*|"(?:[^\\\\"]|\\\\[^\\x0A\\x0D])+")`;
const DOMAIN = `(?:[^\\x00-\\x1F\\x7F\\u0080-\\uFFFF()<>\\[\\]:;@\\\\,."\\s]+(?:\\.[^\\x00-\\x1F\\x7F\\u0080-\\uFFFF()<>\\[\\]:;@\\\\,."\\s]+)*)`;
const ADDR = `${LOCAL}@${DOMAIN}`;
const ADDR_ONLY = new RegExp(`^${ADDR}$`);
const ADDR_ANGLE = new RegExp(`\\s*<\\s*(${ADDR})\\s*>\\s*$`);
const ADDR_ANY = new RegExp(ADDR);
const BOUND_ADDR = new RegExp(`\\s*<?\\s*${ADDR}\\s*>?\\s*$`);

export interface AjxEmailAddress {
  address: string;
  name: string | undefined;
  dispName: string | undefined;
  type: AddressType;
  isAjxEmailAddress: true;
  getAddress(): string;
  setAddress(a: string): void;
  getName(): string | undefined;
  getType(): AddressType;
  setType(t: AddressType): void;
  getTypeAsString(): string;
  toString(shortForm?: boolean): string;
}
export interface AjxEmailAddressCtor {
  new (address: string, type?: AddressType | null, name?: string, dispName?: string): AjxEmailAddress;
  prototype: AjxEmailAddress;
  readonly FROM: 'FROM';
  readonly TO: 'TO';
  readonly CC: 'CC';
  readonly BCC: 'BCC';
  readonly REPLY_TO: 'REPLY_TO';
  readonly SENDER: 'SENDER';
  readonly READ_RECEIPT: 'READ_RECEIPT';
  readonly RESENT_FROM: 'RESENT_FROM';
  readonly SEPARATOR: string;
  readonly TYPE_STRING: Record<AddressType, string>;
  readonly fromSoapType: Record<string, AddressType>;
  readonly toSoapType: Partial<Record<AddressType, string>>;
  validateAddress(addr: string): boolean;
  isValid(str: string): boolean;
  parse(str: string): AjxEmailAddress | null;
  split(str: string): string[];
  parseEmailString(str: string, type?: AddressType, strict?: boolean): {
    good: AjxVector<AjxEmailAddress>;
    bad: AjxVector<string>;
    all: AjxVector<AjxEmailAddress>;
  };
  getValidAddresses(str: string, type?: AddressType, strict?: boolean): AjxVector<AjxEmailAddress>;
}

/** zm-ajax `WebRoot/js/ajax/util/AjxEmailAddress.js`: one address with its type and display name. */
export const AjxEmailAddress = function (
  this: AjxEmailAddress,
  address: string,
  type?: AddressType | null,
  name?: string,
  dispName?: string,
) {
  this.address = address;
  this.name = name;
  this.dispName = dispName;
  this.type = type || 'TO';
} as unknown as AjxEmailAddressCtor;

const statics = {
  FROM: 'FROM',
  TO: 'TO',
  CC: 'CC',
  BCC: 'BCC',
  REPLY_TO: 'REPLY_TO',
  SENDER: 'SENDER',
  READ_RECEIPT: 'READ_RECEIPT',
  RESENT_FROM: 'RESENT_FROM',
  SEPARATOR: '; ',
  TYPE_STRING: {
    FROM: 'from', TO: 'to', CC: 'cc', BCC: 'bcc', REPLY_TO: 'replyTo', SENDER: 'sender',
    READ_RECEIPT: 'readReceipt', RESENT_FROM: 'resentFrom',
  },
  fromSoapType: { f: 'FROM', t: 'TO', c: 'CC', b: 'BCC', r: 'REPLY_TO', s: 'SENDER', n: 'READ_RECEIPT', rf: 'RESENT_FROM' },
  toSoapType: { FROM: 'f', TO: 't', CC: 'c', BCC: 'b', REPLY_TO: 'r', SENDER: 's', READ_RECEIPT: 'n' },
} as const;
Object.assign(AjxEmailAddress, statics);

/** `_prelimCheck`: an @, then a dot after it that is not the last character (Zimbra wants an FQDN). */
function prelimCheck(str: string): boolean {
  const at = str.indexOf('@');
  const dot = str.lastIndexOf('.');
  return at !== -1 && dot !== -1 && dot > at && dot !== str.length - 1;
}

AjxEmailAddress.validateAddress = (addr: string) => prelimCheck(addr) && ADDR_ONLY.test(addr.trim());
AjxEmailAddress.isValid = (str: string) => AjxEmailAddress.parse(str) !== null;

/** `parse("Name <a@b.lu>")`: the address and what remains as the (unquoted) name, or null. */
AjxEmailAddress.parse = (input: string) => {
  let str = String(input ?? '').trim();
  if (!prelimCheck(str) || !ADDR_ANY.test(str)) return null;
  let addr: string | undefined;
  const angle = str.match(ADDR_ANGLE);
  if (angle) {
    addr = angle[1];
    str = str.replace(ADDR_ANGLE, '');
  } else {
    const m = str.match(ADDR_ANY);
    if (m && m.index !== undefined) {
      addr = m[0].trim();
      str = (str.slice(0, m.index) + str.slice(m.index + m[0].length)).trim();
      if ((str.replace(/\\"/g, '').match(/"/g) ?? []).length % 2) return null; // unmatched quote
    }
  }
  if (!addr || !AjxEmailAddress.validateAddress(addr)) return null;
  let name: string | undefined;
  if (str.trim()) {
    name = str.trim().replace(/\\"/g, '\u0000');
    name = name.replace(/^"+|"+$/g, '').replace(/\u0000/g, '"').trim() || undefined;
  }
  return new AjxEmailAddress(addr, null, name);
};

/**
 * `split`: cuts on newline always, on `;` outside quotes/comments, on `,` or space only right after
 * an address, so `Smith, John <js@x.lu>` stays one entry (AjxEmailAddress.split's documented rule).
 */
AjxEmailAddress.split = (input: string) => {
  const str = String(input ?? '').trim();
  const out: string[] = [];
  let current = '';
  let quote: '"' | '(' | null = null;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charAt(i);
    const prev = i > 0 ? str.charAt(i - 1) : '';
    if (quote) {
      current += ch;
      if (((quote === '"' && ch === '"') || (quote === '(' && ch === ')')) && prev !== '\\') quote = null;
      continue;
    }
    if ((ch === '"' || ch === '(') && prev !== '\\') {
      quote = ch;
      current += ch;
      continue;
    }
    const cut = ch === '\n' || ch === ';' || ((ch === ',' || ch === ' ') && BOUND_ADDR.test(current) && prelimCheck(current));
    if (cut) {
      if (current.trim()) out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
};

AjxEmailAddress.parseEmailString = (emailStr: string, type?: AddressType, strict?: boolean) => {
  const good = new AjxVector<AjxEmailAddress>();
  const bad = new AjxVector<string>();
  const all = new AjxVector<AjxEmailAddress>();
  for (const piece of AjxEmailAddress.split(emailStr)) {
    let addr = AjxEmailAddress.parse(piece);
    if (!addr && !strict) {
      // Non-strict: retry with the personal part quoted (`Smith, John <js@x.lu>`), as Zimbra does.
      const angle = piece.match(ADDR_ANGLE);
      if (angle) {
        const name = piece.replace(ADDR_ANGLE, '').trim();
        addr = AjxEmailAddress.parse(`"${name.replace(/"/g, '\\"')}" <${angle[1]}>`);
        if (addr) addr.name = name;
      }
    }
    if (addr) {
      addr.type = type ?? 'TO';
      good.add(addr);
      all.add(addr);
    } else {
      bad.add(piece);
      all.add(new AjxEmailAddress(piece));
    }
  }
  return { good, bad, all };
};
AjxEmailAddress.getValidAddresses = (str: string, type?: AddressType, strict?: boolean) =>
  AjxEmailAddress.parseEmailString(str, type, strict).good;

Object.assign(AjxEmailAddress.prototype, {
  isAjxEmailAddress: true,
  getAddress(this: AjxEmailAddress) {
    return this.address;
  },
  setAddress(this: AjxEmailAddress, a: string) {
    this.address = a;
  },
  getName(this: AjxEmailAddress) {
    return this.name;
  },
  getType(this: AjxEmailAddress) {
    return this.type;
  },
  setType(this: AjxEmailAddress, t: AddressType) {
    this.type = t;
  },
  getTypeAsString(this: AjxEmailAddress) {
    return statics.TYPE_STRING[this.type];
  },
  /** `"Name" <a@b>` or, short form, the name (else the address). */
  toString(this: AjxEmailAddress, shortForm?: boolean) {
    if (shortForm) return this.name || this.dispName || this.address;
    if (!this.name) return this.address;
    return `"${this.name.replace(/"/g, '\\"')}" <${this.address}>`;
  },
});
