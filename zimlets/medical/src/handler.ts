/**
 * lu_esante_medical: the THIN glue between Zimbra and the zimlet. The bundle is an IIFE whose only global
 * is `lu_esante_medical_HandlerObject` (this module's default export); the panel's content lives in lit
 * components behind the ZimletHost port (./panel.ts).
 */
import { panelZimletHandler } from '../../common/panel-zimlet.ts';
import { createPanel } from './panel.ts';

// The descriptor's <menuItem id>s (lu_esante_medical.xml).
const lu_esante_medical_HandlerObject = panelZimletHandler(createPanel, ['about']);

export default lu_esante_medical_HandlerObject;
