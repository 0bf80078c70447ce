import type { Logger } from '../log.ts';
import { PortPool } from '../media/port-pool.ts';
import { RtpSession } from '../media/rtp-session.ts';
import { MediaClock } from '../media/media-clock.ts';
import { CallAudio } from './call-audio.ts';
import { realClock, type Clock } from '../sip/clock.ts';
import type { TimerValues } from '../sip/transactions.ts';
import { CallEngine } from './engine.ts';
import { DigestAuthenticator } from '../sip/digest.ts';
import { DEFAULT_TRUSTED, TrustList } from './trust.ts';

export interface CallPlaneOptions {
  sip: { host: string; port: number };
  rtpPorts: { min: number; max: number };
  /** Address for SDP and Contact toward non-loopback peers. */
  advertisedAddress?: string;
  trusted?: string[];
  untrusted?: 'reject' | 'drop';
  maxCalls?: number;
  /** username → password for digest authentication of peers outside the trust list. */
  credentials?: Record<string, string>;
  realm?: string;
  log: Logger;
  clock?: Clock;
  timers?: TimerValues;
  /** The 20 ms clock all calls share; tests may drive one by hand. */
  mediaClock?: MediaClock;
  /** A call whose phone sends no RTP for this long (and isn't holding) is ended. */
  mediaTimeoutMs?: number;
}

/** SIP engine + RTP sessions from the configured port range: `npm start`'s call plane. */
export async function startCallPlane(opts: CallPlaneOptions): Promise<CallEngine> {
  const pool = new PortPool(opts.rtpPorts.min, opts.rtpPorts.max);
  const clock = opts.clock ?? realClock;
  const rtpHost = opts.sip.host;
  const live = new Set<RtpSession>();
  const mediaClock = opts.mediaClock ?? new MediaClock();
  const closed = { packetsIn: 0, packetsOut: 0 };
  const engine = new CallEngine({
    host: opts.sip.host,
    port: opts.sip.port,
    advertisedAddress: opts.advertisedAddress ?? '127.0.0.1',
    maxCalls: opts.maxCalls ?? 1000,
    trusted: new TrustList(opts.trusted ?? DEFAULT_TRUSTED),
    untrusted: opts.untrusted ?? 'reject',
    auth: opts.credentials
      ? new DigestAuthenticator(opts.realm ?? 'dialbridge', opts.credentials)
      : undefined,
    log: opts.log,
    clock,
    timers: opts.timers,
    async openMedia() {
      const { rtp, rtcp, port } = await pool.allocate(rtpHost);
      const session = new RtpSession(rtp, rtcp, port, clock);
      live.add(session);
      const close = session.close.bind(session);
      session.close = () => {
        if (!live.delete(session)) return;
        close();
        closed.packetsIn += session.counters.packetsIn;
        closed.packetsOut += session.counters.packetsOut;
        pool.release(port);
      };
      return new CallAudio(session, mediaClock, opts.mediaTimeoutMs);
    },
    mediaTotals() {
      let packetsIn = closed.packetsIn;
      let packetsOut = closed.packetsOut;
      for (const s of live) {
        packetsIn += s.counters.packetsIn;
        packetsOut += s.counters.packetsOut;
      }
      return { packetsIn, packetsOut };
    },
  });
  await engine.listen();
  return engine;
}
