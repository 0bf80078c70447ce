import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The emails users get (admin.md, "Emails"). Pure: a kind and its data in,
 * subject, plain text and HTML out. The PIN is a field of the data, present
 * only for the kinds that carry it ('enabled', 'pin_reset'); every other kind
 * ignores it, so no code path can put a PIN in them.
 */

export const EMAIL_KINDS = [
  'enabled',
  'changed',
  'pin_reset',
  'disabled',
  'conference_info',
] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

/** The kinds whose body holds the leader PIN. */
export const PIN_KINDS: readonly EmailKind[] = ['enabled', 'pin_reset'];

export interface EmailData {
  /** The organization as its users know it. */
  orgName: string;
  userName: string;
  conferenceId: string | null;
  tollNumber: string | null;
  tollFreeNumber: string | null;
  /** The clear leader PIN ('enabled' and 'pin_reset' only). */
  pin?: string;
  /**
   * AutomaticallyMigrateUserMeetings was on when the email was queued: the
   * user's scheduled meetings are rewritten by the service, so the email says
   * so instead of asking them to update each meeting by hand.
   */
  meetingsMigrated?: boolean;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** 8271964 → "827 1964", 12345678 → "1234 5678": groups a caller reads off easily. */
export function formatConferenceId(id: string): string {
  if (!/^\d+$/.test(id) || id.length < 6) return id;
  const head = id.length % 4 === 0 ? 4 : 3;
  const groups = [id.slice(0, head)];
  for (let i = head; i < id.length; i += 4) groups.push(id.slice(i, i + 4));
  return groups.join(' ');
}

/** +14255550100 → "+1 425 555 0100"; anything unparsable is shown as given. */
export function formatNumber(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** One paragraph: lines of [label, value] pairs or plain sentences. */
type Block = { lines: string[] } | { pairs: [string, string][] };

function numberPairs(d: EmailData): [string, string][] {
  const pairs: [string, string][] = [];
  if (d.tollNumber) pairs.push(['Toll number', formatNumber(d.tollNumber)]);
  if (d.tollFreeNumber) pairs.push(['Toll-free number', formatNumber(d.tollFreeNumber)]);
  if (!pairs.length) pairs.push(['Dial-in number', 'none assigned yet; ask your administrator']);
  return pairs;
}

function idPair(d: EmailData): [string, string] {
  return [
    'Conference ID',
    d.conferenceId ? `${formatConferenceId(d.conferenceId)} (then #)` : 'none assigned',
  ];
}

const UPDATE_MEETINGS_BY_HAND =
  'Meetings you scheduled before this change still carry the old details: open each one and update its dial-in information (or re-send the invitation) so attendees get the new ones.';
const MEETINGS_UPDATED =
  'Your scheduled meetings are being updated with these details for you, and their invitations with them: you do not need to change them. If your calendar offers to send the updated invitation to attendees, send it.';

function compose(kind: EmailKind, d: EmailData): { subject: string; blocks: Block[] } {
  const hello: Block = { lines: [`Hello ${d.userName},`] };
  const UPDATE_MEETINGS = d.meetingsMigrated ? MEETINGS_UPDATED : UPDATE_MEETINGS_BY_HAND;
  const bye: Block = { lines: [`${d.orgName} audio conferencing`] };
  const pinPair = (): [string, string] => ['Leader PIN', d.pin ?? '*****'];
  switch (kind) {
    case 'enabled':
      return {
        subject: `${d.orgName}: you can now host audio conferences`,
        blocks: [
          hello,
          {
            lines: [
              'You have been set up for dial-in audio conferencing. People can join your meetings by phone with these details:',
            ],
          },
          { pairs: [...numberPairs(d), idPair(d)] },
          {
            lines: [
              'Your leader PIN lets you start a meeting by phone (press * when asked if you are the leader). Keep it to yourself; it is sent only this once.',
            ],
          },
          { pairs: [pinPair()] },
          { lines: [UPDATE_MEETINGS] },
          bye,
        ],
      };
    case 'changed':
      return {
        subject: `${d.orgName}: your dial-in conferencing details have changed`,
        blocks: [
          hello,
          {
            lines: [
              'Your dial-in conferencing details have changed. From now on, people join your meetings by phone with:',
            ],
          },
          { pairs: [...numberPairs(d), idPair(d)] },
          { lines: ['Your leader PIN has not changed.', UPDATE_MEETINGS] },
          bye,
        ],
      };
    case 'pin_reset':
      return {
        subject: `${d.orgName}: your leader PIN has been reset`,
        blocks: [
          hello,
          {
            lines: [
              'Your administrator reset your leader PIN. The old PIN no longer works. Keep the new one to yourself; it is sent only this once.',
            ],
          },
          { pairs: [pinPair(), idPair(d), ...numberPairs(d)] },
          bye,
        ],
      };
    case 'disabled':
      return {
        subject: `${d.orgName}: dial-in conferencing has been turned off for you`,
        blocks: [
          hello,
          {
            lines: [
              'You can no longer host meetings that people join by phone through this bridge.' +
                (d.conferenceId
                  ? ` Your conference ID ${formatConferenceId(d.conferenceId)} and your leader PIN no longer work.`
                  : ''),
              d.meetingsMigrated
                ? 'The dial-in details are being removed from your scheduled meetings for you. Ask your administrator if you think this is a mistake.'
                : 'Meetings you scheduled with dial-in details should be updated so attendees are not told to call in. Ask your administrator if you think this is a mistake.',
            ],
          },
          bye,
        ],
      };
    case 'conference_info':
      return {
        subject: `${d.orgName}: your dial-in conferencing details`,
        blocks: [
          hello,
          { lines: ['People join your meetings by phone with these details:'] },
          { pairs: [...numberPairs(d), idPair(d)] },
          {
            lines: [
              'For your leader PIN, ask your administrator to reset it; it is never sent in this message.',
              UPDATE_MEETINGS,
            ],
          },
          bye,
        ],
      };
  }
}

/** Renders one email. PINs are rendered only for the kinds that carry them. */
export function renderEmail(kind: EmailKind, data: EmailData): RenderedEmail {
  const safe = PIN_KINDS.includes(kind) ? data : { ...data, pin: undefined };
  const { subject, blocks } = compose(kind, safe);
  const text = blocks
    .map((b) =>
      'lines' in b ? b.lines.join('\n') : b.pairs.map(([k, v]) => `${k}: ${v}`).join('\n'),
    )
    .join('\n\n');
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.4">',
    ...blocks.map((b) =>
      'lines' in b
        ? b.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n')
        : `<table>${b.pairs
            .map(
              ([k, v]) =>
                `<tr><th align="left" style="padding-right: 1em">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
            )
            .join('')}</table>`,
    ),
    '</body></html>',
  ].join('\n');
  return { subject, text: `${text}\n`, html: `${html}\n` };
}
