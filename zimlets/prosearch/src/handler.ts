/**
 * lu_esante_prosearch: the THIN glue between Zimbra and the zimlet. The bundle is an IIFE whose only global
 * is `lu_esante_prosearch_HandlerObject` (this module's default export); the panel's content lives in lit
 * components behind the ZimletHost port (./panel.ts), a part loaded when the window first opens
 * (./panel.chunk.ts, issue 17: a light start).
 */
import type { MailHost } from '../../../shared/host/mail-port.ts';
import { lazyPanel } from '../../common/lazy-panel.ts';
import { panelZimletHandler } from '../../common/panel-zimlet.ts';

// The descriptor's <menuItem id>s (lu_esante_prosearch.xml).
const lu_esante_prosearch_HandlerObject = panelZimletHandler(lazyPanel<MailHost>('lu_esante_prosearch', 'lu_esante_prosearch_panel.js'), ['search', 'about']);

export default lu_esante_prosearch_HandlerObject;
