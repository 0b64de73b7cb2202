/**
 * Extra Zimbra classic members the webex zimlet uses, merged into zimbra.d.ts / zimbra-security.d.ts.
 * Each follows zm-web-client; the sandbox emulates them (sandbox/web/src/zimbra/mail-msg.ts, ajx.ts).
 */

/** zm-web-client WebRoot/js/zimbraMail/mail/model/ZmMailMsg.js `getAddresses(type)` → AjxVector of AjxEmailAddress. */
interface ZmMailMsgLike {
  /** The conversation the message belongs to (ZmMailMsg.cid, set from the SOAP `cid`, ZmMailMsg.js _loadFromDom). */
  cid?: string;
  getAddresses?(type: string): { getArray(): Array<{ address?: string; name?: string }> } | undefined;
}
