/**
 * Settings of the first login (SAML from the eSanté portal, mailbox creation, Zimbra preauth), read
 * from the environment once at start. Every variable is listed in `provisioningConfigVars` (README
 * table). The embedded defaults point at the sandbox's stand-in portal: its certificate and
 * Zimbra's preauth key are files the sandbox writes into its data dir (`npm start` puts it at
 * `<ESANTE_DATA_DIR>/sandbox`), read when needed, so the service may start before the sandbox.
 */
import { join } from 'node:path';
import { AUTHN_CONTEXT, SANDBOX_IDP_ENTITY_ID, SSO_ACS_PATH, SSO_METADATA_PATH } from '../../../shared/provisioning/saml-profile.ts';
import { ConfigError, envReader, type Config, type ConfigVar } from '../config.ts';

export const provisioningConfigVars: readonly ConfigVar[] = [
  { name: 'ESANTE_SSO_IDP_ENTITY_ID', default: SANDBOX_IDP_ENTITY_ID, description: 'Issuer (entity id) of the eSanté portal\'s SAML assertions; the default is the sandbox\'s stand-in portal.' },
  { name: 'ESANTE_SSO_IDP_CERT_FILE', default: '(ESANTE_DATA_DIR)/sandbox/idp/idp-cert.pem', description: 'PEM certificate of the portal\'s SAML signing key: the only key trusted (a certificate inside the assertion is ignored). Read at each login until found, so it may appear after the start.' },
  { name: 'ESANTE_SSO_SP_ENTITY_ID', default: `(ESANTE_PUBLIC_URL)${SSO_METADATA_PATH}`, description: 'Our SAML entity id: the Audience the assertions must name.' },
  { name: 'ESANTE_SSO_CLOCK_SKEW_SECONDS', default: '60', description: 'Clock difference tolerated with the portal on NotBefore / NotOnOrAfter (0-300).' },
  { name: 'ESANTE_SSO_CARD_CONTEXTS', default: AUTHN_CONTEXT.card, description: 'Comma-separated AuthnContextClassRef values meaning "logged in with the LuxTrust card"; any other class is the fallback login (no signing).' },
  { name: 'ESANTE_SSO_PORTAL_URL', default: '(ESANTE_PUBLIC_URL)/idp/', description: 'The eSanté portal, linked from the refusal page ("back to the portal"); the default is the sandbox\'s stand-in.' },
  { name: 'ESANTE_MAIL_DOMAIN', default: 'esante.lu', description: 'Domain of the mailboxes created at first login (prenom.nom@domain); a directory mail in another domain is not used as mailbox.' },
  { name: 'ESANTE_PREAUTH_KEY_FILE', default: '(ESANTE_DATA_DIR)/sandbox/preauth.key', description: 'File holding the Zimbra domain\'s preauth key (zimbraPreAuthKey, `zmprov gdpak`), used to send the user into the webmail; never logged.' },
] as const;

export interface ProvisioningConfig {
  idpEntityId: string;
  idpCertFile: string;
  spEntityId: string;
  /** Absolute URL of our assertion consumer (on Zimbra's public origin). */
  acsUrl: string;
  clockSkewMs: number;
  cardContexts: string[];
  portalUrl: string;
  mailDomain: string;
  preauthKeyFile: string;
  /** Where preauth lives: `${zimbraPublicUrl}/service/preauth`. */
  zimbraPublicUrl: string;
}

export function readProvisioningConfig(env: Readonly<Record<string, string | undefined>>, core: Config, cwd: string = process.cwd()): ProvisioningConfig {
  const { problems, str, int, url, path } = envReader(env);
  const file = (name: string, fallback: string): string => path(name, fallback, cwd);
  const idpEntityId = str('ESANTE_SSO_IDP_ENTITY_ID', SANDBOX_IDP_ENTITY_ID);
  const spEntityId = str('ESANTE_SSO_SP_ENTITY_ID', `${core.publicUrl}${SSO_METADATA_PATH}`);
  const cardContexts = str('ESANTE_SSO_CARD_CONTEXTS', AUTHN_CONTEXT.card)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (cardContexts.length === 0) problems.push('ESANTE_SSO_CARD_CONTEXTS must name at least one AuthnContextClassRef');
  const mailDomain = str('ESANTE_MAIL_DOMAIN', 'esante.lu').toLowerCase();
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(mailDomain)) problems.push(`ESANTE_MAIL_DOMAIN="${mailDomain}" is not a domain name`);
  const config: ProvisioningConfig = {
    idpEntityId,
    idpCertFile: file('ESANTE_SSO_IDP_CERT_FILE', join(core.dataDir, 'sandbox', 'idp', 'idp-cert.pem')),
    spEntityId,
    acsUrl: `${core.publicUrl}${SSO_ACS_PATH}`,
    clockSkewMs: int('ESANTE_SSO_CLOCK_SKEW_SECONDS', 60, 0, 300) * 1000,
    cardContexts,
    portalUrl: url('ESANTE_SSO_PORTAL_URL', `${core.publicUrl}/idp/`, { keepSlash: true }),
    mailDomain,
    preauthKeyFile: file('ESANTE_PREAUTH_KEY_FILE', join(core.dataDir, 'sandbox', 'preauth.key')),
    zimbraPublicUrl: core.publicUrl,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
