/**
 * Loads, once, a part of the zimlet that is not needed at webmail start (issue 17: a light start).
 * build/build.mjs turns every `src/**\/<part>.chunk.ts` into a file `<zimlet>_<part>.js` of the zip,
 * NOT listed in the descriptor's <include>s: Zimbra loads at start only those (zm-web-client
 * ZmZimletContext: `this.includes = this.json.zimlet.include`, then ZmZimletMgr.__getIncludes →
 * Zimlets-nodev_all.js) and serves every other file of the zip at the zimlet's base URL
 * (ZmZimletContext: `this._url = this.ctxt[0].baseUrl`, the GetInfo zimletContext's baseUrl,
 * `/service/zimlet/<name>/`; ZmZimletBase.getResource: `this.xmlObj().getUrl() + resourceName`).
 * The file is a classic script that hands its exports to the <script> element running it
 * (`document.currentScript.esanteChunk`), so it adds no global of its own.
 */

/** zm-web-client ZmZimletMgr.getZimletByName → ZmZimletContext.getUrl (the zimlet's baseUrl). */
interface ZimletMgrLike {
  getZimletByName(name: string): { getUrl(): string } | null | undefined;
}

/** The element a chunk file writes its exports to, and reads the shared modules from (build/build.mjs bundleChunk). */
interface ChunkScript extends HTMLScriptElement {
  esanteChunk?: unknown;
  esanteShared?: Readonly<Record<string, unknown>>;
}

/**
 * The modules of the start-time script its parts use as they are, rather than a copy of their own
 * (build/build.mjs SHARED_WITH_PARTS: classes such as ZimbraSoapError must be the very ones the host
 * throws). The build makes the start-time script call shareWithParts for each; keyed by repository path.
 */
const shared: Record<string, unknown> = {};
export function shareWithParts(modulePath: string, namespace: unknown): void {
  shared[modulePath] = namespace;
}

const loads = new Map<string, Promise<unknown>>();
const loaded = new Map<string, unknown>();

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

/** The exports of a part already loaded (synchronously), undefined before. */
export function loadedChunk<T>(file: string): T | undefined {
  return loaded.get(file) as T | undefined;
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
      script.esanteShared = shared;
      script.async = true;
      script.onload = () => {
        script.remove();
        if (script.esanteChunk === undefined) reject(new Error(`${file}: the script did not hand over its exports`));
        else {
          loaded.set(file, script.esanteChunk);
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
