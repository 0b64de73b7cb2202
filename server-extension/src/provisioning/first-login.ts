/**
 * The first login (guide p. 3, ARCHITECTURE flow 7): a verified assertion from the eSanté portal →
 * the professional in the reference directory → their mailbox address → the Zimbra account,
 * created if missing → the login method recorded → a Zimbra preauth URL to send the browser to.
 *
 * Why not Zimbra's own auto-provisioning (zm-mailbox `store/docs/autoprov.txt`, LAZY mode with
 * PREAUTH): it names the account after ONE attribute of the external directory
 * (zimbraAutoProvAccountNameMap), so it can neither write prenom.nom without accents nor tell
 * namesakes apart; and Zimbra cannot read a SAML assertion from the portal. We do the same steps
 * with the admin SOAP API instead.
 *
 * Nothing changes before every check passed: the assertion is verified and the professional found
 * in the directory first; only then is the assertion marked used, the address chosen, and Zimbra
 * asked to create the account.
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fold } from '../../../shared/directory/normalize.ts';
import type { Professional } from '../../../shared/directory/operations.ts';
import { candidateAddresses } from '../../../shared/provisioning/address.ts';
import { SAML_ATTRIBUTES } from '../../../shared/provisioning/saml-profile.ts';
import type { Directory } from '../directory/port.ts';
import { InternalError } from '../errors.ts';
import type { Clock } from '../feature.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import { ZimbraFaultError } from '../zimbra/client.ts';
import type { MailboxAdmin } from './admin.ts';
import type { ProvisioningConfig } from './config.ts';
import { SsoError, verifySamlResponse, type AuthMethod, type VerifiedAssertion } from './saml.ts';

export interface FirstLoginDeps {
  config: ProvisioningConfig;
  directory: Directory;
  store: () => Store;
  /** Undefined when no Zimbra admin account is configured: logins are then refused (sso.unavailable). */
  admin: MailboxAdmin | undefined;
  clock: Clock;
  log: Logger;
  /** Reads a small file (certificate, preauth key); tests replace it. */
  readText?: (path: string) => Promise<string>;
}

export interface FirstLoginResult {
  /** Where to send the browser: Zimbra's /service/preauth with a fresh HMAC. */
  redirect: string;
  mail: string;
  professionalId: string;
  created: boolean;
  authMethod: AuthMethod;
}

/** Zimbra locales we set on a new mailbox (the suite's three languages). */
function localeFrom(...candidates: Array<string | undefined>): string | undefined {
  for (const c of candidates) {
    const tag = c?.trim().toLowerCase().slice(0, 2);
    if (tag === 'fr' || tag === 'de' || tag === 'en') return tag;
  }
  return undefined;
}

const first = (a: VerifiedAssertion, name: string): string | undefined => a.attributes[name]?.[0];

export class FirstLogin {
  readonly #d: FirstLoginDeps;
  readonly #read: (path: string) => Promise<string>;

  constructor(deps: FirstLoginDeps) {
    this.#d = deps;
    this.#read = deps.readText ?? ((p) => readFile(p, 'utf8'));
  }

  /** A file the deployment must provide; missing → the login is refused as not configured. */
  async #required(path: string, what: string): Promise<string> {
    try {
      const text = (await this.#read(path)).trim();
      if (text) return text;
    } catch {
      /* reported below */
    }
    this.#d.log.error({ file: path }, `${what} missing: logins from the portal are refused`);
    throw new SsoError('sso.unavailable', `${what} missing`);
  }

  /** Verifies the posted SAMLResponse and opens (creating if needed) the professional's mailbox. */
  async login(samlResponse: string, relayState?: string): Promise<FirstLoginResult> {
    const { config, clock } = this.#d;
    const certificate = await this.#required(config.idpCertFile, 'portal certificate (ESANTE_SSO_IDP_CERT_FILE)');
    const assertion = verifySamlResponse(
      samlResponse,
      {
        idpCertificate: certificate,
        idpEntityId: config.idpEntityId,
        spEntityId: config.spEntityId,
        acsUrl: config.acsUrl,
        clockSkewMs: config.clockSkewMs,
        cardContexts: config.cardContexts,
      },
      clock.now(),
    );
    // From here the portal has vouched for who is asking: a refusal is audited (before this point
    // the post is anonymous, and its refusals go to the log only, so nobody can flood the audit).
    try {
      return await this.#loginVerified(assertion, relayState);
    } catch (e) {
      if (e instanceof SsoError) {
        const subject = (first(assertion, SAML_ATTRIBUTES.professionalId) ?? assertion.nameId ?? '?').slice(0, 128);
        await this.#d
          .store()
          .audit.append({ at: clock.now(), actor: subject, action: 'sso.login', subject, outcome: 'denied', detail: { reason: e.code, authMethod: assertion.authMethod, assertionId: assertion.id } })
          .catch((err: unknown) => this.#d.log.warn({ err }, 'could not audit a refused portal login'));
      }
      throw e;
    }
  }

  async #loginVerified(assertion: VerifiedAssertion, relayState: string | undefined): Promise<FirstLoginResult> {
    const { config, clock } = this.#d;
    const admin = this.#d.admin;
    if (!admin) {
      this.#d.log.error('no Zimbra admin account configured (ESANTE_ZIMBRA_ADMIN_USER): logins from the portal are refused');
      throw new SsoError('sso.unavailable', 'no Zimbra admin');
    }
    const preauthKey = await this.#required(config.preauthKeyFile, 'Zimbra preauth key (ESANTE_PREAUTH_KEY_FILE)');

    const professional = await this.#professional(assertion);

    // One-time use, after every check and before any change (SAML Profiles §4.1.4.5).
    const store = this.#d.store();
    const now = clock.now();
    const rememberUntil = new Date(assertion.notOnOrAfter.getTime() + config.clockSkewMs);
    if (!(await store.sso.useAssertion(`${assertion.issuer}|${assertion.id}`, rememberUntil))) {
      throw new SsoError('sso.replayed', assertion.id);
    }
    // Housekeeping: expired IDs can never be replayed, so they need not be kept.
    store.sso.forgetExpiredAssertions(now).catch((e: unknown) => this.#d.log.warn({ err: e }, 'could not purge used assertions'));

    const mail = await this.#address(professional, admin);
    const { created } = await this.#ensureAccount(admin, mail, professional, assertion);

    await store.audit.append({
      at: now,
      actor: mail,
      action: created ? 'sso.mailbox_created' : 'sso.login',
      subject: professional.id,
      outcome: 'allowed',
      detail: { authMethod: assertion.authMethod, assertionId: assertion.id },
    });
    this.#d.log.info({ professionalId: professional.id, mail, created, authMethod: assertion.authMethod }, 'first-login SSO accepted');
    return {
      redirect: this.#preauthUrl(mail, preauthKey, relayState),
      mail,
      professionalId: professional.id,
      created,
      authMethod: assertion.authMethod,
    };
  }

  /**
   * The directory entry named by the assertion. Hidden and unknown entries are the same refusal
   * (the directory answers null for both, on purpose: port.ts). The names sent by the portal, when
   * present, must be those of the entry: a portal pointing at the wrong entry must not open
   * someone else's mailbox.
   */
  async #professional(assertion: VerifiedAssertion): Promise<Professional> {
    const id = first(assertion, SAML_ATTRIBUTES.professionalId) ?? assertion.nameId;
    if (!id) throw new SsoError('sso.identity_incomplete');
    let entry: Professional | null;
    try {
      entry = await this.#d.directory.get(id);
    } catch (e) {
      // An id the directory cannot even hold is not in it; an unavailable directory stays a 503.
      if ((e as { code?: string }).code === 'request.invalid') entry = null;
      else throw e;
    }
    if (!entry) throw new SsoError('sso.not_in_directory', `no visible entry ${id.slice(0, 64)}`);
    const given = first(assertion, SAML_ATTRIBUTES.givenName);
    const surname = first(assertion, SAML_ATTRIBUTES.surname);
    if ((given !== undefined && fold(given) !== fold(entry.givenName)) || (surname !== undefined && fold(surname) !== fold(entry.sn))) {
      throw new SsoError('sso.identity_mismatch', `names differ from directory entry ${entry.id}`);
    }
    return entry;
  }

  /**
   * The mailbox address of a professional, chosen once and remembered (store `sso_mailboxes`):
   *  1. the address chosen at an earlier login;
   *  2. else the directory entry's own mail when it is in our domain (the reference directory wins:
   *     that is the address colleagues find in it, and how a mailbox created by the helpdesk is kept);
   *  3. else prenom.nom@, then prenom.nom.2@, .3@… (shared/provisioning/address.ts), skipping any
   *     address already given to someone, listed in the directory for another professional, or
   *     held by an existing Zimbra account nobody gave this person: an account we cannot tie to them
   *     is never handed over.
   * The binding is one atomic INSERT: of two namesakes arriving together, one gets prenom.nom@.
   */
  async #address(p: Professional, admin: MailboxAdmin): Promise<string> {
    const sso = this.#d.store().sso;
    const known = await sso.mailboxOf(p.id);
    if (known) return known.mail.toLowerCase();
    const domain = this.#d.config.mailDomain;
    const listed = p.mail?.trim().toLowerCase();
    if (listed && listed.endsWith(`@${domain}`)) {
      const binding = await sso.bindMailbox(p.id, listed);
      if (binding.professionalId !== p.id) {
        this.#d.log.error({ professionalId: p.id, holder: binding.professionalId }, 'directory mail already given to another entry');
        throw new SsoError('sso.address_unavailable', 'directory mail held by another entry');
      }
      return binding.mail.toLowerCase();
    }
    for (const candidate of candidateAddresses(p.givenName, p.sn, domain)) {
      if (await sso.ownerOf(candidate)) continue;
      const other = await this.#d.directory.findByMail(candidate);
      if (other && other.id !== p.id) continue;
      if (await admin.getAccount(candidate)) continue;
      const binding = await sso.bindMailbox(p.id, candidate);
      if (binding.professionalId === p.id) return binding.mail.toLowerCase();
    }
    this.#d.log.error({ professionalId: p.id }, 'no mailbox address could be derived');
    throw new SsoError('sso.address_unavailable', 'no free address');
  }

  /** Creates the account when missing (a concurrent creation counts as success) and records the login method. */
  async #ensureAccount(admin: MailboxAdmin, mail: string, p: Professional, a: VerifiedAssertion): Promise<{ created: boolean }> {
    let account = await admin.getAccount(mail);
    let created = false;
    if (!account) {
      const locale = localeFrom(first(a, SAML_ATTRIBUTES.preferredLanguage), p.preferredLanguage);
      const attrs: Record<string, string> = { givenName: p.givenName, sn: p.sn, displayName: p.displayName, ...(locale ? { zimbraPrefLocale: locale } : {}) };
      try {
        account = await admin.createAccount(mail, attrs);
        created = true;
      } catch (e) {
        // admin/CreateAccount.java: AccountServiceException.ACCOUNT_EXISTS when another login was quicker.
        if (!(e instanceof ZimbraFaultError && e.zimbraCode === 'account.ACCOUNT_EXISTS')) throw e;
        account = await admin.getAccount(mail);
      }
      if (!account) throw new InternalError({ message: 'account neither created nor found' });
    }
    // What the webmail's session will report as its login method (signing/README.md, zimbra-attr).
    await admin.modifyAccount(account.id, { esanteAuthMethod: a.authMethod });
    return { created };
  }

  /**
   * `/service/preauth?account=&by=name&timestamp=&expires=0&preauth=` with
   * preauth = hex HMAC-SHA1(key, "account|by|expires|timestamp"): the values in the order of their
   * names, the key's characters as bytes (zm-mailbox `store/docs/preauth.md`,
   * `store/src/java/com/zimbra/cs/account/PreAuthKey.java` computePreAuth, checked by
   * `store/src/java/com/zimbra/cs/service/PreAuthServlet.java` within 5 minutes).
   */
  #preauthUrl(mail: string, key: string, relayState?: string): string {
    const timestamp = String(this.#d.clock.now().getTime());
    const preauth = createHmac('sha1', Buffer.from(key, 'utf8')).update(`${mail}|name|0|${timestamp}`).digest('hex');
    const q = new URLSearchParams({ account: mail, by: 'name', timestamp, expires: '0', preauth });
    // RelayState may ask for a page of the webmail: only a same-origin path (no open redirect).
    if (relayState && relayState.length <= 512 && /^\/(?![/\\])[\x21-\x7e]*$/.test(relayState)) q.set('redirectURL', relayState);
    return `${this.#d.config.zimbraPublicUrl}/service/preauth?${q.toString()}`;
  }
}
