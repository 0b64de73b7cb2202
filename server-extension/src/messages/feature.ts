/**
 * The messages feature's entry in the service (issue 5, service side): the key service's SOAP
 * handlers, the persistent notification scheduler, the recipients' portal and, in tests only, the
 * clock controls. Ports are built here from the environment and the shared context (../feature.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAccountsService, readAccountsSettings, type AccountsService } from '../accounts/index.ts';
import type { Clock, ConfigVar, Feature, FeatureContext } from '../feature.ts';
import { loadMasterKeyring, type MasterKeyring } from '../keys/index.ts';
import { messagesConfigVars, readMessagesConfig } from './config.ts';
import { messageHandlers } from './handlers.ts';
import { effectiveDeadline } from './history.ts';
import { KeyService } from './key-service.ts';
import { createSmtpMailer, type Mailer } from './mailer.ts';
import { composeNotification } from './notifications.ts';
import { PORTAL_PATH, createPortalRoute } from './portal.ts';
import { PORTAL_CSS } from './portal-page.ts';
import { NotificationScheduler } from './scheduler.ts';
import { OffsetClock, createTestRoute } from './test-controls.ts';

/** Environment variables this feature reads (listed in the README's configuration table). */
export { messagesConfigVars };
export type { ConfigVar };

const HERE = dirname(fileURLToPath(import.meta.url));
/**
 * The page script (portal/src/main.ts) as build/portal.mjs writes it: next to the service bundle
 * (dist/service/portal/portal.js), or, run from the sources, that same build output. The service
 * never bundles it at run time: esbuild is a development tool, and a deployed service must serve
 * exactly the script that was built and reviewed.
 */
const SCRIPT_FILES = [join(HERE, 'portal', 'portal.js'), join(HERE, '..', '..', '..', 'dist', 'service', 'portal', 'portal.js')];

export async function portalScript(): Promise<string> {
  const file = SCRIPT_FILES.find((f) => existsSync(f));
  if (!file) throw new Error(`the portal script is not built (looked for ${SCRIPT_FILES.join(', ')}): run npm run build`);
  return readFile(file, 'utf8');
}

export interface MessagesFeatureOptions {
  /** Tests replace the SMTP mailer. */
  mailer?: Mailer;
  /** Tests name the scheduler's worker. */
  workerId?: string;
}

export function createMessagesFeature(ctx: FeatureContext, options: MessagesFeatureOptions = {}): Feature & { scheduler: NotificationScheduler; keys: KeyService } {
  const settings = readMessagesConfig(ctx.env);
  let clock: Clock = ctx.clock;
  let testClock: OffsetClock | undefined;
  if (settings.testClock) {
    testClock = new OffsetClock(ctx.clock);
    clock = testClock;
  }
  let keyring: MasterKeyring | undefined;
  const getKeyring = (): MasterKeyring => {
    if (!keyring) throw new Error('master keys used before the service started');
    return keyring;
  };
  // The recipients' portal on its own origin (security review #17); by default Zimbra's.
  const portalOrigin = settings.portalOrigin ?? new URL(ctx.config.publicUrl).origin;
  const keys = new KeyService({
    store: ctx.store,
    keyring: getKeyring,
    clock,
    log: ctx.log,
    publicUrl: ctx.config.publicUrl,
    portalUrl: `${portalOrigin}${PORTAL_PATH}/`,
    levelBannerThreshold: settings.levelBannerThreshold,
    maxMessageDays: settings.messageMaxDays,
  });
  const mailer = options.mailer ?? createSmtpMailer(settings.smtpUrl, settings.notifyFrom);
  const scheduler = new NotificationScheduler({
    store: ctx.store,
    clock,
    log: ctx.log.child({ part: 'scheduler' }),
    mailer,
    messageIdDomain: new URL(ctx.config.publicUrl).hostname,
    leaseMs: settings.leaseMs,
    maxAttempts: settings.maxAttempts,
    intervalMs: settings.schedulerIntervalMs,
    ...(options.workerId ? { workerId: options.workerId } : {}),
    async compose(job) {
      const message = await ctx.store().messages.get(job.messageId);
      if (!message) return null;
      const recipient = message.recipients.find((r) => r.addressKey === job.recipientKey);
      // Issue 12: a deadline notice about a recipient the message was withdrawn from is dropped (one
      // claimed while the revoke ran); the notice names the recipient's own deadline after an update.
      if (job.kind === 'deadline' && recipient?.revokedAt) return null;
      const shown = job.kind === 'deadline' && recipient ? { ...message, readDeadline: effectiveDeadline(message, recipient) } : message;
      return composeNotification(job.kind, shown, keys.subjectOf(message), job.recipientKey);
    },
  });
  let accounts: AccountsService | undefined;
  const accountsSettings = readAccountsSettings(ctx.env, ctx.config);
  let script: Promise<string> | undefined;
  const routes = [
    createPortalRoute({
      store: ctx.store,
      keyring: getKeyring,
      accounts: () => (accounts ??= createAccountsService({ store: ctx.store, keyring: getKeyring, clock, log: ctx.log, settings: accountsSettings })),
      keys,
      mailer,
      clock,
      log: ctx.log,
      publicUrl: ctx.config.publicUrl,
      portalOrigin,
      sessionMs: settings.portalSessionMs,
      codeMs: settings.portalCodeMs,
      maxContainerBytes: settings.portalMaxContainerBytes,
      trustedProxies: settings.trustedProxies,
      limits: { loginsPerMinute: settings.portalLoginsPerMinute, codesPerHour: settings.portalCodesPerHour },
      script: () => (script ??= portalScript().catch((err: unknown) => {
        script = undefined;
        throw err;
      })),
      style: PORTAL_CSS,
    }),
  ];
  if (testClock) routes.push(createTestRoute(testClock, () => scheduler.runOnce()));

  return {
    name: 'messages',
    handlers: messageHandlers(keys),
    routes,
    scheduler,
    keys,
    async start() {
      const loaded = await loadMasterKeyring({ env: ctx.env, defaultFile: join(ctx.config.dataDir, 'master-keys.json') });
      keyring = loaded.keyring;
      ctx.log.info({ masterKeys: loaded.keyring.ids.length, current: loaded.keyring.current.id, source: loaded.source }, 'master keys loaded');
      if (testClock) ctx.log.warn('ESANTE_TEST_CLOCK=1: test clock and scheduler routes are exposed. NEVER use this in production.');
      scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      mailer.close();
    },
  };
}
