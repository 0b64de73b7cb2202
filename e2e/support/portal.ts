/**
 * The recipients' portal in e2e: on its own origin (security review #17), never the webmail's, so
 * specs open it with these helpers rather than a path under the webmail's baseURL.
 */
import { E2E_PORTAL_ORIGIN } from '../playwright.config.ts';
import { PORTAL_PATH } from '../../shared/messages/portal-api.ts';

/** The portal's own origin, e.g. http://localhost:19080 (the webmail is http://127.0.0.1:18080). */
export const PORTAL_ORIGIN = E2E_PORTAL_ORIGIN;

/** Absolute URL of the portal page (`sub` below it, e.g. '?lang=de' or 'login-link?token=…'). */
export function portalUrl(sub = ''): string {
  return `${PORTAL_ORIGIN}${PORTAL_PATH}/${sub}`;
}
