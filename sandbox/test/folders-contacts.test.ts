import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs, soapAs, type LoginResult } from '../server/testing.ts';
import { startTestSandbox, PASSWORD, MARIE, type TestSandbox } from './helpers.ts';

const rejects = (p: Promise<unknown>, code: string) => assert.rejects(p, (e: any) => e.code === code);

describe('folders, contacts, search, properties, appointments', () => {
  let sb: TestSandbox;
  let marie: LoginResult;
  before(async () => {
    sb = await startTestSandbox();
    marie = await loginAs(sb.url, MARIE, PASSWORD);
  });
  after(async () => {
    await sb.dispose();
  });

  test('CreateFolder makes a "Professionnels" address book; a duplicate is mail.ALREADY_EXISTS unless fie', async () => {
    const r = await soapAs<{ folder: any[] }>(sb.url, marie, 'CreateFolderRequest', { folder: { name: 'Professionnels', view: 'contact', l: '1' } });
    const f = r.folder[0];
    assert.equal(f.name, 'Professionnels');
    assert.equal(f.view, 'contact');
    assert.equal(f.l, '1');
    assert.equal(f.absFolderPath, '/Professionnels');
    assert.ok(Number(f.id) > 256);
    await rejects(soapAs(sb.url, marie, 'CreateFolderRequest', { folder: { name: 'professionnels', view: 'contact', l: '1' } }), 'mail.ALREADY_EXISTS');
    const again = await soapAs<{ folder: any[] }>(sb.url, marie, 'CreateFolderRequest', { folder: { name: 'Professionnels', view: 'contact', l: '1', fie: '1' } });
    assert.equal(again.folder[0].id, f.id);
    for (const bad of ['', 'a/b', 'x"y', 'a:b']) await rejects(soapAs(sb.url, marie, 'CreateFolderRequest', { folder: { name: bad, view: 'contact' } }), 'mail.INVALID_NAME');
    await rejects(soapAs(sb.url, marie, 'CreateFolderRequest', { folder: { name: 'X', view: 'contact', l: '99999' } }), 'mail.NO_SUCH_FOLDER');
  });

  test('GetFolder answers the tree from USER_ROOT with system folders and the new address book', async () => {
    const r = await soapAs<{ folder: any[] }>(sb.url, marie, 'GetFolderRequest', {});
    const root = r.folder[0];
    assert.equal(root.id, '1');
    assert.equal(root.absFolderPath, '/');
    const byName = Object.fromEntries(root.folder.map((f: any) => [f.name, f]));
    assert.equal(byName['Inbox'].id, '2');
    assert.equal(byName['Sent'].id, '5');
    assert.equal(byName['Contacts'].view, 'contact');
    assert.equal(byName['Professionnels'].view, 'contact');
  });

  test('CreateContact in the address book, then Search by folder and by free text', async () => {
    const folders = await soapAs<{ folder: any[] }>(sb.url, marie, 'GetFolderRequest', {});
    const pro = folders.folder[0].folder.find((f: any) => f.name === 'Professionnels');
    const c = await soapAs<{ cn: any[] }>(sb.url, marie, 'CreateContactRequest', {
      cn: { l: pro.id, a: [{ n: 'firstName', _content: 'Hélène' }, { n: 'lastName', _content: 'Thill' }, { n: 'email', _content: 'helene.thill@esante.lu' }, { n: 'jobTitle', _content: 'Sage-femme' }] },
    });
    assert.equal(c.cn[0].l, pro.id);
    assert.equal(c.cn[0].fileAsStr, 'Thill, Hélène');
    await soapAs(sb.url, marie, 'CreateContactRequest', { cn: { a: [{ n: 'email', _content: 'other@example.org' }, { n: 'lastName', _content: 'Autre' }] } });

    const inPro = await soapAs<{ cn: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:"Professionnels"', types: 'contact' });
    assert.deepEqual(inPro.cn.map((x) => x._attrs.email), ['helene.thill@esante.lu']);
    const byId = await soapAs<{ cn: any[] }>(sb.url, marie, 'SearchRequest', { query: `inid:${pro.id}`, types: 'contact' });
    assert.equal(byId.cn.length, 1);
    const inContacts = await soapAs<{ cn: any[] }>(sb.url, marie, 'SearchRequest', { query: 'in:contacts', types: 'contact' });
    assert.deepEqual(inContacts.cn.map((x) => x._attrs.lastName), ['Autre']);
    const text = await soapAs<{ cn: any[] }>(sb.url, marie, 'SearchRequest', { query: 'sage-femme', types: 'contact' });
    assert.deepEqual(text.cn.map((x) => x._attrs.lastName), ['Thill']);
    await rejects(soapAs(sb.url, marie, 'SearchRequest', { query: 'in:"Inconnu"', types: 'contact' }), 'mail.NO_SUCH_FOLDER');
    await rejects(soapAs(sb.url, marie, 'CreateContactRequest', { cn: { l: '2', a: [{ n: 'email', _content: 'x@y.lu' }] } }), 'mail.NO_SUCH_FOLDER');
    await rejects(soapAs(sb.url, marie, 'CreateContactRequest', { cn: { a: [{ n: 'bad name', _content: 'x' }] } }), 'service.INVALID_REQUEST');
  });

  test('message search: folder, free text, paging', async () => {
    for (let i = 1; i <= 3; i++) {
      await soapAs(sb.url, marie, 'SendMsgRequest', { m: { e: [{ t: 't', a: MARIE }], su: `Note ${i}`, mp: [{ ct: 'text/plain', content: i === 2 ? 'mot-clé spécial' : 'banal' }] } });
    }
    const page1 = await soapAs<any>(sb.url, marie, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 2 });
    assert.deepEqual(page1.m.map((m: any) => m.su), ['Note 3', 'Note 2']);
    assert.equal(page1.more, true);
    const page2 = await soapAs<any>(sb.url, marie, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 2, offset: 2 });
    assert.deepEqual(page2.m.map((m: any) => m.su), ['Note 1']);
    assert.equal(page2.more, false);
    const found = await soapAs<any>(sb.url, marie, 'SearchRequest', { query: 'in:inbox "mot-clé spécial"', types: 'message' });
    assert.deepEqual(found.m.map((m: any) => m.su), ['Note 2']);
    const sent = await soapAs<any>(sb.url, marie, 'SearchRequest', { query: 'in:sent', types: 'message' });
    assert.equal(sent.m.length, 3);
    await soapAs(sb.url, marie, 'MsgActionRequest', { action: { op: 'move', id: page1.m[0].id, l: '3' } });
    const trash = await soapAs<any>(sb.url, marie, 'SearchRequest', { query: 'in:trash', types: 'message' });
    assert.deepEqual(trash.m.map((m: any) => m.su), ['Note 3']);
    await rejects(soapAs(sb.url, marie, 'MsgActionRequest', { action: { op: 'move', id: page1.m[1].id, l: '7' } }), 'mail.NO_SUCH_FOLDER');
    await rejects(soapAs(sb.url, marie, 'MsgActionRequest', { action: { op: 'explode', id: page1.m[1].id } }), 'service.INVALID_REQUEST');
  });

  test('ModifyProperties sets zimlet properties returned by GetInfo; an empty value removes one', async () => {
    await soapAs(sb.url, marie, 'ModifyPropertiesRequest', { prop: [{ zimlet: 'lu_esante_regify', name: 'a', _content: '1' }, { zimlet: 'lu_esante_regify', name: 'b', _content: '2' }] }, 'urn:zimbraAccount');
    await soapAs(sb.url, marie, 'ModifyPropertiesRequest', { prop: { zimlet: 'lu_esante_regify', name: 'a', _content: '' } }, 'urn:zimbraAccount');
    const info = await soapAs<any>(sb.url, marie, 'GetInfoRequest', {}, 'urn:zimbraAccount');
    assert.deepEqual(info.props.prop, [{ zimlet: 'lu_esante_regify', name: 'b', _content: '2' }]);
    await rejects(soapAs(sb.url, marie, 'ModifyPropertiesRequest', { prop: [{ zimlet: '', name: 'x', _content: '1' }] }, 'urn:zimbraAccount'), 'service.INVALID_REQUEST');
  });

  test('CreateAppointment stores a minimal appointment', async () => {
    const r = await soapAs<any>(sb.url, marie, 'CreateAppointmentRequest', {
      m: { su: 'Visio patient', inv: { comp: [{ name: 'Visio patient', loc: 'Webex', s: { d: '20261201T100000' }, e: { d: '20261201T103000' } }] } },
    });
    assert.match(r.calItemId, /^\d+$/);
    assert.equal(r.apptId, r.calItemId);
    await rejects(soapAs(sb.url, marie, 'CreateAppointmentRequest', { m: { inv: { comp: [{}] } } }), 'service.INVALID_REQUEST');
  });

  test('an unknown request is service.UNKNOWN_DOCUMENT', async () => {
    await rejects(soapAs(sb.url, marie, 'FrobnicateRequest', {}), 'service.UNKNOWN_DOCUMENT');
  });
});
