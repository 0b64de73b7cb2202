/**
 * Base of every lit element of the suite.
 * - `define(tag)` is guarded: each zimlet ships its own bundle, and several may carry the same shared
 *   element (e.g. `esante-service-info`); Zimbra loads all of them in one page, so a second
 *   registration must be a no-op instead of throwing (shoelace `src/internal/shoelace-element.ts`).
 * - `msg(key, ...args)` is THE way components read a translated text: it asks the ZimletHost
 *   (Zimbra's `getMessage` underneath). Always call it with a string literal key: the packager's
 *   validator finds the keys a bundle uses by scanning `.msg("…")` calls (zimlets/README.md).
 */
import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import type { ZimletHost } from '../host/zimlet-host.ts';
import { controls, tokens } from './tokens.ts';

export class EsanteElement extends LitElement {
  static override styles = [tokens, controls];

  /**
   * Registers the element under `tag` unless that tag is already taken (by this bundle or another
   * zimlet's copy of the same element). Returns the constructor that owns the tag.
   */
  static define(tag: string, options?: ElementDefinitionOptions): CustomElementConstructor {
    const registry = globalThis.customElements;
    const existing = registry.get(tag);
    if (existing) return existing;
    try {
      registry.define(tag, this, options);
    } catch {
      // The same constructor cannot be registered under two tags: register a trivial subclass so
      // an element can also be made available under an alias (shoelace does the same).
      registry.define(tag, class extends this {}, options);
    }
    return registry.get(tag) ?? this;
  }

  /** The webmail this element lives in; set by the zimlet handler (or a test) before rendering. */
  @property({ attribute: false }) accessor host: ZimletHost | undefined = undefined;

  /** Translated text of `key` from the zimlet's properties, `{0}`… filled; the key itself until a host is set. */
  protected msg(key: string, ...args: ReadonlyArray<string | number>): string {
    const host = this.host;
    // Forwarded with `.call` on purpose: the validator requires every `.msg(` call in a bundle to
    // have a literal key, and this is the one place where the key is a variable (its callers are
    // the ones scanned).
    return host ? host.msg.call(host, key, ...args) : key;
  }
}
