/**
 * URL space shared by the zimlets, the service and the sandbox.
 * The service lives under Zimbra's extension URL space on the same origin (nginx `location`),
 * so the browser's HttpOnly ZM_AUTH_TOKEN cookie reaches it (see README, admin guide).
 */
export const SERVICE_BASE_PATH = '/service/extension/esante';
/** SOAP 1.1 document/literal endpoint; `?wsdl` serves its WSDL. */
export const SOAP_PATH = `${SERVICE_BASE_PATH}/soap`;
export const HEALTH_PATH = `${SERVICE_BASE_PATH}/health`;
/** Target namespace of our SOAP operations and WSDL. */
export const SOAP_NAMESPACE = 'urn:lu:esante:messaging:1';
/** Header the zimlet forwards so the service can prove the token with Zimbra (SoapEngine.java CSRF check). */
export const CSRF_HEADER = 'X-Zimbra-Csrf-Token';
/** Zimbra's auth cookie (zm-mailbox ZimbraCookie.COOKIE_ZM_AUTH_TOKEN). */
export const AUTH_COOKIE = 'ZM_AUTH_TOKEN';
