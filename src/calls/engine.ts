import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import { realClock, type Clock, type Timer } from '../sip/clock.ts';
import {
  formatNameAddr,
  newBranch,
  newTag,
  parseCSeq,
  parseNameAddr,
  parseUri,
} from '../sip/grammar.ts';
import { Headers } from '../sip/headers.ts';
import type { SipParseError, SipRequest, SipResponse } from '../sip/message.ts';
import { makeResponse } from '../sip/response.ts';
import {
  DEFAULT_TIMERS,
  TransactionLayer,
  type ServerTransaction,
  type TimerValues,
} from '../sip/transactions.ts';
import { SipTransport, type Peer } from '../sip/transport.ts';
import { buildAnswer, buildOffer, negotiate, SdpError, type MediaPlan } from '../media/sdp.ts';
import {
  Call,
  type CallControl,
  type CallMedia,
  type CallParty,
  type DigitSource,
  type EndReason,
} from './call.ts';
import { TrustList } from './trust.ts';
import type { DigestAuthenticator } from '../sip/digest.ts';

export interface EngineOptions {
  host: string;
  port: number;
  /** Address written into SDP and Contact; loopback callers get 127.0.0.1. */
  advertisedAddress: string;
  maxCalls: number;
  trusted: TrustList;
  /** What to do with an INVITE from an untrusted address (without valid credentials). */
  untrusted: 'reject' | 'drop';
  /** Digest credentials for peers outside the trust list (trunks, remote PBXs). */
  auth?: DigestAuthenticator;
  /** Opens the media side of a new call (RTP ports). */
  openMedia(call: () => Call | undefined): Promise<CallMedia & MediaEvents>;
  /** RTP packet totals across all calls, for metrics. */
  mediaTotals?(): { packetsIn: number; packetsOut: number };
  log: Logger;
  clock?: Clock;
  timers?: TimerValues;
}

/** What the engine needs to hear from a call's media. */
export interface MediaEvents {
  on(event: 'digit', fn: (digit: string, source: DigitSource) => void): unknown;
  on(event: 'timeout', fn: () => void): unknown;
  /** Gets 20 ms of the caller's audio each tick (a property, not an event: it is hot). */
  audioTap: ((frame: Int16Array) => void) | undefined;
}

export interface EngineEvents {
  /** A new incoming call, ringing: answer or reject it. */
  call: [call: Call];
}

export interface EngineStats {
  active: number;
  total: number;
  rejected: Record<number, number>;
  malformed: number;
}

const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO';

/** SIP state of one call: the dialog (RFC 3261 12) and the INVITE we answer. */
interface Leg {
  call: Call;
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  peer: Peer;
  remoteSeq: number;
  localSeq: number;
  invite: ServerTransaction;
  offer: string | undefined;
  /** What we agreed to from the INVITE's offer (undefined when it had none). */
  plan: MediaPlan | undefined;
  sdpVersion: number;
  sessionId: number;
  okTimer?: Timer;
  /** CSeq of a re-INVITE whose 2xx waits for its ACK. */
  reinviteAwaitingAck?: number;
  ok?: SipResponse;
}

/**
 * The UAS core: turns SIP into Calls and Calls back into SIP. Answers
 * OPTIONS, CANCEL, BYE, INFO and re-INVITEs itself; refuses what it does not
 * speak with the right code; never lets a bad message stop it.
 */
export class CallEngine extends EventEmitter<EngineEvents> implements CallControl {
  readonly transport = new SipTransport();
  readonly tx: TransactionLayer;
  private readonly legs = new Map<string, Leg>();
  private readonly byCall = new Map<Call, Leg>();
  private readonly clock: Clock;
  private readonly timers: TimerValues;
  readonly stats: EngineStats = { active: 0, total: 0, rejected: {}, malformed: 0 };

  constructor(private readonly opts: EngineOptions) {
    super();
    this.clock = opts.clock ?? realClock;
    this.timers = opts.timers ?? DEFAULT_TIMERS;
    this.tx = new TransactionLayer(this.transport, this.clock, this.timers);
    this.transport.on('message', (msg, from) => {
      try {
        const routed = this.tx.route(msg, from);
        if (routed.kind === 'request') this.onRequest(routed.tx);
        else if (routed.kind === 'ack') this.onAck(routed.request);
      } catch (err) {
        this.stats.malformed++;
        this.opts.log.debug(
          { err: (err as Error).message, from: from.address },
          'sip message dropped',
        );
      }
    });
    this.transport.on('malformed', (err, from, raw) => {
      this.stats.malformed++;
      this.opts.log.debug(
        { err: err.message, from: from.address, bytes: raw.length },
        'malformed sip',
      );
      this.answerMalformed(err, from);
    });
  }

  /**
   * A request we could read enough of to answer (its Via, From, To, Call-ID
   * and CSeq parsed) gets 400 or 505 with the reason; anything less gets
   * silence, as a reply could not be matched by the sender anyway.
   */
  private answerMalformed(err: SipParseError, from: Peer): void {
    const h = err.headers;
    if (!err.isRequest || !h || err.method === 'ACK') return;
    if (!['Via', 'From', 'To', 'Call-ID', 'CSeq'].every((n) => h.has(n))) return;
    const req: SipRequest = {
      kind: 'request',
      method: err.method ?? 'UNKNOWN',
      uri: '',
      headers: h,
      body: Buffer.alloc(0),
    };
    const reason = err.message.replace(/[\r\n"]/g, ' ').slice(0, 100);
    try {
      const res = makeResponse(req, err.replyWith, {
        toTag: newTag(),
        headers: [['Warning', `399 dialbridge "${reason}"`]],
      });
      this.transport.send(res, from);
    } catch {
      /* what parsed may still not make a valid response: stay silent */
    }
  }

  get port(): number {
    return this.transport.port;
  }

  /** Counters for metrics, read at scrape time. */
  snapshot(): EngineStats & { packetsIn: number; packetsOut: number } {
    return { ...this.stats, ...(this.opts.mediaTotals?.() ?? { packetsIn: 0, packetsOut: 0 }) };
  }

  listen(): Promise<void> {
    return this.transport.listen(this.opts.host, this.opts.port);
  }

  /** Ends every call (BYE sent, not awaited: a phone that is gone must not hold up shutdown). */
  async close(): Promise<void> {
    for (const leg of [...this.byCall.values()]) {
      const call = leg.call;
      if (call.state === 'ringing') this.refuse(leg.invite, 503);
      else if (call.state !== 'ended') void this.sendBye(leg).catch(() => undefined);
      call.end('shutdown');
    }
    await this.transport.close();
  }

  private refuse(tx: ServerTransaction, status: number, headers: [string, string][] = []): void {
    this.stats.rejected[status] = (this.stats.rejected[status] ?? 0) + 1;
    tx.respond(makeResponse(tx.request, status, { toTag: newTag(), headers }));
  }

  private onRequest(tx: ServerTransaction): void {
    const req = tx.request;
    const maxForwards = req.headers.get('Max-Forwards');
    if (maxForwards !== undefined && Number(maxForwards) <= 0 && req.method !== 'OPTIONS') {
      return this.refuse(tx, 483);
    }
    const require = req.headers.getAll('Require').filter((r) => r.trim() && r.trim() !== 'timer');
    if (require.length && req.method !== 'CANCEL') {
      return this.refuse(tx, 420, [['Unsupported', require.join(', ')]]);
    }
    const toTag = parseNameAddr(req.headers.get('To') ?? '').params.get('tag');
    if (toTag) return this.inDialog(tx, toTag);
    switch (req.method) {
      case 'INVITE':
        return void this.onInvite(tx);
      case 'OPTIONS':
        return tx.respond(
          makeResponse(req, 200, {
            toTag: newTag(),
            headers: [
              ['Allow', ALLOW],
              ['Accept', 'application/sdp'],
            ],
          }),
        );
      case 'CANCEL':
        return this.onCancel(tx);
      case 'BYE':
      case 'INFO':
        return this.refuse(tx, 481);
      default:
        return this.refuse(tx, 405, [['Allow', ALLOW]]);
    }
  }

  private async onInvite(tx: ServerTransaction): Promise<void> {
    const req = tx.request;
    if (!this.opts.trusted.allows(tx.peer.address)) {
      const auth = this.opts.auth;
      const verdict = auth?.enabled
        ? auth.verify(req.headers.get('Authorization'), 'INVITE')
        : 'bad';
      if (verdict === 'missing' || verdict === 'stale') {
        return this.refuse(tx, 401, [['WWW-Authenticate', auth!.challenge(verdict === 'stale')]]);
      }
      if (verdict === 'bad') {
        this.opts.log.info({ from: tx.peer.address }, 'INVITE from untrusted address');
        if (this.opts.untrusted === 'drop') return tx.terminate();
        return this.refuse(tx, 403);
      }
    }
    if (this.byCall.size >= this.opts.maxCalls) return this.refuse(tx, 503, [['Retry-After', '5']]);
    const type = req.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    if (req.body.length && type !== 'application/sdp') {
      return this.refuse(tx, 415, [['Accept', 'application/sdp']]);
    }
    const offer = req.body.length ? req.body.toString('utf8') : undefined;
    let plan: MediaPlan | undefined;
    if (offer) {
      try {
        plan = negotiate(offer);
      } catch (err) {
        if (err instanceof SdpError) {
          return this.refuse(tx, 488, [['Warning', `304 dialbridge "${err.message}"`]]);
        }
        throw err;
      }
    }
    tx.respond(makeResponse(req, 100));
    const from = parseNameAddr(req.headers.get('From') ?? '');
    const to = parseNameAddr(req.headers.get('To') ?? '');
    const ruri = safeUri(req.uri);
    const leg = {
      callId: req.headers.get('Call-ID') ?? '',
      localTag: newTag(),
      remoteTag: from.params.get('tag') ?? '',
      localUri: to.uri,
      remoteUri: from.uri,
      peer: tx.peer,
      remoteSeq: parseCSeq(req.headers.get('CSeq') ?? '').seq,
      localSeq: Math.floor(Math.random() * 10_000) + 1,
      invite: tx,
      offer,
      plan,
      sdpVersion: 1,
      sessionId: Math.floor(Math.random() * 1e9),
    } as Leg;
    let media: CallMedia & MediaEvents;
    try {
      media = await this.opts.openMedia(() => leg.call);
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'no media port for a call');
      return this.refuse(tx, 503, [['Retry-After', '5']]);
    }
    const party: CallParty = {
      uri: from.uri,
      user: safeUri(from.uri)?.user,
      displayName: from.displayName,
    };
    const dialled = ruri?.user ?? safeUri(to.uri)?.user ?? '';
    const call = new Call(randomUUID(), party, dialled, tx.peer.address, this, media, this.clock);
    leg.call = call;
    if (plan) media.configure(plan);
    media.on('digit', (d, source) => call.receiveDigit(d, source));
    // Every 20 ms: emitted on the call only while someone there listens.
    media.audioTap = (f) => {
      if (call.listenerCount('audio') > 0) call.emit('audio', f);
    };
    media.on('timeout', () => void this.hangup(call, 'media-timeout'));
    this.legs.set(dialogKey(leg.callId, leg.localTag), leg);
    this.byCall.set(call, leg);
    this.stats.active++;
    this.stats.total++;
    call.once('ended', () => {
      this.legs.delete(dialogKey(leg.callId, leg.localTag));
      this.byCall.delete(call);
      leg.okTimer?.cancel();
      this.stats.active--;
    });
    if (tx.state === 'terminated' || tx.finalSent) {
      // Cancelled while the media port was being opened.
      return call.end('cancelled');
    }
    this.emit('call', call);
  }

  private local(leg: Leg) {
    const address = isLoopback(leg.peer.address) ? '127.0.0.1' : this.opts.advertisedAddress;
    return {
      address,
      port: leg.call.media.port,
      sessionId: leg.sessionId,
      sessionVersion: leg.sdpVersion,
    };
  }

  private contact(leg: Leg): string {
    const address = isLoopback(leg.peer.address) ? '127.0.0.1' : this.opts.advertisedAddress;
    const host = address.includes(':') ? `[${address}]` : address;
    const transport = leg.peer.transport === 'tcp' ? ';transport=tcp' : '';
    return `<sip:dialbridge@${host}:${this.port}${transport}>`;
  }

  async answer(call: Call): Promise<void> {
    const leg = this.byCall.get(call);
    if (!leg || call.state !== 'ringing') return;
    const body = leg.offer
      ? buildAnswer(leg.offer, leg.plan!, this.local(leg))
      : buildOffer(this.local(leg));
    const ok = makeResponse(leg.invite.request, 200, {
      toTag: leg.localTag,
      headers: [
        ['Contact', this.contact(leg)],
        ['Allow', ALLOW],
      ],
      body: Buffer.from(body),
      contentType: 'application/sdp',
    });
    for (const rr of leg.invite.request.headers.getAll('Record-Route'))
      ok.headers.append('Record-Route', rr);
    call.state = 'answering';
    leg.ok = ok;
    leg.invite.respond(ok);
    this.retransmitOk(leg, ok, () => call.state === 'answering');
  }

  /**
   * RFC 3261 13.3.1.4 (and RFC 6026): the UAS core, not the transaction,
   * retransmits a 2xx to an INVITE (first or re-INVITE) over UDP until the
   * ACK arrives; with no ACK after 64*T1 the dialog is over, so we hang up.
   */
  private retransmitOk(leg: Leg, ok: SipResponse, waiting: () => boolean): void {
    leg.okTimer?.cancel();
    const call = leg.call;
    let interval = this.timers.T1;
    let waited = 0;
    const again = () => {
      if (!waiting() || call.state === 'ended') return;
      waited += interval;
      if (waited >= 64 * this.timers.T1) {
        void this.sendBye(leg).finally(() => call.end('no-ack'));
        return;
      }
      if (leg.peer.transport === 'udp') this.transport.send(ok, leg.peer);
      interval = Math.min(interval * 2, this.timers.T2);
      leg.okTimer = this.clock.after(interval, again);
    };
    leg.okTimer = this.clock.after(interval, again);
  }

  reject(call: Call, status: number): void {
    const leg = this.byCall.get(call);
    if (!leg || call.state !== 'ringing') return;
    this.refuse(leg.invite, status);
    call.end('rejected');
  }

  async hangup(call: Call, reason: EndReason = 'local-hangup'): Promise<void> {
    const leg = this.byCall.get(call);
    if (!leg || call.state === 'ended') return;
    if (call.state === 'ringing') {
      this.refuse(leg.invite, 480);
      call.end(reason);
      return;
    }
    call.end(reason);
    await this.sendBye(leg);
  }

  private async sendBye(leg: Leg): Promise<void> {
    const h = new Headers();
    const host = leg.peer.address.includes(':') ? `[${leg.peer.address}]` : leg.peer.address;
    const transport = leg.peer.transport.toUpperCase();
    h.set(
      'Via',
      `SIP/2.0/${transport} ${isLoopback(leg.peer.address) ? '127.0.0.1' : this.opts.advertisedAddress}:${this.port};branch=${newBranch()};rport`,
    );
    h.set('Max-Forwards', '70');
    h.set('From', formatNameAddr({ uri: leg.localUri, params: new Map([['tag', leg.localTag]]) }));
    h.set('To', formatNameAddr({ uri: leg.remoteUri, params: new Map([['tag', leg.remoteTag]]) }));
    h.set('Call-ID', leg.callId);
    h.set('CSeq', `${++leg.localSeq} BYE`);
    const contact = leg.invite.request.headers.get('Contact');
    const target = contact ? parseNameAddr(contact).uri : `sip:${host}:${leg.peer.port}`;
    const bye: SipRequest = {
      kind: 'request',
      method: 'BYE',
      uri: target,
      headers: h,
      body: Buffer.alloc(0),
    };
    await this.tx.request(bye, leg.peer).result;
  }

  private onAck(ack: SipRequest): void {
    const toTag = parseNameAddr(ack.headers.get('To') ?? '').params.get('tag');
    const leg = toTag
      ? this.legs.get(dialogKey(ack.headers.get('Call-ID') ?? '', toTag))
      : undefined;
    if (!leg) return;
    leg.okTimer?.cancel();
    leg.reinviteAwaitingAck = undefined;
    const call = leg.call;
    if (call.state !== 'answering') return;
    if (!leg.offer) {
      // We offered in the 200 OK; the ACK carries the answer.
      try {
        call.media.configure(negotiate(ack.body.toString('utf8')));
      } catch {
        call.end('bad-answer');
        void this.sendBye(leg);
        return;
      }
    }
    call.state = 'active';
    call.emit('active');
  }

  private onCancel(tx: ServerTransaction): void {
    const invite = this.tx.inviteFor(tx.request);
    if (!invite) return this.refuse(tx, 481);
    tx.respond(makeResponse(tx.request, 200, { toTag: newTag() }));
    const leg = [...this.byCall.values()].find((l) => l.invite === invite);
    if (!invite.finalSent)
      invite.respond(makeResponse(invite.request, 487, { toTag: leg?.localTag ?? newTag() }));
    if (leg && leg.call.state === 'ringing') leg.call.end('cancelled');
  }

  private inDialog(tx: ServerTransaction, toTag: string): void {
    const req = tx.request;
    const leg = this.legs.get(dialogKey(req.headers.get('Call-ID') ?? '', toTag));
    if (!leg) return this.refuse(tx, 481);
    // A dialog's requests come from its peer (or a trusted proxy): knowing the
    // Call-ID and tags is not enough to hang up someone else's call.
    if (tx.peer.address !== leg.peer.address && !this.opts.trusted.allows(tx.peer.address)) {
      return this.refuse(tx, 403);
    }
    const seq = parseCSeq(req.headers.get('CSeq') ?? '').seq;
    if (req.method !== 'ACK' && req.method !== 'CANCEL') {
      if (seq <= leg.remoteSeq && req.method !== 'BYE') return this.refuse(tx, 500);
      leg.remoteSeq = Math.max(seq, leg.remoteSeq);
    }
    const ok = (headers: [string, string][] = [], body?: string): SipResponse => {
      const response = makeResponse(req, 200, {
        toTag: leg.localTag,
        headers,
        body: body === undefined ? undefined : Buffer.from(body),
        contentType: body === undefined ? undefined : 'application/sdp',
      });
      tx.respond(response);
      return response;
    };
    switch (req.method) {
      case 'BYE':
        ok();
        leg.call.end('caller-hangup');
        return;
      case 'INFO':
        return this.onInfo(tx, leg, ok);
      case 'OPTIONS':
        ok([['Allow', ALLOW]]);
        return;
      case 'INVITE':
        return this.onReinvite(tx, leg, ok);
      case 'CANCEL':
        return this.refuse(tx, 481);
      default:
        return this.refuse(tx, 405, [['Allow', ALLOW]]);
    }
  }

  private onInfo(tx: ServerTransaction, leg: Leg, ok: () => void): void {
    const type = tx.request.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    const body = tx.request.body.toString('utf8');
    let digit: string | undefined;
    if (type === 'application/dtmf-relay') digit = /Signal\s*=\s*([0-9*#A-D])/i.exec(body)?.[1];
    else if (type === 'application/dtmf') digit = /^\s*([0-9*#A-D])/i.exec(body)?.[1];
    else if (!body.length) {
      ok(); // an empty INFO is a keep-alive
      return;
    } else return this.refuse(tx, 415, [['Accept', 'application/dtmf-relay, application/dtmf']]);
    ok();
    if (digit && leg.call.state === 'active') leg.call.receiveDigit(digit.toUpperCase(), 'info');
  }

  private onReinvite(
    tx: ServerTransaction,
    leg: Leg,
    respond: (h?: [string, string][], body?: string) => SipResponse,
  ): void {
    if (leg.call.state !== 'active') return this.refuse(tx, 500, [['Retry-After', '1']]);
    // RFC 3261 14.2: a re-INVITE while one is still unacknowledged waits its turn.
    if (leg.reinviteAwaitingAck !== undefined) return this.refuse(tx, 500, [['Retry-After', '1']]);
    const offer = tx.request.body.length ? tx.request.body.toString('utf8') : undefined;
    const cseq = parseCSeq(tx.request.headers.get('CSeq') ?? '').seq;
    const ok = (headers?: [string, string][], body?: string) => {
      const response = respond(headers, body);
      leg.reinviteAwaitingAck = cseq;
      this.retransmitOk(leg, response, () => leg.reinviteAwaitingAck === cseq);
    };
    leg.sdpVersion++;
    if (!offer) {
      // No offer: ours goes in the 200 OK, and the ACK brings the answer (ignored if it only confirms).
      return ok([['Contact', this.contact(leg)]], buildOffer(this.local(leg)));
    }
    let plan: MediaPlan;
    try {
      plan = negotiate(offer);
    } catch (err) {
      if (err instanceof SdpError)
        return this.refuse(tx, 488, [['Warning', `304 dialbridge "${err.message}"`]]);
      throw err;
    }
    leg.call.media.configure(plan);
    const held = plan.direction === 'recvonly' || plan.direction === 'inactive';
    ok([['Contact', this.contact(leg)]], buildAnswer(offer, plan, this.local(leg)));
    if (held !== leg.call.held) {
      leg.call.held = held;
      leg.call.emit('hold', held);
    }
  }
}

function dialogKey(callId: string, localTag: string): string {
  return `${callId}|${localTag}`;
}

function safeUri(s: string) {
  try {
    return parseUri(s);
  } catch {
    return undefined;
  }
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1';
}
