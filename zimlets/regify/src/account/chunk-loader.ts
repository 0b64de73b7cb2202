/**
 * Loads, once, a part of the zimlet that is not needed at webmail start (issue 17: a light start).
 * build/build.mjs turns every `src/**\/<part>.chunk.ts` into a file `<zimlet>_<part>.js` of the zip,
 * NOT listed in the descriptor's <include>s: Zimbra then leaves it out of the start-time
 * Zimlets-nodev_all.js and serves it, like every file of the zip, at `<zimlet base URL><file>`
 * (zm-web-client ZmZimletBase.getResource: `this.xmlObj().getUrl() + resourceName`).
 * The file is a classic script that hands its exports to the <script> element running it
 * (`document.currentScript.esanteChunk`), so it adds no global of its own.
 */

/** zm-web-client ZmZimletMgr.getZimletByName → ZmZimletContext.getUrl (the zimlet's baseUrl). */
interface ZimletMgrLike {
  getZimletByName(name: string): { getUrl(): string } | null | undefined;
}

/** The element a chunk file writes its exports to (see build/build.mjs, chunkEntry). */
interface ChunkScript extends HTMLScriptElement {
  esanteChunk?: unknown;
}

const loads = new Map<string, Promise<unknown>>();
const loaded = new Set<string>();

/** The URL of one file of a deployed zimlet, as Zimbra serves it. */
export function zimletFileUrl(zimletName: string, file: string): string {
  const mgr = (appCtxt as unknown as { getZimletMgr(): ZimletMgrLike }).getZimletMgr();
  const base = mgr.getZimletByName(zimletName)?.getUrl() ?? `/service/zimlet/${zimletName}/`;
  return base + encodeURIComponent(file);
}

/** True once the part is there (then `loadChunk` resolves without any wait the user could see). */
export function chunkLoaded(file: string): boolean {
  return loaded.has(file);
}

/**
 * Resolves with the exports of the chunk file (loaded once per page). A failed load (network, 404)
 * rejects and is forgotten, so the next use tries again.
 */
export function loadChunk<T>(zimletName: string, file: string): Promise<T> {
  let load = loads.get(file);
  if (!load) {
    load = new Promise<unknown>((resolve, reject) => {
      const script = document.createElement('script') as ChunkScript;
      script.src = zimletFileUrl(zimletName, file);
      script.async = true;
      script.onload = () => {
        script.remove();
        if (script.esanteChunk === undefined) reject(new Error(`${file}: the script did not hand over its exports`));
        else {
          loaded.add(file);
          resolve(script.esanteChunk);
        }
      };
      script.onerror = () => {
        script.remove();
        reject(new Error(`${file} could not be loaded`));
      };
      document.head.appendChild(script);
    });
    load.catch(() => loads.delete(file));
    loads.set(file, load);
  }
  return load as Promise<T>;
}
