/**
 * The first-login feature: the portal's SAML assertion consumer, which creates the professional's
 * mailbox when missing and sends the browser into the webmail through Zimbra preauth
 * (README.md in this folder). It needs the Zimbra admin account of the core configuration
 * (ESANTE_ZIMBRA_ADMIN_USER / _PASSWORD_FILE); without it the route answers "not configured".
 */
import type { Feature, FeatureContext } from '../feature.ts';
import type { MailboxAdmin } from './admin.ts';
import { provisioningConfigVars, readProvisioningConfig } from './config.ts';
import { FirstLogin } from './first-login.ts';
import { ssoRoute } from './routes.ts';

export { provisioningConfigVars };

export function createProvisioningFeature(ctx: FeatureContext, overrides: { admin?: MailboxAdmin } = {}): Feature {
  const config = readProvisioningConfig(ctx.env, ctx.config);
  // The root builds ctx.zimbraAdmin when the admin account is configured (ESANTE_ZIMBRA_ADMIN_USER).
  const admin: MailboxAdmin | undefined = overrides.admin ?? ctx.zimbraAdmin;
  const firstLogin = new FirstLogin({ config, directory: ctx.directory, store: ctx.store, admin, clock: ctx.clock, log: ctx.log });
  return {
    // Not "provisioning": the root already reports that name when an admin account is configured.
    name: 'sso',
    handlers: {},
    routes: [ssoRoute({ firstLogin, config })],
    async start() {
      if (!admin) ctx.log.warn('ESANTE_ZIMBRA_ADMIN_USER is not set: logins from the eSanté portal will be refused');
      ctx.log.info({ acs: config.acsUrl, entityId: config.spEntityId, idp: config.idpEntityId }, 'portal SSO ready');
    },
  };
}
