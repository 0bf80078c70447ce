import { clientFor, type Print, type Target } from './command-group.ts';
import type { Command } from 'commander';
import { seg } from './client.ts';
import { CmdletError } from './cmdlet/types.ts';

/**
 * `dialbridge accounts …`: administrator accounts that sign in to the admin
 * center with a password. The password never travels on the command line
 * (where `ps` and shell history would keep it): it is typed at a prompt, or
 * piped in with --password-stdin.
 */

const COLUMNS = ['username', 'createdAt', 'lastSignInAt', 'disabled'];

export function registerAccountCommands(cmd: Command, target: () => Target, print: Print): void {
  const client = clientFor(target);
  const accounts = cmd
    .command('accounts')
    .description('administrator accounts for the admin center (username and password)');
  accounts
    .command('list')
    .description("the organization's accounts (never their passwords)")
    .action(async () => print(await client().call('GET', '/api/v1/admin-accounts'), COLUMNS));
  accounts
    .command('add <username>')
    .option('--password-stdin', 'read the password from standard input (for scripts)')
    .description('add an account; asks for the password (12 characters or more)')
    .action(async (username: string, o: { passwordStdin?: boolean }) => {
      const password = o.passwordStdin ? await readStdin() : await prompt();
      print(await client().call('POST', '/api/v1/admin-accounts', { username, password }), COLUMNS);
    });
  accounts
    .command('passwd <username>')
    .option('--password-stdin', 'read the new password from standard input (for scripts)')
    .description("set an account's password; its sessions end")
    .action(async (username: string, o: { passwordStdin?: boolean }) => {
      const password = o.passwordStdin ? await readStdin() : await prompt();
      print(
        await client().call('PATCH', `/api/v1/admin-accounts/${seg(username)}`, { password }),
        COLUMNS,
      );
    });
  for (const [verb, disabled, what] of [
    ['disable', true, 'it can no longer sign in, and its sessions end'],
    ['enable', false, 'it can sign in again'],
  ] as const) {
    accounts
      .command(`${verb} <username>`)
      .description(`${verb} an account: ${what}`)
      .action(async (username: string) =>
        print(
          await client().call('PATCH', `/api/v1/admin-accounts/${seg(username)}`, { disabled }),
          COLUMNS,
        ),
      );
  }
  accounts
    .command('remove <username>')
    .description('remove an account; its sessions end at once')
    .action(async (username: string) =>
      print(await client().call('DELETE', `/api/v1/admin-accounts/${seg(username)}`), COLUMNS),
    );
}

/** All of standard input, less one trailing newline (as `echo` and here-strings add it). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks twice on the terminal without echoing. */
async function prompt(): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CmdletError(
      'No terminal to ask for the password: pipe it in with --password-stdin.',
      'password',
    );
  }
  const first = await ask('Password: ');
  const again = await ask('Password (again): ');
  if (first !== again) throw new CmdletError('The two passwords differ.', 'password');
  return first;
}

function ask(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CmdletError('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
