import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setLang } from '../i18n.ts';
import { quotedBody, replyAddresses, replySubject, stripSubjectPrefixes, type OriginalMessage } from './reply.ts';

const original: OriginalMessage = {
  from: [{ address: 'marie.muller@esante.lu', name: 'Dr Marie Muller' }],
  replyTo: [],
  to: [{ address: 'jean.weber@esante.lu', name: 'Jean Weber' }, { address: 'luc.schmit@esante.lu' }],
  cc: [{ address: 'MARIE.MULLER@esante.lu' }, { address: 'anne.kieffer@esante.lu' }],
  subject: 'RE: Fwd: Résultats',
  date: Date.UTC(2026, 11, 7, 9, 30),
  text: 'Bonjour,\nvoici les résultats.',
};

describe('reply and forward as ZmComposeView fills them', () => {
  test('reply goes to the sender only; reply all adds To and Cc without the user nor duplicates', () => {
    const own = ['jean.weber@esante.lu'];
    assert.deepEqual(replyAddresses('REPLY', original, own), { to: [original.from[0]], cc: [] });
    const all = replyAddresses('REPLY_ALL', original, own);
    assert.deepEqual(all.to, [original.from[0]]);
    assert.deepEqual(all.cc.map((a) => a.address), ['luc.schmit@esante.lu', 'anne.kieffer@esante.lu']);
    assert.deepEqual(replyAddresses('FORWARD', original, own), { to: [], cc: [] });
  });

  test('Reply-To wins over From; a reply to one\'s own message goes to its first recipient', () => {
    assert.deepEqual(replyAddresses('REPLY', { ...original, replyTo: [{ address: 'secretariat@esante.lu' }] }, []).to, [{ address: 'secretariat@esante.lu' }]);
    assert.deepEqual(replyAddresses('REPLY', original, ['marie.muller@esante.lu']).to, [original.to[0]]);
  });

  test('subject prefixes are stripped, then Re: / Fwd:', () => {
    assert.equal(stripSubjectPrefixes('AW: re:  WG: Befund'), 'Befund');
    assert.equal(replySubject('REPLY', original.subject), 'Re: Résultats');
    assert.equal(replySubject('FORWARD', original.subject), 'Fwd: Résultats');
  });

  test('the body quotes the original under its divider and headers, in the reader\'s language', () => {
    setLang('fr');
    const fr = quotedBody('REPLY', original, 'fr');
    assert.match(fr, /^\r\n\r\n----- Message d’origine -----\r\nDe: Dr Marie Muller <marie\.muller@esante\.lu>\r\nÀ: Jean Weber <jean\.weber@esante\.lu>, luc\.schmit@esante\.lu\r\n/);
    assert.match(fr, /\r\nEnvoyé: lundi 7 décembre 2026/);
    assert.match(fr, /\r\nObjet: RE: Fwd: Résultats\r\n\r\nBonjour,\r\nvoici les résultats\.\r\n$/);
    setLang('de');
    assert.match(quotedBody('FORWARD', original, 'de'), /----- Weitergeleitete Nachricht -----\r\nVon: /);
    setLang('fr');
  });
});
