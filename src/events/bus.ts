import { EventEmitter } from 'node:events';
import type { Delivered, LiveEvent } from './types.ts';

interface BusEvents {
  event: [event: Delivered];
}

/**
 * The one place call-plane events go through. Publishers (the attendant,
 * live meetings, the call engine's bookkeeping) publish; subscribers (the SSE
 * stream, webhooks, call detail records) listen. A short history lets a
 * reconnecting stream resume from its Last-Event-ID.
 */
export class EventBus extends EventEmitter<BusEvents> {
  private seq = 0;
  private readonly history: Delivered[] = [];

  constructor(
    private readonly keep = 1000,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this.setMaxListeners(0);
  }

  publish(event: LiveEvent): Delivered {
    const delivered = { ...event, seq: ++this.seq, at: this.now().toISOString() } as Delivered;
    this.history.push(delivered);
    if (this.history.length > this.keep) this.history.shift();
    this.emit('event', delivered);
    return delivered;
  }

  /** Events after `seq` still in the history (for Last-Event-ID). */
  since(seq: number): Delivered[] {
    return this.history.filter((e) => e.seq > seq);
  }
}
