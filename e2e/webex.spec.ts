/**
 * The WebEx zimlet (guide p. 7) in Chromium against the sandbox, the real service and the sandbox's
 * Webex stand-in: schedule a conference, see it in "Mes conférences", invite by e-mail (a new compose
 * with the link), refuse bad input, join by number, and cancel it after confirmation.
 */
import { expect, test } from '@playwright/test';
import nodemailer from 'nodemailer';
import { toLuxembourgLocal } from '../shared/webex/rules.ts';
import { E2E_SMTP_PORT } from './playwright.config.ts';
import { login, openInInbox, openZimletPanel } from './support/session.ts';

test('schedule, list, invite by e-mail, join, cancel', async ({ page, context }) => {
  // A message from a colleague, copied to another: the doctor reads it, then plans a meeting about it.
  const subject = `Patient commun ${Date.now()}`;
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: E2E_SMTP_PORT, secure: false, ignoreTLS: true });
  await smtp.sendMail({
    from: 'Luc Hoffmann <luc.hoffmann@esante.lu>',
    to: 'Marie Schmit <marie.schmit@esante.lu>',
    cc: 'Sophie Muller <sophie.muller@esante.lu>',
    subject,
    text: 'Pouvons-nous en parler ?',
  });
  smtp.close();
  await login(page, 'marie.schmit@esante.lu');
  await openInInbox(page, subject);

  await openZimletPanel(page, 'lu_esante_webex');
  const panel = page.locator('dialog[open] esante-webex-panel');
  await expect(panel.locator('#w-schedule-title')).toHaveText('Programmer une conférence');
  await expect(panel.locator('#w-title')).toHaveValue('Conférence web');
  await expect(panel.locator('#w-title')).toBeFocused();
  // The participants box is as wide as the title field and holds several addresses (issue 13 rough edge).
  const titleBox = await panel.locator('#w-title').boundingBox();
  const invitees = await panel.locator('#w-invitees').boundingBox();
  expect(Math.abs(invitees!.width - titleBox!.width)).toBeLessThanOrEqual(2);
  expect(invitees!.width).toBeGreaterThanOrEqual(300);
  expect(invitees!.height).toBeGreaterThanOrEqual(70);

  // The sender and the other recipients of the message shown, not the user herself.
  await panel.locator('#w-from-message').click();
  await expect(panel.locator('#w-invitees')).toHaveValue('Luc Hoffmann <luc.hoffmann@esante.lu>\nSophie Muller <sophie.muller@esante.lu>');
  await expect(panel.locator('#w-status')).toHaveText('2 adresse(s) du message affiché ajoutée(s).');

  // Bad input is refused in the panel with the translated text, nothing scheduled.
  const tomorrow = toLuxembourgLocal(new Date(Date.now() + 86_400_000)).slice(0, 10);
  const yesterday = toLuxembourgLocal(new Date(Date.now() - 86_400_000)).slice(0, 10);
  await panel.locator('#w-date').fill(yesterday);
  await panel.locator('#w-schedule').click();
  await expect(panel.locator('#w-error')).toContainText('Le début de la conférence est déjà passé');
  await panel.locator('#w-date').fill(tomorrow);
  await panel.locator('#w-invitees').fill('jean-claude.weber@esante.lu; pas-une-adresse');
  await panel.locator('#w-schedule').click();
  await expect(panel.locator('#w-error')).toContainText('pas-une-adresse');

  // Schedule.
  const title = `RCP oncologie ${Date.now()}`;
  await panel.locator('#w-title').fill(title);
  await panel.locator('#w-time').fill('10:00');
  await panel.locator('#w-duration').selectOption('45');
  await panel.locator('#w-invitees').fill('Jean-Claude Weber <jean-claude.weber@esante.lu>\ndr.x@example.org');
  await panel.locator('#w-password').fill('Secret-42');
  await panel.locator('#w-schedule').click();
  const link = panel.locator('#w-created-link');
  await expect(link).toBeFocused();
  await expect(link).toHaveAttribute('href', /\/sandbox\/webex\/meet\/j\.php\?MTID=/);
  await expect(link).toHaveAttribute('rel', /noopener/);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(panel.locator('#w-status')).toHaveText(`Conférence « ${title} » programmée.`);
  await expect(panel.locator('#w-error')).toBeEmpty();
  const webLink = (await link.getAttribute('href'))!;
  const number = (await panel.locator('#w-created-number').textContent())!.trim();
  expect(number).toMatch(/^\d{9,11}$/);

  // In "Mes conférences", with "Lancer" opening the meeting in a new tab (noopener).
  const item = panel.locator('#w-mine-list li', { hasText: title });
  await expect(item).toContainText('10:00–10:45');
  const start = item.locator('[data-action=start]');
  await expect(start).toHaveText('Lancer');
  await expect(start).toHaveAttribute('href', webLink);
  await expect(start).toHaveAttribute('rel', /noopener/);

  // "Inviter par e-mail": a new compose with the invitees, subject = title, the link in the body.
  await panel.locator('#w-invite').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
  await expect(page.locator('#zm-compose-to')).toHaveValue(/jean-claude\.weber@esante\.lu.*dr\.x@example\.org/);
  await expect(page.locator('#zm-compose-subject')).toHaveValue(title);
  const body = await page.locator('#zm-compose-body').inputValue();
  expect(body).toContain(`Vous êtes invité(e) à la conférence web « ${title} ».`);
  expect(body).toContain(webLink);
  expect(body).toContain(`Numéro de conférence : ${number}`);
  expect(body).toContain('communiqué séparément');
  expect(body).not.toContain('Secret-42');

  // "Rejoindre": a link elsewhere is refused; a meeting number opens the site's join page.
  await panel.locator('#w-join-input').fill('https://evil.example/j.php?MTID=x');
  await panel.locator('#w-join').click();
  await expect(panel.locator('#w-error')).toContainText('numéro de conférence (9 à 11 chiffres)');
  await panel.locator('#w-join-input').fill(number);
  const opened = context.waitForEvent('page');
  await panel.locator('#w-join').click();
  const tab = await opened;
  await expect(tab).toHaveURL(new RegExp(`/sandbox/webex/meet/m\\.php\\?AT=JM&MK=${number}$`));
  await expect(tab.locator('#webex-room')).toContainText(title);
  await tab.close();

  // "Annuler" asks first; "Non" keeps it; "Oui" deletes it.
  await item.locator('[data-action=cancel]').click();
  await expect(item.locator('[data-action=confirm-cancel]')).toBeFocused();
  await item.locator('[data-action=keep]').click();
  await expect(item.locator('[data-action=confirm-cancel]')).toHaveCount(0);
  await expect(item.locator('[data-action=cancel]')).toBeFocused();
  await item.locator('[data-action=cancel]').click();
  await item.locator('[data-action=confirm-cancel]').click();
  await expect(panel.locator('#w-status')).toHaveText(`Conférence « ${title} » annulée.`);
  await expect(panel.locator('#w-mine-list li', { hasText: title })).toHaveCount(0);
  await expect(panel.locator('#w-created')).toHaveCount(0);
});

test('issue 10 defect 3: "Adresses du message" takes every expanded message of the conversation, and only that conversation', async ({ page }) => {
  // A thread of two unread messages (the conversation view expands both, onMsgView fires for each),
  // then an unrelated message: its addresses replace the thread's.
  const subject = `Suivi commun ${Date.now()}`;
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: E2E_SMTP_PORT, secure: false, ignoreTLS: true });
  await smtp.sendMail({ from: 'Luc Hoffmann <luc.hoffmann@esante.lu>', to: 'Marie Schmit <marie.schmit@esante.lu>', subject, text: 'Premier message.' });
  await smtp.sendMail({
    from: 'Sophie Muller <sophie.muller@esante.lu>',
    to: 'Marie Schmit <marie.schmit@esante.lu>',
    cc: 'Jean-Claude Weber <jean-claude.weber@esante.lu>',
    subject: `Re: ${subject}`,
    text: 'Réponse.',
  });
  const other = `Autre sujet ${Date.now()}`;
  await smtp.sendMail({ from: 'Luc Hoffmann <luc.hoffmann@esante.lu>', to: 'Marie Schmit <marie.schmit@esante.lu>', subject: other, text: 'Rien à voir.' });
  smtp.close();
  await login(page, 'marie.schmit@esante.lu');
  await openInInbox(page, `Re: ${subject}`);
  await expect(page.locator('#zm-conv-view .ZmMailMsgView[data-expanded=true]')).toHaveCount(2);

  await openZimletPanel(page, 'lu_esante_webex');
  const panel = page.locator('dialog[open] esante-webex-panel');
  await panel.locator('#w-from-message').click();
  const typed = (await panel.locator('#w-invitees').inputValue()).split('\n').sort();
  expect(typed).toEqual(['Jean-Claude Weber <jean-claude.weber@esante.lu>', 'Luc Hoffmann <luc.hoffmann@esante.lu>', 'Sophie Muller <sophie.muller@esante.lu>']);
  await expect(panel.locator('#w-status')).toHaveText('3 adresse(s) du message affiché ajoutée(s).');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();

  await openInInbox(page, other);
  await openZimletPanel(page, 'lu_esante_webex');
  await panel.locator('#w-invitees').fill('');
  await panel.locator('#w-from-message').click();
  await expect(panel.locator('#w-invitees')).toHaveValue('Luc Hoffmann <luc.hoffmann@esante.lu>');
});
