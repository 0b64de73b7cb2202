/**
 * lu_esante_medical: the THIN glue between Zimbra and the zimlet (zm-web-client ZmZimletBase.js).
 * - initializeToolbar: "Ajouter au DSP" on every mail view's toolbar (not compose), once per toolbar
 *   (guarded by getButton, as Zimbra-Community/pgp-zimlet pgp.js does); it acts on the message shown.
 * - onMsgView: called for the reading pane and for each expanded message of a conversation
 *   (ZmMailMsgView.set → notifyZimlets("onMsgView")); remembers the message and puts an
 *   "Ajouter au DSP" button in that message's own view.
 * Messages are duck-typed (ZmMailMsg: id, subject, date, attachments[], getBodyPart); bytes of a part
 * come through the host's mail port. The bundle's only global is `lu_esante_medical_HandlerObject`.
 */
import type { MailHost } from '../../../shared/host/mail-port.ts';
import { chunkLoaded, loadChunk } from '../../common/chunk-loader.ts';
import { lazyPanel, PART_TEXTS } from '../../common/lazy-panel.ts';
import { panelZimletHandler, type PanelZimlet } from '../../common/panel-zimlet.ts';
import type { MailMessage } from './documents/mail-context.ts';
import type { ParseXml } from './documents/xdm.ts';

/** The part loaded when first needed (./panel.chunk.ts, issue 17): the panel and the documents' reading. */
const PANEL_FILE = 'lu_esante_medical_panel.js';
type PanelChunk = typeof import('./panel.chunk.ts');

const ADD_OP_ID = 'ESANTE_DSP_ADD';

interface MsgLike {
  id: string | number;
  subject?: string;
  date?: number;
  attachments?: Array<{ part?: string; ct?: string; contentType?: string; filename?: string; fileName?: string; s?: number; size?: number }>;
  getBodyPart?(ct?: string): { getContent?(): string } | null | undefined;
}
interface ToolbarLike {
  createOp(id: string, p: { text: string; tooltip?: string }): { addSelectionListener(l: unknown): void };
  getButton(id: string): unknown;
}
interface MedicalZimlet extends PanelZimlet {
  esanteMsg?: MsgLike;
  initializeToolbar(app: unknown, toolbar: unknown, controller: unknown, viewId: string): void;
  onMsgView(msg: unknown, oldMsg: unknown, msgView: unknown): void;
  fileMessage(msg: MsgLike): Promise<void>;
}

const isMsg = (m: unknown): m is MsgLike => !!m && typeof m === 'object' && ('id' in m);

function describe(msg: MsgLike): MailMessage {
  const body = msg.getBodyPart?.('text/plain')?.getContent?.() ?? '';
  const m: MailMessage = {
    id: String(msg.id),
    subject: msg.subject ?? '',
    bodyText: body,
    parts: (msg.attachments ?? [])
      .filter((a) => !!a.part)
      .map((a) => ({ part: a.part!, fileName: a.fileName ?? a.filename ?? `part-${a.part}`, mimeType: (a.contentType ?? a.ct ?? 'application/octet-stream').toLowerCase(), size: a.size ?? a.s ?? 0 })),
  };
  if (typeof msg.date === 'number') m.date = new Date(msg.date);
  return m;
}

const lu_esante_medical_HandlerObject = panelZimletHandler<MedicalZimlet>(lazyPanel<MailHost>('lu_esante_medical', PANEL_FILE), ['about']);

lu_esante_medical_HandlerObject.prototype.fileMessage = async function (this: MedicalZimlet, msg: MsgLike): Promise<void> {
  const host = this.esanteHost;
  if (!chunkLoaded(PANEL_FILE)) host.notify(PART_TEXTS.loading[host.lang]);
  const chunk = await loadChunk<PanelChunk>('lu_esante_medical', PANEL_FILE).catch((e: unknown) => {
    host.notify(PART_TEXTS.failed[host.lang], 'error');
    throw e;
  });
  const ctx = await chunk.buildMailContext(describe(msg), {
    // The part's bytes through the mail port (Zimbra's UserServlet, zimlets/common/zimbra-host.ts).
    readPart: (id, part) => host.attachmentBytes(id, part),
    parseXml: ((text: string) => new DOMParser().parseFromString(text, 'application/xml')) as unknown as ParseXml,
    limits: { maxFileBytes: 20 * 1024 * 1024, maxTotalBytes: 100 * 1024 * 1024 },
  });
  this.openPanel('file');
  const panel = document.querySelector('esante-medical-panel');
  if (panel) {
    panel.mail = ctx;
    void panel.opened('file');
  }
};

lu_esante_medical_HandlerObject.prototype.initializeToolbar = function (this: MedicalZimlet, _app: unknown, toolbar: unknown, _controller: unknown, viewId: string): void {
  if (typeof viewId !== 'string' || viewId.indexOf('COMPOSE') >= 0) return;
  const t = toolbar as Partial<ToolbarLike> | null;
  if (!t || typeof t.createOp !== 'function' || typeof t.getButton !== 'function' || t.getButton(ADD_OP_ID)) return;
  const host = this.esanteHost;
  const button = t.createOp(ADD_OP_ID, { text: host.msg('toolbar_add'), tooltip: host.msg('toolbar_add_tooltip') });
  button.addSelectionListener(
    new AjxListener(null, () => {
      if (this.esanteMsg) void this.fileMessage(this.esanteMsg);
      else this.openPanel();
    }),
  );
};

lu_esante_medical_HandlerObject.prototype.onMsgView = function (this: MedicalZimlet, msg: unknown, _old: unknown, msgView: unknown): void {
  if (!isMsg(msg)) return;
  this.esanteMsg = msg;
  const view = msgView as { getHtmlElement?(): HTMLElement } | null;
  const el = view?.getHtmlElement?.();
  if (!el) return;
  const id = `esante-medical-add-${String(msg.id)}`;
  el.querySelector(`[data-esante-medical-add]`)?.remove();
  const b = document.createElement('button');
  b.type = 'button';
  b.id = id;
  b.dataset['esanteMedicalAdd'] = String(msg.id);
  b.textContent = this.esanteHost.msg('toolbar_add');
  b.title = this.esanteHost.msg('toolbar_add_tooltip');
  b.addEventListener('click', () => void this.fileMessage(msg));
  el.prepend(b);
};

export default lu_esante_medical_HandlerObject;
