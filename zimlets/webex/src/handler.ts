/**
 * lu_esante_webex: the THIN glue between Zimbra and the zimlet. The bundle is an IIFE whose only global
 * is `lu_esante_webex_HandlerObject` (this module's default export); the panel's content lives in lit
 * components behind the ZimletHost port (./panel.ts).
 * - onMsgView(msg): remembers the sender and recipients of the message being read, so "Programmer"
 *   can invite them (zm-web-client ZmMailMsgView._renderMessage → notifyZimlets("onMsgView");
 *   addresses from ZmMailMsg.getAddresses(AjxEmailAddress.FROM|TO|CC), AjxEmailAddress.js).
 *   In the conversation view (Zimbra's default) it fires once per EXPANDED message (ZmConvView2.js
 *   ~239-252 → ZmMailMsgView.js ~516): the messages of one conversation (same `cid`) add up; a
 *   message of another conversation, or one outside any, starts over.
 */
import { panelZimletHandler, type PanelZimlet } from '../../common/panel-zimlet.ts';
import type { Invitee } from './invitation.ts';
import { createPanel } from './panel.ts';

/** The message(s) being read, as addresses (sender, To, Cc), without the user's own. Empty until one is opened. */
let messageAddresses: Invitee[] = [];
/** The conversation those addresses come from (undefined: a message outside any conversation). */
let messageConversation: string | undefined;

// The descriptor's <menuItem id>s (lu_esante_webex.xml).
const lu_esante_webex_HandlerObject = panelZimletHandler((host) => createPanel(host, () => messageAddresses), ['schedule', 'mine', 'join', 'about']);

// AjxEmailAddress.FROM / TO / CC are these strings in zm-web-client's AjxEmailAddress.js.
const ADDRESS_TYPES = ['FROM', 'TO', 'CC'];

lu_esante_webex_HandlerObject.prototype.onMsgView = function (this: PanelZimlet, msg: ZmMailMsgLike): void {
  const self = (this.getUsername?.() ?? '').toLowerCase();
  const cid = msg.cid ? String(msg.cid) : undefined;
  // Another message of the conversation already shown adds its addresses; anything else replaces them.
  const sameConversation = cid !== undefined && cid === messageConversation;
  const out: Invitee[] = sameConversation ? [...messageAddresses] : [];
  const seen = new Set(out.map((a) => a.email.toLowerCase()));
  for (const type of ADDRESS_TYPES) {
    for (const a of msg.getAddresses?.(type)?.getArray() ?? []) {
      const email = a.address?.trim();
      if (!email || email.toLowerCase() === self || seen.has(email.toLowerCase())) continue;
      seen.add(email.toLowerCase());
      out.push(a.name ? { email, displayName: a.name } : { email });
    }
  }
  messageAddresses = out;
  messageConversation = cid;
};

export default lu_esante_webex_HandlerObject;
