/**
 * What the prosearch panel shows: the directory search of the guide (p. 8), wired to the service
 * (ListDirectoryReferences, SearchProfessionals, GetProfessional) and to Zimbra through the host
 * (contacts, compose). Settings come from config_template.xml: maxResults (rows per page, 1…100)
 * and contactsFolderName (the address book "Ajouter aux contacts" fills).
 */
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';
import type { PanelContent } from '../../common/panel-dialog.ts';
import { serviceInfoLoader } from '../../common/service.ts';
import './components/prosearch-panel.ts';
import { directoryService } from './service.ts';

export function createPanel(host: ZimletHost): PanelContent {
  const panel = document.createElement('esante-prosearch-panel');
  panel.host = host;
  panel.loadInfo = serviceInfoLoader(host);
  panel.service = directoryService(host);
  const max = Number(host.config('maxResults'));
  panel.pageSize = Number.isInteger(max) && max >= 1 && max <= 100 ? max : 20;
  panel.contactsFolder = host.config('contactsFolderName')?.trim() || 'Professionnels';
  return panel;
}
