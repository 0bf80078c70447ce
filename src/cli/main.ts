import { Command } from 'commander';
import { bind } from './cmdlet/bind.ts';
import { CmdletError } from './cmdlet/types.ts';
import { CMDLETS } from './cmdlets.ts';
import { ApiError, createClient, resolveTarget, type Client } from './client.ts';
import { format } from './format.ts';
import { runDemo } from './demo.ts';
import { registerEventCommands } from './events.ts';
import { registerLiveCommands } from './live.ts';
import { registerOutboxCommands } from './outbox.ts';
import { registerAccountCommands } from './accounts.ts';
import { registerPromptCommands } from './prompts.ts';
import { registerMeetingCommands } from './meetings.ts';
import { registerProviderCommands } from './provider.ts';
import { VERSION } from '../version.ts';

interface Globals {
  json: boolean;
  url?: string;
  token?: string;
  dataDir?: string;
}

/** Global options may come before the cmdlet; everything after it belongs to the cmdlet. */
function splitGlobals(argv: string[]): { globals: Globals; rest: string[] } {
  const globals: Globals = { json: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') globals.json = true;
    else if (a === '--url' || a === '--token' || a === '--data-dir') {
      const v = argv[++i];
      if (v === undefined) throw new CmdletError(`Missing value for ${a}.`, a);
      if (a === '--url') globals.url = v;
      else if (a === '--token') globals.token = v;
      else globals.dataDir = v;
    } else break;
  }
  // --json is also accepted at the end, where people tend to add it.
  const rest = argv.slice(i);
  const j = rest.indexOf('--json');
  if (j > 0) {
    globals.json = true;
    rest.splice(j, 1);
  }
  return { globals, rest };
}

function client(g: Globals): Client {
  const { url, token } = resolveTarget(g);
  return createClient(url, token);
}

function print(data: unknown, g: Globals, columns?: string[], notes: string[] = []): void {
  if (g.json) {
    if (data !== undefined) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  } else {
    const text = format(data, columns);
    if (text) process.stdout.write(`${text}\n`);
  }
  for (const n of notes) process.stderr.write(`${n}\n`);
}

/** A cmdlet given as separate shell words, or pasted whole as one quoted argument. */
async function runCmdlet(args: string[], g: Globals): Promise<void> {
  const line = args.length === 1 && /\s/.test(args[0]!) ? args[0]! : args;
  const { cmdlet, params } = bind(line, CMDLETS);
  const def = CMDLETS.find((c) => c.name === cmdlet.name)!;
  const out = await def.run(params, client(g));
  print(out.data, g, out.columns, out.notes);
}

function program(g: Globals): Command {
  const cmd = new Command('dialbridge')
    .version(VERSION)
    .description(
      'Administer a dialbridge service. Run a cmdlet as administrators know them, e.g.\n' +
        '  dialbridge Set-CsOnlineDialInConferencingUser -Identity "Amos Marble" -ConferenceId 8271964\n' +
        "  dialbridge 'Set-CsOnlineDialInConferencingUser -id amos.marble@contoso.com -ResetLeaderPIN'\n" +
        'Global options (before the cmdlet): --json, --url URL, --token TOKEN, --data-dir DIR.',
    )
    .exitOverride();
  cmd
    .command('cmdlets')
    .description('list the cmdlets this command understands')
    .action(() =>
      print(
        CMDLETS.map((c) => ({
          Name: c.name,
          Parameters: c.params.map((p) => `-${p.name}`).join(' '),
        })),
        g,
        ['Name', 'Parameters'],
      ),
    );
  cmd
    .command('demo')
    .description(
      'fill the organization with a demo: a bridge, numbers in several countries, licensed users',
    )
    .action(async () => print(await runDemo(client(g)), g));
  const org = cmd.command('org').description('organizations (tenants) of the deployment');
  org
    .command('list')
    .description('list organizations')
    .action(async () =>
      print(await client(g).call('GET', '/api/v1/organizations'), g, [
        'name',
        'domain',
        'operator',
        'id',
      ]),
    );
  org
    .command('create <name>')
    .option('--domain <domain>', 'its DNS domain, e.g. fabrikam.com')
    .description('add an organization; prints its first administrator token once')
    .action(async (name: string, o: { domain?: string }) =>
      print(await client(g).call('POST', '/api/v1/organizations', { name, domain: o.domain }), g),
    );
  const token = cmd.command('token').description('administrator tokens');
  token
    .command('create <name>')
    .description('create a token; its value is shown once')
    .action(async (name: string) =>
      print(await client(g).call('POST', '/api/v1/tokens', { name }), g),
    );
  token
    .command('list')
    .description('list tokens (never their values)')
    .action(async () =>
      print(await client(g).call('GET', '/api/v1/tokens'), g, [
        'id',
        'name',
        'createdAt',
        'lastUsedAt',
        'revokedAt',
      ]),
    );
  token
    .command('revoke <id>')
    .description('revoke a token at once')
    .action(async (id: string) =>
      print(await client(g).call('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`), g),
    );
  cmd
    .command('audit')
    .option('--limit <n>', 'how many entries', '50')
    .description('the audit log, newest first')
    .action(async (o: { limit: string }) =>
      print(await client(g).call('GET', `/api/v1/audit?limit=${encodeURIComponent(o.limit)}`), g, [
        'at',
        'actor',
        'action',
        'target',
        'field',
        'oldValue',
        'newValue',
      ]),
    );
  registerEventCommands(
    cmd,
    () => resolveTarget(g),
    (data, columns) => print(data, g, columns),
  );
  registerProviderCommands(
    cmd,
    () => resolveTarget(g),
    (data, columns) => print(data, g, columns),
    () => g.json,
  );
  for (const register of [
    registerLiveCommands,
    registerPromptCommands,
    registerMeetingCommands,
    registerOutboxCommands,
    registerAccountCommands,
  ])
    register(
      cmd,
      () => resolveTarget(g),
      (data, columns) => print(data, g, columns),
    );
  return cmd;
}

async function main(argv: string[]): Promise<number> {
  let g: Globals = { json: false };
  try {
    const { globals, rest } = splitGlobals(argv);
    g = globals;
    const first = rest[0];
    // Verb-Noun: a cmdlet (also when pasted whole as one argument).
    if (first && /^[A-Za-z]+-[A-Za-z]/.test(first)) {
      await runCmdlet(rest, g);
      return 0;
    }
    await program(g).parseAsync(rest, { from: 'user' });
    return 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      return e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
        ? 0
        : (e.exitCode ?? 2);
    }
    const message = err instanceof Error ? err.message : String(err);
    if (g.json) {
      const field = err instanceof ApiError || err instanceof CmdletError ? err.field : undefined;
      process.stderr.write(`${JSON.stringify({ error: { message, field } })}\n`);
    } else {
      process.stderr.write(`dialbridge: ${message}\n`);
    }
    return err instanceof CmdletError ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
