/**
 * lu_esante_webex: the THIN glue between Zimbra and the zimlet. The bundle is an IIFE whose only global
 * is `lu_esante_webex_HandlerObject` (this module's default export); the panel's content lives in lit
 * components behind the ZimletHost port (./panel.ts).
 */
import { panelZimletHandler } from '../../common/panel-zimlet.ts';
import { createPanel } from './panel.ts';

// The descriptor's <menuItem id>s (lu_esante_webex.xml).
const lu_esante_webex_HandlerObject = panelZimletHandler(createPanel, ['schedule', 'join', 'about']);

export default lu_esante_webex_HandlerObject;
