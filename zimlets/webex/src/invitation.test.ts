import { test } from 'node:test';
import assert from 'node:assert/strict';
import { format } from '../../../shared/i18n/lang.ts';
import { defaultStart, formatInvitees, invitationBody, meetingWhen, mergeInvitees, parseInvitees } from './invitation.ts';

test('invitees typed as addresses or "Name <address>", separated by , ; or new lines', () => {
  assert.deepEqual(parseInvitees(' a@x.lu; "Dr Anne Weber" <anne@x.lu>,\nb@y.org\n\n'), [
    { email: 'a@x.lu' },
    { email: 'anne@x.lu', displayName: 'Dr Anne Weber' },
    { email: 'b@y.org' },
  ]);
  assert.deepEqual(parseInvitees('pas une adresse'), [{ email: 'pas une adresse' }]);
  assert.equal(formatInvitees([{ email: 'a@x.lu' }, { email: 'b@x.lu', displayName: 'B, <b>' }]), 'a@x.lu\nB b <b@x.lu>');
  assert.equal(mergeInvitees('a@x.lu', [{ email: 'A@x.lu' }, { email: 'c@x.lu', displayName: 'C' }, { email: 'c@x.lu' }]), 'a@x.lu\nC <c@x.lu>');
});

test('default start: next quarter hour at least 10 minutes ahead, Luxembourg time', () => {
  assert.deepEqual(defaultStart(new Date('2027-01-15T08:00:00Z')), { date: '2027-01-15', time: '09:15' });
  assert.deepEqual(defaultStart(new Date('2027-07-01T21:52:00Z')), { date: '2027-07-02', time: '00:15' });
});

test('meeting time in the user language, Luxembourg time; invitation body without the password', () => {
  const m = { title: 'RCP', start: '2027-07-01T14:30:00+02:00', end: '2027-07-01T15:15:00+02:00', webLink: 'https://s/j.php?MTID=m1', meetingNumber: '2734567890', hasPassword: true };
  assert.deepEqual(meetingWhen(m.start, m.end, 'fr'), { day: 'jeudi 1 juillet 2027', hours: '14:30–15:15' });
  assert.equal(meetingWhen('2027-07-01T12:30:00Z', m.end, 'de').day, 'Donnerstag, 1. Juli 2027');
  const texts = { intro: 'Invitation « {0} »', when: 'Le {0}, {1}', link: 'Lien : {0}', number: 'Numéro : {0}', password: 'Mot de passe communiqué séparément' };
  const body = invitationBody(m, 'fr', texts, format);
  assert.equal(body, 'Invitation « RCP »\n\nLe jeudi 1 juillet 2027, 14:30–15:15\nLien : https://s/j.php?MTID=m1\nNuméro : 2734567890\nMot de passe communiqué séparément\n');
  assert.ok(!invitationBody({ ...m, hasPassword: false }, 'fr', texts, format).includes('Mot de passe'));
});
