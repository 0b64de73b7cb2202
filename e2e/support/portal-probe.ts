/**
 * What a page of the webmail's origin can reach of the portal's session (security review #17), used by
 * the e2e spec and the service's own browser test: credentialed and opaque fetches to the portal's
 * API on its origin, and the portal path on the webmail's own origin. Each answer as
 * "<response type> <status> <body>", or "refused <error name>".
 */
export interface PortalProbe {
  cookie: string;
  crossSession: string;
  crossRelease: string;
  crossNoCors: string;
  localSession: string;
  localRelease: string;
}

interface EvaluatingPage {
  evaluate<R, A>(fn: (arg: A) => Promise<R>, arg: A): Promise<R>;
}

/** Runs in `page` (of the webmail's origin); `portalApi` is the portal's API on its own origin, `localApi` the same path on the page's. */
export function probePortalFrom(page: EvaluatingPage, portalApi: string, localApi: string): Promise<PortalProbe> {
  return page.evaluate(
    async ({ portalApi: cross, localApi: local }: { portalApi: string; localApi: string }) => {
      const attempt = async (url: string, init: RequestInit) => {
        try {
          const r = await fetch(url, { credentials: 'include', ...init });
          return `${r.type} ${r.status} ${await r.text()}`;
        } catch (e) {
          return `refused ${(e as Error).name}`;
        }
      };
      const post = { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1' }, body: '{"messageId":"x"}' };
      return {
        cookie: document.cookie,
        crossSession: await attempt(`${cross}/session`, {}),
        crossRelease: await attempt(`${cross}/release`, post),
        crossNoCors: await attempt(`${cross}/session`, { mode: 'no-cors' }),
        localSession: await attempt(`${local}/session`, {}),
        localRelease: await attempt(`${local}/release`, post),
      };
    },
    { portalApi, localApi },
  );
}
