import type { Clock, Timer } from './clock.ts';
import { parseCSeq, parseVia } from './grammar.ts';
import type { SipMessage, SipRequest, SipResponse } from './message.ts';
import type { Peer } from './transport.ts';

/** RFC 3261 timer values (17.1.1.1); tests may shrink them. */
export interface TimerValues {
  T1: number;
  T2: number;
  T4: number;
}
export const DEFAULT_TIMERS: TimerValues = { T1: 500, T2: 4000, T4: 5000 };

export interface Sender {
  send(msg: SipMessage, to: Peer): void;
}

const MAGIC = 'z9hG4bK';

/** RFC 3261 17.2.3: branch + sent-by + method (ACK and CANCEL matched by the TU). */
function serverKey(req: SipRequest, method = req.method): string | undefined {
  const top = req.headers.get('Via');
  if (!top) return undefined;
  const via = parseVia(top);
  const branch = via.params.get('branch') ?? '';
  const sentBy = `${via.host}:${via.port ?? 5060}`;
  if (branch.startsWith(MAGIC)) return `${branch}|${sentBy}|${method}`;
  // RFC 2543 peers: no usable branch; fall back on the dialog-ish identifiers.
  const cseq = req.headers.get('CSeq') ?? '';
  return `${req.headers.get('Call-ID')}|${parseCSeq(cseq).seq}|${top}|${method}`;
}

type ServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated' | 'trying';

/**
 * A server transaction (RFC 3261 17.2): absorbs retransmitted requests by
 * resending the last response, retransmits non-2xx finals to INVITE over UDP
 * until ACK (timers G/H/I), and lingers to absorb late copies (timer J).
 */
export class ServerTransaction {
  state: ServerState;
  private last?: SipResponse;
  private timers: Timer[] = [];
  readonly isInvite: boolean;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly peer: Peer,
    private readonly layer: TransactionLayer,
  ) {
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'proceeding' : 'trying';
  }

  get finalSent(): boolean {
    return this.state !== 'proceeding' && this.state !== 'trying';
  }

  respond(res: SipResponse): void {
    if (this.state !== 'proceeding' && this.state !== 'trying') return;
    this.last = res;
    this.layer.sender.send(res, this.peer);
    const { T1, T2 } = this.layer.timers;
    const udp = this.peer.transport === 'udp';
    if (res.status < 200) {
      if (this.state === 'trying') this.state = 'proceeding';
      return;
    }
    if (this.isInvite && res.status < 300) {
      // RFC 6026 "Accepted": the dialog retransmits the 2xx until ACK (RFC 3261
      // 13.3.1.4); the transaction lingers (Timer L) so a retransmitted INVITE
      // is recognised as one instead of becoming a second call.
      this.state = 'accepted';
      this.timers.push(this.layer.clock.after(64 * T1, () => this.terminate()));
      return;
    }
    this.state = 'completed';
    if (this.isInvite) {
      if (udp) {
        let interval = T1;
        const retransmit = () => {
          if (this.state !== 'completed' || !this.last) return;
          this.layer.sender.send(this.last, this.peer);
          interval = Math.min(interval * 2, T2);
          this.timers.push(this.layer.clock.after(interval, retransmit));
        };
        this.timers.push(this.layer.clock.after(interval, retransmit)); // Timer G
      }
      this.timers.push(this.layer.clock.after(64 * T1, () => this.terminate())); // Timer H
    } else {
      this.timers.push(this.layer.clock.after(udp ? 64 * T1 : 0, () => this.terminate())); // Timer J
    }
  }

  /** A copy of the request arrived again. */
  retransmitted(): void {
    if (this.last && this.state !== 'terminated') this.layer.sender.send(this.last, this.peer);
  }

  /** ACK for our non-2xx final response. */
  acked(): void {
    if (this.state !== 'completed') return;
    this.state = 'confirmed';
    this.clearTimers();
    const udp = this.peer.transport === 'udp';
    this.timers.push(
      this.layer.clock.after(udp ? this.layer.timers.T4 : 0, () => this.terminate()),
    ); // Timer I
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.clearTimers();
    this.layer.forget(this);
  }

  private clearTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }
}

/**
 * A non-INVITE client transaction (RFC 3261 17.1.2), for the requests we send
 * inside dialogs (BYE). Resolves with the final response, or 'timeout'.
 */
export class ClientTransaction {
  private timers: Timer[] = [];
  private done = false;
  readonly result: Promise<SipResponse | 'timeout'>;
  private resolve!: (r: SipResponse | 'timeout') => void;

  constructor(
    readonly key: string,
    readonly request: SipRequest,
    readonly peer: Peer,
    private readonly layer: TransactionLayer,
  ) {
    this.result = new Promise((r) => (this.resolve = r));
  }

  start(): void {
    const { T1, T2 } = this.layer.timers;
    this.layer.sender.send(this.request, this.peer);
    if (this.peer.transport === 'udp') {
      let interval = T1;
      const retransmit = () => {
        if (this.done) return;
        this.layer.sender.send(this.request, this.peer);
        interval = Math.min(interval * 2, T2);
        this.timers.push(this.layer.clock.after(interval, retransmit)); // Timer E
      };
      this.timers.push(this.layer.clock.after(interval, retransmit));
    }
    this.timers.push(this.layer.clock.after(64 * T1, () => this.finish('timeout'))); // Timer F
  }

  received(res: SipResponse): void {
    if (res.status >= 200) this.finish(res);
  }

  private finish(r: SipResponse | 'timeout'): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timers) t.cancel();
    this.layer.forgetClient(this);
    this.resolve(r);
  }
}

export type Routed =
  | { kind: 'request'; tx: ServerTransaction }
  | { kind: 'ack'; request: SipRequest }
  | { kind: 'absorbed' }
  | { kind: 'response'; response: SipResponse; tx: ClientTransaction }
  | { kind: 'stray'; response: SipResponse };

/** Matches messages to transactions; what is new goes up to the transaction user. */
export class TransactionLayer {
  private readonly server = new Map<string, ServerTransaction>();
  private readonly client = new Map<string, ClientTransaction>();

  constructor(
    readonly sender: Sender,
    readonly clock: Clock,
    readonly timers: TimerValues = DEFAULT_TIMERS,
  ) {}

  get serverCount(): number {
    return this.server.size;
  }

  get clientCount(): number {
    return this.client.size;
  }

  route(msg: SipMessage, from: Peer): Routed {
    if (msg.kind === 'response') {
      const key = clientKey(msg);
      const tx = key ? this.client.get(key) : undefined;
      if (!tx) return { kind: 'stray', response: msg };
      tx.received(msg);
      return { kind: 'response', response: msg, tx };
    }
    if (msg.method === 'ACK') {
      const inviteTx = this.server.get(serverKey(msg, 'INVITE') ?? '');
      if (inviteTx && (inviteTx.state === 'completed' || inviteTx.state === 'confirmed')) {
        // ACK for a non-2xx final response belongs to the INVITE transaction.
        inviteTx.acked();
        return { kind: 'absorbed' };
      }
      return { kind: 'ack', request: msg };
    }
    const key = serverKey(msg);
    if (!key) return { kind: 'absorbed' };
    const existing = this.server.get(key);
    if (existing) {
      existing.retransmitted();
      return { kind: 'absorbed' };
    }
    const tx = new ServerTransaction(key, msg, from, this);
    this.server.set(key, tx);
    return { kind: 'request', tx };
  }

  /** The INVITE transaction a CANCEL refers to (same branch, RFC 3261 9.2). */
  inviteFor(cancel: SipRequest): ServerTransaction | undefined {
    return this.server.get(serverKey(cancel, 'INVITE') ?? '');
  }

  request(req: SipRequest, to: Peer): ClientTransaction {
    const key = clientKey(req)!;
    const tx = new ClientTransaction(key, req, to, this);
    this.client.set(key, tx);
    tx.start();
    return tx;
  }

  forget(tx: ServerTransaction): void {
    if (this.server.get(tx.key) === tx) this.server.delete(tx.key);
  }

  forgetClient(tx: ClientTransaction): void {
    if (this.client.get(tx.key) === tx) this.client.delete(tx.key);
  }
}

function clientKey(msg: SipMessage): string | undefined {
  const top = msg.headers.get('Via');
  const cseq = msg.headers.get('CSeq');
  if (!top || !cseq) return undefined;
  const branch = parseVia(top).params.get('branch');
  return branch ? `${branch}|${parseCSeq(cseq).method}` : undefined;
}
