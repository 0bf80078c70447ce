import type { FastifyReply } from 'fastify';
import type { EventBus } from './bus.ts';
import type { Delivered, LiveEventType } from './types.ts';

/**
 * The event bus as server-sent events (text/event-stream), one stream per
 * client:
 *
 *   id: 42
 *   event: participant.joined
 *   data: {"type":"participant.joined","orgId":"…","seq":42,"at":"…",…}
 *
 * A comment line every heartbeatMs keeps proxies from closing an idle stream,
 * and is when the client's sign-in is checked again (StreamRequest.stillAuthorized).
 * EventSource clients reconnect by themselves and send Last-Event-ID; the
 * events they missed are replayed from the bus's short history.
 */

export interface StreamRequest {
  /** Only this organization's events. */
  orgId: string;
  /** Only these types; undefined = all. */
  types?: ReadonlySet<LiveEventType>;
  /** The id of the last event the client received, to resume after it. */
  lastEventId?: number;
  /**
   * Asked at every heartbeat: false ends the stream. A stream is opened once
   * and may stay open for days; signing out, an ended session or a revoked
   * token must not leave it running.
   */
  stillAuthorized?: () => Promise<boolean>;
}

export interface EventStreamOptions {
  heartbeatMs?: number;
  /** Bytes waiting for a client that stopped reading before we drop it (it may resume). */
  maxBuffered?: number;
}

export class EventStreams {
  private readonly open = new Set<() => void>();
  private readonly heartbeatMs: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly bus: EventBus,
    opts: EventStreamOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.maxBuffered = opts.maxBuffered ?? 1024 * 1024;
  }

  /** How many streams are open (tests, metrics). */
  get size(): number {
    return this.open.size;
  }

  /** Takes over the reply and streams until the client goes away or close() is called. */
  serve(reply: FastifyReply, req: StreamRequest): void {
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });

    let checking = false;
    const heartbeat = setInterval(() => {
      raw.write(': heartbeat\n\n');
      if (!req.stillAuthorized || checking) return;
      checking = true;
      req
        .stillAuthorized()
        .catch(() => false)
        .then((ok) => {
          checking = false;
          if (!ok && this.open.has(end)) end();
        });
    }, this.heartbeatMs);
    heartbeat.unref();
    const cleanup = () => {
      clearInterval(heartbeat);
      this.bus.off('event', send);
      this.open.delete(end);
    };
    const end = () => {
      cleanup();
      raw.end();
    };
    const send = (e: Delivered) => {
      if (e.orgId !== req.orgId || (req.types && !req.types.has(e.type))) return;
      raw.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      if (raw.writableLength > this.maxBuffered) end();
    };
    raw.on('close', cleanup);
    this.open.add(end);

    // Sent at once so the client knows the stream is open before any event.
    raw.write(': dialbridge events\n\n');
    // Replay and subscription happen in one synchronous step: nothing published
    // in between can be lost or sent twice.
    if (req.lastEventId !== undefined) for (const e of this.missed(req.lastEventId)) send(e);
    this.bus.on('event', send);
  }

  /** Ends every stream (the server is stopping; clients will reconnect elsewhere or later). */
  close(): void {
    for (const end of [...this.open]) end();
  }

  private missed(lastEventId: number): Delivered[] {
    const kept = this.bus.since(0);
    const newest = kept.at(-1)?.seq ?? 0;
    // An id beyond anything published means the service restarted (sequence
    // numbers start again at 1): everything kept is news to this client.
    return lastEventId > newest ? kept : kept.filter((e) => e.seq > lastEventId);
  }
}
