/**
 * The Chromium that in-process browser tests and the sandbox's smoke run launch: the system's
 * (CHROMIUM_PATH, else /usr/bin/chromium, installed by scripts/ensure-system.sh), headless, with
 * nothing of its own reaching the network (no background fetches, updates or sync), so that a page's
 * requests are the only ones. The e2e runs set the same flags in e2e/playwright.config.ts.
 */
import { chromium, type Browser } from '@playwright/test';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
