/**
 * The SAML 2.0 profile between the eSanté portal (identity provider) and the messaging service
 * (service provider), shared by the service's assertion consumer and the sandbox's stand-in portal.
 *
 * Web Browser SSO, IdP-initiated (the portal's "Messagerie sécurisée" tile), HTTP-POST binding
 * (SAML 2.0 Bindings §3.5): the browser posts `SAMLResponse` (base64 of a samlp:Response) and an
 * optional `RelayState` to the assertion consumer service (ACS). The assertion is signed (RSA-SHA256,
 * exclusive C14N, enveloped), carries one AuthnStatement whose AuthnContextClassRef says card or
 * fallback, and these attributes (Name = URI of the X.500 / LDAP attribute, SAML 2.0 X.500/LDAP
 * attribute profile, NameFormat uri):
 */
import { SERVICE_BASE_PATH } from '../paths.ts';

export const SAML_NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

export const SAML_STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
export const ATTRNAME_FORMAT_URI = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
export const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

/** Attribute names (LDAP OIDs as URNs, as in the eduPerson / SAML2 attribute profiles). */
export const SAML_ATTRIBUTES = {
  /** uid: the professional's entry in the eSanté directory (HPD `uid`), the identifier we trust. */
  professionalId: 'urn:oid:0.9.2342.19200300.100.1.1',
  /** givenName */
  givenName: 'urn:oid:2.5.4.42',
  /** sn */
  surname: 'urn:oid:2.5.4.4',
  /** preferredLanguage (RFC 2798), e.g. "fr", "de-LU": becomes zimbraPrefLocale of a new mailbox. */
  preferredLanguage: 'urn:oid:2.16.840.1.113730.3.1.39',
} as const;

/**
 * Default mapping of AuthnContextClassRef (SAML 2.0 Authentication Context classes) to the login
 * method the messaging needs: the LuxTrust card (smart card with a certificate, the guide's
 * "authentifié par carte") is SmartcardPKI; the fallback login (password plus one-time code, the
 * guide's "mode de secours") is PasswordProtectedTransport or TimeSyncToken. Configurable on the
 * service (ESANTE_SSO_CARD_CONTEXTS / ESANTE_SSO_FALLBACK_CONTEXTS); a class in neither list counts as
 * fallback (the user still gets in, but cannot sign).
 */
export const AUTHN_CONTEXT = {
  card: 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI',
  fallback: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  fallbackOtp: 'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
} as const;

/** The assertion consumer route of the service (on Zimbra's origin, behind nginx). */
export const SSO_ACS_PATH = `${SERVICE_BASE_PATH}/sso/acs`;
/** The service provider's metadata (entity id, ACS URL). */
export const SSO_METADATA_PATH = `${SERVICE_BASE_PATH}/sso/metadata`;
/** Default entity id of the sandbox's stand-in portal. */
export const SANDBOX_IDP_ENTITY_ID = 'urn:lu:esante:sandbox:idp';
