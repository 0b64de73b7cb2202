/**
 * The recipients' portal in e2e: on its own origin (security review #17), never the webmail's, so
 * specs open it with these helpers rather than a path under the webmail's baseURL.
 */
import { simpleParser } from 'mailparser';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_PORTAL_ORIGIN } from '../playwright.config.ts';
import { ENCRYPTION_PASSWORD } from './encryption.ts';
import { PORTAL_PATH } from '../../shared/messages/portal-api.ts';

/** The portal's own origin, e.g. http://localhost:19080 (the webmail is http://127.0.0.1:18080). */
export const PORTAL_ORIGIN = E2E_PORTAL_ORIGIN;

/** Absolute URL of the portal page (`sub` below it, e.g. '?lang=de' or 'login-link?token=…'). */
export function portalUrl(sub = ''): string {
  return `${PORTAL_ORIGIN}${PORTAL_PATH}/${sub}`;
}

/**
 * Signs `email` up on the portal page `page` shows (its registration form), as an outside recipient
 * does: asks for the code, reads the one mailed to the address (a mail the sandbox's outbox did not
 * hold before the click), fills name and password, and waits until the portal names the user.
 */
export async function registerOnPortal(page: Page, request: APIRequestContext, email: string, fullName: string): Promise<void> {
  const box = async () => ((await (await request.get(`/sandbox/outbox?to=${encodeURIComponent(email)}`)).json()) as { messages: Array<{ raw: string }> }).messages;
  const register = page.locator('[data-testid="portal-register"]');
  await register.locator('input[name="email"]').fill(email);
  const before = (await box()).length;
  await register.locator('[data-testid="portal-send-code"]').click();
  let code = '';
  await expect
    .poll(async () => {
      const latest = (await box()).slice(before).at(-1);
      code = latest ? (/\b(\d{6})\b/.exec((await simpleParser(latest.raw)).text ?? '')?.[1] ?? '') : '';
      return code;
    }, { timeout: 20_000 })
    .toMatch(/^\d{6}$/);
  await register.locator('input[name="code"]').fill(code);
  await register.locator('input[name="fullName"]').fill(fullName);
  await register.locator('input[name="password"]').fill(ENCRYPTION_PASSWORD);
  await register.locator('input[name="confirmation"]').fill(ENCRYPTION_PASSWORD);
  await register.locator('button[type="submit"]').click();
  await expect(page.locator('[data-testid="portal-user"]')).toContainText(email);
}
