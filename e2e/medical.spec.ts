/**
 * Issue 11, acceptance 1: the medical message assistant in Chromium against the whole suite (sandbox
 * webmail + service + the DSP stand-ins mounted under /sandbox/dsp/, sandbox/dsp/standin.ts).
 * Mails really travel over SMTP (the sandbox MTA) with their attachments. Covered:
 * - the mail text for the patient the mail names, "Déjà déposé" on the second try, wrong check digits,
 *   an unknown patient;
 * - a PDF and a JPEG found by matricule, both filed; reopened: "Déjà déposé" for both;
 * - search by name + birth date (namesakes → a list chosen with the keyboard; none → a clear message),
 *   the metadata form's labelled fields (format, practice setting, facility type from the author);
 * - the attachments of a decrypted Regify message (they exist only in the browser);
 * - an IHE XDM package: its patient and documents;
 * - each refusal: too large / type not allowed (nothing sent), the registry's refusal in words, a
 *   SOAP fault, a timeout with nothing registered, an answer slower than the deadline (settled with
 *   ITI-18 before the assistant says anything: "Déposé", once).
 * Filing is the streamed flow (SHA-1 in the browser, PrepareFiling, one POST of the bytes that the
 * service passes on to the DSP); a document already filed sends no byte.
 * Faults are the stand-in's sandbox-only knob POST /sandbox/dsp/next-fault (next ITI-41 only).
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { expectNoSeriousViolations } from './support/axe.ts';
import { SANDBOX_PATIENTS, UNKNOWN_VALID_MATRICULE, type SandboxPatient } from '../sandbox/dsp/patients.ts';
import { sampleXdmZip } from '../zimlets/medical/src/documents/xdm.sample.ts';
import { E2E_SMTP_PORT } from './playwright.config.ts';
import { ensureEncryptionAccount } from './support/encryption.ts';
import { login, loginInNewContext, openInInbox } from './support/session.ts';

const doctor = 'marie.schmit@esante.lu';
const colleague = 'jean-claude.weber@esante.lu';
const patient = (given: string, family: string, city?: string): SandboxPatient =>
  SANDBOX_PATIENTS.find((p) => p.givenName === given && p.familyName === family && (!city || p.city === city))!;
const RUN = Date.now();

type Attachment = { filename: string; contentType: string; content: Buffer };

async function deliver(to: string, subject: string, text: string, attachments: Attachment[] = []): Promise<void> {
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: E2E_SMTP_PORT, secure: false, ignoreTLS: true });
  try {
    await smtp.sendMail({ from: 'labo@labo-example.lu', to, subject, text, attachments });
  } finally {
    smtp.close();
  }
}

/** A small but real-looking PDF / JPEG, unique per run and name (the DSP keys filings on the hash). */
function pdf(name: string, size = 3000): Buffer {
  const b = Buffer.alloc(size, 0x20);
  b.write(`%PDF-1.7\n% ${name} ${RUN}\n`, 0, 'latin1');
  b.write('\n%%EOF\n', size - 7, 'latin1');
  return b;
}
function jpeg(name: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(`${name} ${RUN}`), Buffer.alloc(2000, 9), Buffer.from([0xff, 0xd9])]);
}

const panelOf = (page: Page) => page.locator('esante-medical-panel');
const row = (panel: Locator, fileName: string) => panel.locator(`#m-documents tr[data-doc="${fileName}"]`);

async function openAssistant(page: Page, subject: string): Promise<Locator> {
  await openInInbox(page, subject);
  await page.locator('[data-esante-medical-add]').first().click();
  const panel = panelOf(page);
  await expect(panel.locator('#m-documents')).toBeVisible();
  return panel;
}

async function findByMatricule(panel: Locator, matricule: string): Promise<void> {
  await panel.locator('#m-matricule').fill(matricule);
  await panel.locator('#m-search').click();
  await expect(panel.locator('#m-chosen')).toHaveAttribute('data-matricule', matricule);
}

async function nextFault(request: APIRequestContext, fault: string): Promise<void> {
  const r = await request.post('/sandbox/dsp/next-fault', { data: { fault } });
  expect(r.ok()).toBe(true);
}

/** What the registry stand-in holds (metadata only: the stand-in keeps no bytes). */
async function entries(request: APIRequestContext, p: SandboxPatient): Promise<number> {
  const all = (await (await request.get('/sandbox/dsp/entries')).json()) as Array<{ patientId: string }>;
  return all.filter((e) => e.patientId.startsWith(`${p.matricule}^`)).length;
}

test.describe.configure({ mode: 'serial' });

test('files the text of a mail naming the patient, then sees it already filed; wrong check digits are refused', async ({ page }) => {
  test.setTimeout(120_000);
  const claire = SANDBOX_PATIENTS[0]!;
  const subject = `Résultats de laboratoire ${RUN}`;
  await deliver(doctor, subject, `Bonjour,\nrésultats de ${claire.givenName} ${claire.familyName}, matricule ${claire.matricule} : normaux.\n`);

  await login(page, doctor, 'card');
  const panel = panelOf(page);
  for (const round of ['first', 'again']) {
    await openAssistant(page, subject);
    await expect(panel.locator('#m-chosen')).toHaveAttribute('data-matricule', claire.matricule);
    await expect(panel.locator('#m-author')).toContainText('eHealth ID');
    const r = row(panel, 'message.txt');
    await r.locator('input[type=checkbox]').check();
    await panel.locator('#m-file').click();
    if (round === 'first') await expect(r).toHaveAttribute('data-state', 'filed', { timeout: 30_000 });
    else {
      await expect(r).toHaveAttribute('data-state', 'alreadyFiled', { timeout: 30_000 });
      await expect(r).toContainText('Déjà déposé');
    }
    await expect(panel.locator('#m-dsp-docs')).toContainText(subject);
    if (round === 'first') {
      // The assistant with a message, its patient and a filed document: WCAG 2.1 A + AA by axe (issue 13).
      await expectNoSeriousViolations(page, 'medical assistant on a message', 'dialog[open]');
    }
    await page.keyboard.press('Escape');
  }

  // Wrong check digits: refused in the browser before any search.
  await page.locator('[data-esante-medical-add]').first().click();
  await expect(panel.locator('#m-chosen')).toBeVisible();
  await panel.locator('#m-matricule').fill(claire.matricule.slice(0, 12) + String((Number(claire.matricule[12]) + 1) % 10));
  await panel.locator('#m-search').click();
  await expect(panel.locator('#m-error')).toContainText('chiffres de contrôle');
  // A valid matricule nobody knows: a clear "no patient", and filing stays impossible.
  await panel.locator('#m-matricule').fill(UNKNOWN_VALID_MATRICULE);
  await panel.locator('#m-search').click();
  await expect(panel.locator('#m-no-patient')).toContainText('Aucun patient');
  await expect(panel.locator('#m-file')).toBeDisabled();
});

test('a PDF and a JPEG: the patient found by matricule, both filed; reopened, both "déjà déposé"', async ({ page, request }) => {
  test.setTimeout(120_000);
  const luca = patient('Luca', 'Wagner');
  const subject = `Compte rendu et photo ${RUN}`;
  const report = pdf('cr');
  const photo = jpeg('plaie');
  await deliver(doctor, subject, 'Bonjour,\nci-joint le compte rendu et la photo de la plaie.\n', [
    { filename: 'compte-rendu_consultation.pdf', contentType: 'application/pdf', content: report },
    { filename: 'plaie.jpg', contentType: 'image/jpeg', content: photo },
  ]);
  const before = await entries(request, luca);
  await login(page, doctor, 'card');
  // The streamed flow (zimlets/medical/src/service.ts fileBytes): PrepareFiling, then ONE POST of the
  // bytes to the filing route per document; never the two-step upload route.
  const byteRoutes: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/service/extension/esante/dsp/')) byteRoutes.push(path.replace(/\/[^/]+$/, '/…'));
  });
  for (const round of ['first', 'again'] as const) {
    byteRoutes.length = 0;
    const panel = await openAssistant(page, subject);
    // Attachments are offered checked, the message text unchecked.
    await expect(row(panel, 'compte-rendu_consultation.pdf').locator('input[type=checkbox]')).toBeChecked();
    await expect(row(panel, 'plaie.jpg').locator('input[type=checkbox]')).toBeChecked();
    await expect(row(panel, 'message.txt').locator('input[type=checkbox]')).not.toBeChecked();
    await findByMatricule(panel, luca.matricule);
    await expect(panel.locator('fieldset[data-meta="compte-rendu_consultation.pdf"] input[name=title]')).toHaveValue('compte-rendu consultation');
    await panel.locator('#m-file').click();
    for (const name of ['compte-rendu_consultation.pdf', 'plaie.jpg']) {
      if (round === 'first') {
        await expect(row(panel, name)).toHaveAttribute('data-state', 'filed', { timeout: 30_000 });
        await expect(row(panel, name)).toContainText(/Déposé \(identifiant 2\.25\.\d+\)/);
      } else {
        await expect(row(panel, name)).toHaveAttribute('data-state', 'alreadyFiled', { timeout: 30_000 });
        await expect(row(panel, name)).toContainText('Déjà déposé');
      }
    }
    await expect(panel.locator('#m-status')).toContainText('Dépôt terminé');
    await expect(panel.locator('#m-dsp-docs')).toContainText('compte-rendu consultation');
    await expect(panel.locator('#m-dsp-docs')).toContainText('plaie');
    expect(await entries(request, luca)).toBe(before + 2);
    // First: one streamed POST per document; again: PrepareFiling answers "already filed", no byte sent.
    expect(byteRoutes).toEqual(round === 'first' ? ['/service/extension/esante/dsp/file/…', '/service/extension/esante/dsp/file/…'] : []);
    // The registry holds the SHA-1 and size of exactly the mailed bytes: the zimlet read each part
    // from Zimbra through the mail port (attachmentBytes), not the whole message or a re-encoding.
    const filed = ((await (await request.get('/sandbox/dsp/entries')).json()) as Array<{ patientId: string; hash: string; size: number }>).filter((e) => e.patientId.startsWith(`${luca.matricule}^`));
    for (const bytes of [report, photo]) {
      expect(filed).toContainEqual(expect.objectContaining({ hash: createHash('sha1').update(bytes).digest('hex'), size: bytes.length }));
    }
    await page.keyboard.press('Escape');
  }
});

test('search by name and birth date: namesakes to choose from with the keyboard, none → a clear message; labelled, editable metadata', async ({ page }) => {
  test.setTimeout(90_000);
  const wiltz = patient('Paul', 'Thill', 'Wiltz');
  const subject = `Imagerie ${RUN}`;
  await deliver(doctor, subject, 'Bonjour,\nle scanner est joint.\n', [{ filename: 'scanner.pdf', contentType: 'application/pdf', content: pdf('scanner') }]);
  await login(page, doctor, 'card');
  const panel = await openAssistant(page, subject);

  // Neither a matricule nor name + birth date: said so, nothing searched.
  await panel.locator('#m-search').click();
  await expect(panel.locator('#m-error')).toContainText('nom et sa date de naissance');

  // Fields found by their labels (what a screen reader announces), typed, Enter submits.
  await panel.getByLabel('Nom', { exact: true }).fill('thill');
  await panel.getByLabel('Date de naissance').fill('1968-04-17');
  await panel.getByLabel('Date de naissance').press('Enter');
  const choices = panel.locator('#m-patients button');
  await expect(choices).toHaveCount(2);
  await expect(panel.locator('#m-patients-title')).toContainText('2 patients correspondent');
  await expect(choices.first()).toBeFocused();
  const second = choices.nth(1);
  const secondCity = (await second.textContent()) ?? '';
  await page.keyboard.press('Tab');
  await expect(second).toBeFocused();
  await page.keyboard.press('Enter');
  const chosen = secondCity.includes('Wiltz') ? wiltz : patient('Paul', 'Thill', 'Diekirch');
  await expect(panel.locator('#m-chosen')).toHaveAttribute('data-matricule', chosen.matricule);
  await expect(second).toHaveAttribute('aria-pressed', 'true');

  // Nobody of that name born that day.
  await panel.getByLabel('Nom', { exact: true }).fill('Personne');
  await panel.locator('#m-search').click();
  await expect(panel.locator('#m-no-patient')).toContainText('Aucun patient ne correspond à ce nom et à cette date de naissance');
  await expect(panel.locator('#m-file')).toBeDisabled();

  // The metadata form: every field labelled; format from the MIME type, practice setting and facility
  // type from the author's directory entry, all editable.
  const meta = panel.locator('fieldset[data-meta="scanner.pdf"]');
  for (const label of ['Titre', 'Classe', 'Type de document', 'Confidentialité', 'Format', 'Cadre de soins', 'Type d’établissement', 'Langue', 'Date de l’acte']) {
    await expect(meta.getByLabel(label, { exact: true })).toBeVisible();
  }
  await expect(meta.getByLabel('Format', { exact: true })).toHaveValue('urn:ihe:iti:xds:2017:mimeTypeSufficient');
  await expect(meta.getByLabel('Cadre de soins', { exact: true })).not.toHaveValue('');
  await expect(meta.getByLabel('Type d’établissement', { exact: true })).not.toHaveValue('');
  const facility = meta.getByLabel('Type d’établissement', { exact: true });
  const proposed = await facility.inputValue();
  const options = await facility.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
  const other = options.find((v) => v !== proposed);
  expect(other, 'the value set offers another facility type').toBeTruthy();
  await facility.focus();
  await facility.selectOption(other!);
  await expect(facility).toHaveValue(other!);
});

test('each refusal is shown and files nothing: too large, type not allowed, the registry\'s refusal, a SOAP fault, a timeout; a late answer is settled with ITI-18', async ({ page, request }) => {
  test.setTimeout(240_000);
  const sofia = patient('Sofia', 'Pereira');
  const closed = SANDBOX_PATIENTS.find((p) => p.noDsp)!;
  const subject = `Pièces diverses ${RUN}`;
  await deliver(doctor, subject, 'Bonjour,\nvoici les pièces.\n', [
    { filename: 'irm-complete.pdf', contentType: 'application/pdf', content: pdf('big', 20_000_001) },
    { filename: 'macro.docm', contentType: 'application/vnd.ms-word.document.macroenabled.12', content: Buffer.from('PK\u0003\u0004 macro') },
    { filename: 'ordonnance.pdf', contentType: 'application/pdf', content: pdf('ordonnance') },
  ]);
  await login(page, doctor, 'card');
  let panel = await openAssistant(page, subject);
  // Refused in the browser from what Zimbra says of the parts: not offered, the reason on the row.
  await expect(row(panel, 'irm-complete.pdf')).toHaveAttribute('data-state', 'blocked');
  await expect(row(panel, 'irm-complete.pdf')).toContainText('dépasse la taille maximale autorisée dans le DSP (20 Mo)');
  await expect(row(panel, 'irm-complete.pdf').locator('input[type=checkbox]')).toBeDisabled();
  await expect(row(panel, 'macro.docm')).toHaveAttribute('data-state', 'blocked');
  await expect(row(panel, 'macro.docm')).toContainText('ne peut pas être déposé dans le DSP');
  await expect(row(panel, 'macro.docm').locator('input[type=checkbox]')).toBeDisabled();

  // The registry refuses a patient whose DSP is closed (PDQ knows them): in words, nothing filed.
  await findByMatricule(panel, closed.matricule);
  await expect(panel.locator('#m-error')).toContainText('inconnu du Dossier de Soins Partagé');
  await panel.locator('#m-file').click();
  await expect(row(panel, 'ordonnance.pdf')).toHaveAttribute('data-state', 'refused', { timeout: 30_000 });
  await expect(row(panel, 'ordonnance.pdf')).toContainText('Refusé : Ce patient est inconnu du Dossier de Soins Partagé');
  expect(await entries(request, closed)).toBe(0);
  await page.keyboard.press('Escape');

  const fileOrdonnance = async (expected: 'filed' | 'alreadyFiled' | 'error', text: string | RegExp, slow = false) => {
    panel = await openAssistant(page, subject);
    await findByMatricule(panel, sofia.matricule);
    await panel.locator('#m-file').click();
    // Until the service knows the outcome the row says only "Dépôt…": no result is guessed.
    if (slow) await expect(row(panel, 'ordonnance.pdf')).toHaveAttribute('data-state', 'filing');
    await expect(row(panel, 'ordonnance.pdf')).toHaveAttribute('data-state', expected, { timeout: 90_000 });
    await expect(row(panel, 'ordonnance.pdf')).toContainText(text);
    await page.keyboard.press('Escape');
  };
  const before = await entries(request, sofia);
  // The repository fails (SOAP 1.2 Receiver fault): nothing registered, said so.
  await nextFault(request, 'soap-fault');
  await fileOrdonnance('error', 'ne répond pas. Aucun document n’a été déposé');
  // The repository takes it in but never answers: the service waits out its deadline, asks the
  // registry (ITI-18), finds nothing, and only then says nothing was filed.
  await nextFault(request, 'timeout');
  await fileOrdonnance('error', 'ne répond pas. Aucun document n’a été déposé', true);
  expect(await entries(request, sofia)).toBe(before);
  // The repository files it but answers after the deadline: ITI-18 finds it, the doctor sees "Déposé".
  await nextFault(request, 'slow-answer');
  await fileOrdonnance('filed', /Déposé \(identifiant 2\.25\.\d+\)/, true);
  expect(await entries(request, sofia)).toBe(before + 1);
  // And never twice.
  await fileOrdonnance('alreadyFiled', 'Déjà déposé');
  expect(await entries(request, sofia)).toBe(before + 1);
});

test('the attachments of a decrypted Regify message are filed (they exist only in the browser)', async ({ page, browser }) => {
  test.setTimeout(150_000);
  const anne = patient('Anne', 'Schmit');
  await ensureEncryptionAccount(doctor, 'Dr Marie Schmit');
  await ensureEncryptionAccount(colleague, 'Dr Jean-Claude Weber');
  const subject = `Résultats chiffrés ${RUN}`;
  await login(page, doctor, 'card');
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await expect(page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND')).toBeVisible();
  await page.locator('#zm-compose-to').fill(colleague);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill(`Résultats de ${anne.givenName} ${anne.familyName}, matricule ${anne.matricule}.`);
  await page.locator('#zm-compose-attach').setInputFiles({ name: 'hba1c.pdf', mimeType: 'application/pdf', buffer: pdf('hba1c') });
  await expect(page.locator('#zm-compose-attachments li')).toHaveCount(1);
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 60_000 });

  const reader = await loginInNewContext(browser, colleague);
  await openInInbox(reader, subject);
  await expect(reader.locator('esante-regify-secure-message[data-state="ready"]')).toBeVisible({ timeout: 30_000 });
  await reader.locator('[data-esante-medical-add]').first().click();
  const panel = panelOf(reader);
  // The inner message's attachment, not the container; the patient the decrypted text names.
  await expect(row(panel, 'hba1c.pdf')).toBeVisible();
  await expect(row(panel, 'message.esmsg')).toHaveCount(0);
  await expect(panel.locator('#m-chosen')).toHaveAttribute('data-matricule', anne.matricule);
  await panel.locator('#m-file').click();
  await expect(row(panel, 'hba1c.pdf')).toHaveAttribute('data-state', 'filed', { timeout: 30_000 });
  await expect(panel.locator('#m-dsp-docs')).toContainText('hba1c');
  await reader.context().close();
});

test('an IHE XDM package: its patient and its documents with their metadata are proposed and filed', async ({ page }) => {
  test.setTimeout(90_000);
  const marie = patient('Marie', 'Kieffer');
  const subject = `Lettre de sortie (XDM) ${RUN}`;
  const zip = sampleXdmZip({
    matricule: marie.matricule,
    familyName: marie.familyName.toUpperCase(),
    givenName: marie.givenName,
    birthDate: marie.birthDate.replace(/-/g, ''),
    documents: [
      { uri: 'DOC0001.PDF', mimeType: 'application/pdf', bytes: pdf('sortie'), title: 'Lettre de sortie', classCode: '18842-5', typeCode: '18842-5', confidentialityCode: 'R', formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', serviceStartTime: '20261130101500', languageCode: 'fr-LU' },
    ],
  });
  await deliver(doctor, subject, 'Bonjour,\nle paquet XDM de la sortie est joint.\n', [{ filename: 'sortie.zip', contentType: 'application/zip', content: Buffer.from(zip) }]);
  await login(page, doctor, 'card');
  const panel = await openAssistant(page, subject);
  await expect(row(panel, 'sortie.zip')).toHaveCount(0);
  await expect(row(panel, 'DOC0001.PDF')).toBeVisible();
  await expect(panel.locator('#m-chosen')).toHaveAttribute('data-matricule', marie.matricule);
  const meta = panel.locator('fieldset[data-meta="DOC0001.PDF"]');
  await expect(meta.getByLabel('Titre', { exact: true })).toHaveValue('Lettre de sortie');
  await expect(meta.getByLabel('Confidentialité', { exact: true })).toHaveValue('R');
  await expect(meta.getByLabel('Date de l’acte', { exact: true })).toHaveValue('2026-11-30');
  await panel.locator('#m-file').click();
  await expect(row(panel, 'DOC0001.PDF')).toHaveAttribute('data-state', 'filed', { timeout: 30_000 });
  await expect(panel.locator('#m-dsp-docs')).toContainText('Lettre de sortie');
});
