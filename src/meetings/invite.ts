import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { MeetingView } from './meetings.ts';
import { VERSION } from '../version.ts';

export interface InviteMeeting extends MeetingView {
  DialIn: (NonNullable<MeetingView['DialIn']> & { NumbersPage: string }) | null;
}

/** The dial-in block as plain text, for the invite's description (and emails). */
export function dialInText(m: InviteMeeting): string {
  if (!m.DialIn) return 'This meeting has no dial-in by phone.';
  const lines = ['Join by phone'];
  if (m.DialIn.TollNumber) lines.push(`${m.DialIn.TollNumber} (toll)`);
  if (m.DialIn.TollFreeNumber) lines.push(`${m.DialIn.TollFreeNumber} (toll-free)`);
  lines.push(`Conference ID: ${m.DialIn.Dial}`);
  lines.push(`Find a local number: ${m.DialIn.NumbersPage}`);
  return lines.join('\n');
}

/**
 * The meeting as an iCalendar invite (RFC 5545, built with ical-generator):
 * a REQUEST while it is scheduled, a CANCEL once cancelled, with the dial-in
 * block in the description and the number and ID as the location. The UID is
 * the meeting's, and SEQUENCE grows with every change, so calendars update
 * the invite they have instead of adding a second one.
 */
export function inviteIcs(
  m: InviteMeeting,
  organizer: { name: string; email: string },
  sequence: number,
): string {
  const cancelled = m.State === 'cancelled';
  const cal = ical({
    prodId: { company: 'dialbridge', product: `dialbridge ${VERSION}`, language: 'EN' },
    method: cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const number = m.DialIn && (m.DialIn.TollNumber ?? m.DialIn.TollFreeNumber);
  cal.createEvent({
    id: `${m.Id}@dialbridge`,
    sequence,
    start: new Date(m.Start),
    end: new Date(m.End),
    summary: m.Subject,
    description: dialInText(m),
    location: !m.DialIn
      ? null
      : number
        ? `${number}, ${m.DialIn.Dial}`
        : `Conference ID ${m.DialIn.Dial}`,
    organizer,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    x: [{ key: 'X-DIALBRIDGE-TIMEZONE', value: m.TimeZone }],
  });
  return cal.toString();
}
