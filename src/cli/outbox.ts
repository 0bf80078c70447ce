import { clientFor, type Print, type Target } from './command-group.ts';
import type { Command } from 'commander';
import { seg } from './client.ts';

/**
 * `dialbridge outbox …`: the emails to users, as the API's /api/v1/outbox
 * shows them (PINs masked): list, show one, retry a failed one.
 */

const COLUMNS = [
  'id',
  'state',
  'kind',
  'to',
  'subject',
  'attempts',
  'lastError',
  'createdAt',
  'sentAt',
];

export function registerOutboxCommands(cmd: Command, target: () => Target, print: Print): void {
  const client = clientFor(target);
  const outbox = cmd.command('outbox').description('emails to users: queued, sent, failed');
  outbox
    .command('list')
    .option('--state <state>', 'pending, sent or failed')
    .option('--limit <n>', 'how many', '50')
    .description('emails, newest first (PINs are never shown)')
    .action(async (o: { state?: string; limit: string }) => {
      const qs = new URLSearchParams({ limit: o.limit, ...(o.state ? { state: o.state } : {}) });
      print(await client().call('GET', `/api/v1/outbox?${qs}`), COLUMNS);
    });
  outbox
    .command('show <id>')
    .description('one email with its text (a PIN shows as *****)')
    .action(async (id: string) => {
      const m = (await client().call('GET', `/api/v1/outbox/${seg(id)}`)) as Record<
        string,
        unknown
      >;
      // The HTML is the same message; the API has it (GET /api/v1/outbox/{id}).
      print(Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'html')));
    });
  outbox
    .command('retry <id>')
    .description('put a failed email back to pending')
    .action(async (id: string) =>
      print(await client().call('POST', `/api/v1/outbox/${seg(id)}/retry`), COLUMNS),
    );
}
