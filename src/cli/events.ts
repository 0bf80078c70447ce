import { clientFor, type Print, type Target } from './command-group.ts';
import type { Command } from 'commander';
import { ApiError, seg } from './client.ts';

/**
 * `dialbridge webhooks …`, `dialbridge events` and `dialbridge calls`: the
 * live-event commands, kept apart from main.ts, which only registers them.
 */

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function registerEventCommands(cmd: Command, target: () => Target, print: Print): void {
  const client = clientFor(target);

  const hooks = cmd.command('webhooks').description('webhooks: live events POSTed, signed');
  hooks
    .command('list')
    .description('list webhooks (never their secrets)')
    .action(async () =>
      print(await client().call('GET', '/api/v1/webhooks'), [
        'id',
        'url',
        'events',
        'enabled',
        'createdAt',
      ]),
    );
  hooks
    .command('add <url>')
    .option('--events <types>', 'comma-separated event types, e.g. call.started,call.ended')
    .description('add a webhook; prints its signing secret once')
    .action(async (url: string, o: { events?: string }) =>
      print(await client().call('POST', '/api/v1/webhooks', { url, events: list(o.events) })),
    );
  hooks
    .command('remove <id>')
    .description('remove a webhook and its delivery history')
    .action(async (id: string) =>
      print(await client().call('DELETE', `/api/v1/webhooks/${seg(id)}`)),
    );
  hooks
    .command('deliveries <id>')
    .option('--limit <n>', 'how many', '20')
    .description("a webhook's deliveries, newest first")
    .action(async (id: string, o: { limit: string }) =>
      print(
        await client().call('GET', `/api/v1/webhooks/${seg(id)}/deliveries?limit=${seg(o.limit)}`),
        ['id', 'eventType', 'state', 'attempts', 'lastStatus', 'lastError', 'createdAt'],
      ),
    );

  cmd
    .command('events')
    .option('--types <types>', 'comma-separated event types (default all)')
    .description('print live events as JSON lines until Ctrl-C')
    .action(async (o: { types?: string }) => streamEvents(target(), o.types));

  cmd
    .command('calls')
    .option('--limit <n>', 'how many', '50')
    .option('--from <time>', 'calls started at or after (ISO 8601)')
    .option('--to <time>', 'calls started before (ISO 8601)')
    .description('call detail records, newest first')
    .action(async (o: { limit: string; from?: string; to?: string }) => {
      const q = new URLSearchParams({ limit: o.limit });
      if (o.from) q.set('from', o.from);
      if (o.to) q.set('to', o.to);
      print(await client().call('GET', `/api/v1/call-records?${q}`), [
        'startedAt',
        'dialled',
        'caller',
        'durationMs',
        'endReason',
        'meetingId',
        'role',
      ]);
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Prints each event's data as one JSON line. When the stream drops (the
 * service restarted), it reconnects and resumes after the last event seen;
 * a refusal (bad token, bad filter) ends it with the service's message.
 */
async function streamEvents(t: Target, types: string | undefined): Promise<void> {
  const url = `${t.url}/api/v1/events${types ? `?types=${encodeURIComponent(types)}` : ''}`;
  let lastId: string | undefined;
  let connected = false;
  for (;;) {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          authorization: `Bearer ${t.token}`,
          accept: 'text/event-stream',
          ...(lastId ? { 'last-event-id': lastId } : {}),
        },
      });
    } catch (err) {
      if (!connected) {
        const e = err as Error;
        throw new ApiError(
          `Cannot reach the service at ${t.url}: ${e.cause ?? e.message}`,
          0,
          'unreachable',
        );
      }
      await sleep(2000);
      continue;
    }
    if (!res.ok) {
      const e = (
        (await res.json().catch(() => undefined)) as
          { error?: { message?: string; code?: string; field?: string } } | undefined
      )?.error;
      throw new ApiError(
        e?.message ?? `HTTP ${res.status}`,
        res.status,
        e?.code ?? 'http',
        e?.field,
      );
    }
    connected = true;
    try {
      for await (const ev of sseEvents(res.body!)) {
        if (ev.id) lastId = ev.id;
        process.stdout.write(`${ev.data}\n`);
      }
    } catch {
      // The connection broke; same as the stream ending.
    }
    process.stderr.write('dialbridge: the event stream ended; reconnecting\n');
    await sleep(2000);
  }
}

/** Server-sent events from a response body: each event's id and data (comments skipped). */
export async function* sseEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ id?: string; event?: string; data: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    // Our server ends lines with LF only.
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const ev: { id?: string; event?: string; data?: string } = {};
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') ev.data = ev.data === undefined ? value : `${ev.data}\n${value}`;
        else if (field === 'id' || field === 'event') ev[field] = value;
      }
      if (ev.data !== undefined) yield { ...ev, data: ev.data };
    }
  }
}
