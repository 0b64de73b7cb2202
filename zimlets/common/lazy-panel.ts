/**
 * A zimlet window whose content is a part loaded when first needed (issue 17: a light start). The
 * start-time script keeps only the handler; the panel's lit components, the service calls and their
 * texts are the zimlet's `panel.chunk.ts`, built into `<zimlet>_panel.js` (build/build.mjs) and
 * loaded from the zimlet's own files (./chunk-loader.ts) the first time the window opens. Meanwhile
 * the window shows a status line; a part that cannot load says so, and the next opening tries again.
 */
import type { Lang } from '../../shared/i18n/lang.ts';
import { loadChunk, loadedChunk } from './chunk-loader.ts';
import type { PanelContent } from './panel-dialog.ts';

/** What a `panel.chunk.ts` exports. */
export interface PanelChunk<H, A extends unknown[]> {
  createPanel(host: H, ...args: A): PanelContent;
}

/** The texts of the wait, in the three languages (kept here: they are the same for every zimlet). */
export const PART_TEXTS: Record<'loading' | 'failed', Record<Lang, string>> = {
  loading: { fr: 'Chargement…', de: 'Wird geladen…', en: 'Loading…' },
  failed: {
    fr: 'Cette partie du zimlet n’a pas pu être chargée : vérifiez votre connexion, puis rouvrez-la pour réessayer.',
    de: 'Dieser Teil des Zimlets konnte nicht geladen werden: Prüfen Sie Ihre Verbindung und öffnen Sie ihn erneut.',
    en: 'This part of the zimlet could not be loaded: check your connection, then open it again to retry.',
  },
};

/** The status line a waiting box shows (role status while loading, alert once it failed). */
export function partStatus(box: HTMLElement, role: 'status' | 'alert', text: string): void {
  const p = document.createElement('p');
  p.setAttribute('role', role);
  p.textContent = text;
  box.replaceChildren(p);
}

/**
 * A `createPanel` for panelZimletHandler that loads `file` (the zimlet's panel part) on first opening
 * and then hands over to the part's own `createPanel(host, ...args)`. Once the part is loaded, the
 * panel is created synchronously inside the first opening (a handler may look it up right after).
 */
export function lazyPanel<H extends { readonly lang: Lang }, A extends unknown[] = []>(zimletName: string, file: string) {
  return (host: H, ...args: A): PanelContent => {
    const box = document.createElement('div') as HTMLDivElement & PanelContent;
    box.dataset['esantePart'] = file;
    let panel: PanelContent | undefined;
    let section: string | undefined;
    let loading = false;
    const mount = (chunk: PanelChunk<H, A>) => {
      panel = chunk.createPanel(host, ...args);
      box.replaceChildren(panel);
      panel.opened(section);
    };
    box.opened = (wanted?: string) => {
      section = wanted;
      if (panel) return void panel.opened(section);
      const ready = loadedChunk<PanelChunk<H, A>>(file);
      if (ready) return mount(ready);
      if (loading) return;
      loading = true;
      partStatus(box, 'status', PART_TEXTS.loading[host.lang]);
      loadChunk<PanelChunk<H, A>>(zimletName, file).then(
        (chunk) => {
          loading = false;
          if (!panel) mount(chunk);
        },
        () => {
          loading = false;
          partStatus(box, 'alert', PART_TEXTS.failed[host.lang]);
        },
      );
    };
    return box;
  };
}
