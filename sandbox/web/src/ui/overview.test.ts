import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flattenFolders } from './overview.ts';
import { accountFromGetInfo } from '../webmail.ts';
import { setLang } from '../i18n.ts';

describe('GetFolderResponse -> overview folders', () => {
  const root = {
    id: '1',
    name: 'USER_ROOT',
    folder: [
      { id: '3', name: 'Trash', view: 'message', u: 0, n: 2 },
      { id: '7', name: 'Contacts', view: 'contact', n: 1 },
      { id: '2', name: 'Inbox', view: 'message', u: 3, n: 10, folder: [{ id: '300', name: 'Labo "A"', view: 'message', l: '2' }] },
      { id: '5', name: 'Sent', view: 'message' },
      { id: '6', name: 'Drafts', view: 'message' },
      { id: '10', name: 'Calendar', view: 'appointment' },
      { id: '301', name: 'Professionnels', view: 'contact', l: '1' },
    ],
  };
  test('system folders first, translated, with stable ids and queries; other views dropped', () => {
    setLang('fr');
    const f = flattenFolders(root);
    assert.deepEqual(
      f.map((x) => [x.domId, x.label, x.query]),
      [
        ['zm-folder-inbox', 'Réception', 'in:inbox'],
        ['zm-folder-sent', 'Envoyés', 'in:sent'],
        ['zm-folder-drafts', 'Brouillons', 'in:drafts'],
        ['zm-folder-trash', 'Corbeille', 'in:trash'],
        ['zm-folder-contacts', 'Contacts', 'in:contacts'],
        ['zm-folder-300', 'Labo "A"', 'in:"Labo \\"A\\""'],
        ['zm-folder-301', 'Professionnels', 'in:"Professionnels"'],
      ],
    );
    assert.equal(f[0]!.unread, 3);
    assert.equal(f.find((x) => x.id === '301')!.view, 'contact');
  });
  test('labels follow the language', () => {
    setLang('de');
    assert.equal(flattenFolders(root)[0]!.label, 'Posteingang');
    setLang('fr');
  });
});

describe('GetInfoResponse -> account', () => {
  test('reads name, displayName and the locale from prefs or attrs', () => {
    const a = accountFromGetInfo({
      id: 'u1',
      name: 'sophie.muller@esante.lu',
      attrs: { _attrs: { displayName: 'Sophie Muller', esanteAuthMethod: 'fallback' } },
      prefs: { _attrs: { zimbraPrefLocale: 'de' } },
    });
    assert.equal(a.displayName, 'Sophie Muller');
    assert.equal(a.locale, 'de');
    assert.equal(a.attrs['esanteAuthMethod'], 'fallback');
    assert.equal(accountFromGetInfo({ name: 'x@y.lu', attrs: { _attrs: { zimbraPrefLocale: 'en_GB' } } }).locale, 'en_GB');
    assert.equal(accountFromGetInfo({ name: 'x@y.lu' }).locale, 'fr');
  });
});
