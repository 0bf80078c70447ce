import { describe, expect, it } from 'vitest';
import { inviteIcs, type InviteMeeting } from './invite.ts';

const m: InviteMeeting = {
  Id: 'a1b2',
  Organizer: 'amos.marble@contoso.com',
  Subject: 'Weekly sync; with, commas',
  Start: '2026-12-07T15:00:00.000Z',
  End: '2026-12-07T16:00:00.000Z',
  TimeZone: 'America/Los_Angeles',
  State: 'scheduled',
  ConferenceIdKind: 'meeting',
  AnnounceEntryExit: null,
  AllowPstnOnly: null,
  DialIn: {
    TollNumber: '+14255550100',
    TollFreeNumber: '+18005550100',
    ConferenceId: '93907123',
    Dial: '939 071 23#',
    NumbersPage: 'http://bridge.example/dial-in/org',
  },
};
const organizer = { name: 'Amos Marble', email: 'amos.marble@contoso.com' };
/** Unfolds RFC 5545 line folding, so assertions see whole properties. */
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '');

describe('the invite', () => {
  it('is an iCalendar REQUEST with the dial-in block', () => {
    const ics = unfold(inviteIcs(m, organizer, 0));
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toContain('UID:a1b2@dialbridge');
    expect(ics).toContain('SEQUENCE:0');
    expect(ics).toContain('DTSTART:20261207T150000Z');
    expect(ics).toContain('DTEND:20261207T160000Z');
    expect(ics).toContain('SUMMARY:Weekly sync\\; with\\, commas');
    expect(ics).toContain('ORGANIZER;CN="Amos Marble":mailto:amos.marble@contoso.com');
    expect(ics).toContain('LOCATION:+14255550100\\, 939 071 23#');
    expect(ics).toContain('+18005550100 (toll-free)');
    expect(ics).toContain('Conference ID: 939 071 23#');
    expect(ics).toContain('http://bridge.example/dial-in/org');
    expect(ics).toMatch(/END:VCALENDAR(\r\n)?$/);
  });

  it('cancels with the same UID and a higher sequence', () => {
    const ics = unfold(inviteIcs({ ...m, State: 'cancelled' }, organizer, 3));
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain('STATUS:CANCELLED');
    expect(ics).toContain('UID:a1b2@dialbridge');
    expect(ics).toContain('SEQUENCE:3');
  });
});
