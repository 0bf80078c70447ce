import { clientFor, type Print, type Target } from './command-group.ts';
import type { Command } from 'commander';
import { ApiError, seg } from './client.ts';

/** `dialbridge meetings …`: scheduled meetings and their dial-in blocks. */

interface MeetingOpts {
  organizer?: string;
  subject?: string;
  start?: string;
  end?: string;
  timeZone?: string;
  announce?: string;
  pstnOnly?: string;
}

const COLUMNS = ['Id', 'Organizer', 'Subject', 'Start', 'End', 'ConferenceIdKind', 'Dial'];

/** 'true' | 'false' | 'default' (null) from the command line; anything else goes to the API to refuse. */
const tri = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v === 'true'
      ? true
      : v === 'false'
        ? false
        : v === 'default'
          ? null
          : v;

function input(o: MeetingOpts): Record<string, unknown> {
  const body: Record<string, unknown> = {
    Organizer: o.organizer,
    Subject: o.subject,
    Start: o.start,
    End: o.end,
    TimeZone: o.timeZone,
    AnnounceEntryExit: tri(o.announce),
    AllowPstnOnly: tri(o.pstnOnly),
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return body;
}

const flat = (m: { DialIn: { Dial: string } } & Record<string, unknown>) => ({
  ...m,
  Dial: m.DialIn.Dial,
});

export function registerMeetingCommands(cmd: Command, target: () => Target, print: Print): void {
  const client = clientFor(target);
  const meetings = cmd
    .command('meetings')
    .description('scheduled meetings and their dial-in details');
  const withOptions = (c: Command) =>
    c
      .option('--organizer <user>', 'the organizer (UPN, SIP address or display name)')
      .option('--subject <text>')
      .option('--start <iso>', 'e.g. 2026-12-07T15:00:00Z')
      .option('--end <iso>')
      .option('--time-zone <iana>', 'e.g. Europe/Paris (default UTC)')
      .option('--announce <true|false|default>', 'entry/exit announcements for this meeting')
      .option('--pstn-only <true|false|default>', 'callers may start it without the leader');

  meetings
    .command('list')
    .option('--organizer <user>')
    .option('--all', 'include cancelled meetings')
    .description('scheduled meetings, soonest first')
    .action(async (o: { organizer?: string; all?: boolean }) => {
      const q = new URLSearchParams();
      if (o.organizer) q.set('organizer', o.organizer);
      if (o.all) q.set('includeCancelled', 'true');
      const list = (await client().call('GET', `/api/v1/meetings?${q}`)) as Parameters<
        typeof flat
      >[0][];
      print(list.map(flat), COLUMNS);
    });
  withOptions(meetings.command('schedule').description('schedule a meeting')).action(
    async (o: MeetingOpts) => print(await client().call('POST', '/api/v1/meetings', input(o))),
  );
  meetings
    .command('show <id>')
    .description('one meeting with its dial-in block')
    .action(async (id: string) => print(await client().call('GET', `/api/v1/meetings/${seg(id)}`)));
  withOptions(
    meetings.command('update <id>').description('change subject, times or options (the ID stays)'),
  ).action(async (id: string, o: MeetingOpts) =>
    print(await client().call('PATCH', `/api/v1/meetings/${seg(id)}`, input(o))),
  );
  meetings
    .command('invite <id>')
    .description('print the meeting invite (iCalendar)')
    .action(async (id: string) => {
      const t = target();
      const res = await fetch(`${t.url}/api/v1/meetings/${seg(id)}/invite.ics`, {
        headers: { authorization: `Bearer ${t.token}` },
      });
      if (!res.ok) {
        const e = (
          (await res.json()) as { error?: { message?: string; code?: string; field?: string } }
        ).error;
        throw new ApiError(
          e?.message ?? `HTTP ${res.status}`,
          res.status,
          e?.code ?? 'http',
          e?.field,
        );
      }
      process.stdout.write(await res.text());
    });
  meetings
    .command('cancel <id>')
    .description('cancel a meeting; its own conference ID stops working at once')
    .action(async (id: string) =>
      print(await client().call('DELETE', `/api/v1/meetings/${seg(id)}`)),
    );
}
