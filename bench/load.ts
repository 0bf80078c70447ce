/**
 * The load generator: places calls with raw SIP over UDP (INVITE with a PCMU +
 * telephone-event offer, 200, ACK), then every caller sends a real 20 ms PCMU
 * frame every 20 ms from its own RTP socket (each caller a different tone,
 * pre-encoded), all callers' frames in one batch per tick of a drift-corrected
 * timer. It counts what each caller gets back, follows the bridge's sequence
 * numbers for gaps, and decodes a sample of what each caller hears to check it
 * is audio and not silence. At the end it hangs every call up with BYE.
 *
 * It also drives the UDP echo reference (`echo`): the same batch pattern with
 * 172-byte datagrams to a plain echo server.
 *
 * Started by bench/run.ts (or bench/udp-echo.ts) with an IPC channel, pinned
 * to the core the bridge is not on.
 */
import dgram from 'node:dgram';
import { linearToUlaw, ulawToLinear } from '../src/media/g711.ts';
import { dbm0ToAmplitude } from '../src/media/tone.ts';
import { CpuMeter, serve, sleep, spread, Ticker, TICK_MS, type Spread } from './common.ts';

const FRAME = 160;
const PACKET = 12 + FRAME; // 172 bytes: RTP header + 20 ms of PCMU
/** Distinct tones callers send: 300 Hz, 350 Hz, ... 1250 Hz. */
const TONES = 20;
/** An integral-Hz tone repeats every 8000 samples: 50 frames. */
const TONE_FRAMES = 50;
/** Each caller's received payload is decoded once every this many packets. */
const CHECK_EVERY = 16;
/** Mean |sample| above which a checked frame counts as heard audio (about -45 dBm0). */
const HEARD_MEAN_ABS = 40;
const RTP_PORT_MIN = Number(process.env.BENCH_LOAD_RTP_MIN ?? 20000);
const RTP_PORT_MAX = Number(process.env.BENCH_LOAD_RTP_MAX ?? 29998);

export interface CallsArgs {
  sipPort: number;
  /** Total callers wanted (calls are added up to this many). */
  target: number;
  /** Callers per conference: caller i dials conf-floor(i / size). */
  confSize: number;
  /** INVITEs in flight at once. */
  concurrency?: number;
  /** Level of each caller's tone, dBm0. */
  levelDbm0?: number;
}

export interface CallsResult {
  up: number;
  failed: number;
  added: number;
  setupMs: number;
  /** INVITE to 200 OK, ms, for the calls added now. */
  inviteTo200: Spread;
  failures: Record<string, number>;
}

export interface LoadSample {
  callers: number;
  wallMs: number;
  /** Batches per 20 ms (BENCH_SLOTS). */
  slots: number;
  /** The generator's own tick lateness: if this is high, it (not the bridge) is late. */
  lateness: Spread;
  skippedTicks: number;
  /** The generator's nominal send time mod 20 ms, on the wall clock. */
  tickPhaseMs: number;
  cpuPct: number;
  sent: number;
  received: number;
  /** Packets expected back: each caller gets one frame per bridge tick. */
  expected: number;
  /** Gaps in the bridge's RTP sequence numbers as received, over all callers. */
  sequenceGaps: number;
  /** Datagrams that were not PCMU RTP. */
  other: number;
  /** Callers that received nothing in the window. */
  callersSilent: number;
  /** Callers a sample of whose frames was decoded, and of those, who heard audio. */
  checked: number;
  heard: number;
  minReceived: number;
}

export interface EchoArgs {
  /** The echo server's ports: one generator socket talks to each. */
  ports: number[];
  /** Datagrams per 20 ms (the packet rate of n callers), spread round-robin over the sockets. */
  n: number;
  warmupMs: number;
  windowMs: number;
}

export interface EchoResult {
  n: number;
  offered: number;
  sent: number;
  received: number;
  /** received / sent, for datagrams sent inside the window. */
  ratio: number;
  /** sent / offered: below 1, the generator could not keep up the rate. */
  sendRatio: number;
  lateness: Spread;
  skippedTicks: number;
  cpuPct: number;
}

export type LoadApi = {
  info: { args: undefined; result: { pid: number } };
  calls: { args: CallsArgs; result: CallsResult };
  reset: { args: undefined; result: null };
  sample: { args: undefined; result: LoadSample };
  hangup: { args: { sipPort: number }; result: { ok: number; failed: number } };
  echo: { args: EchoArgs; result: EchoResult };
};

// ---------------------------------------------------------------------------
// Audio: pre-encoded tones

function encodeTones(levelDbm0: number): Uint8Array[][] {
  const amp = dbm0ToAmplitude(levelDbm0);
  const tones: Uint8Array[][] = [];
  for (let k = 0; k < TONES; k++) {
    const f = 300 + 50 * k;
    const frames: Uint8Array[] = [];
    for (let fr = 0; fr < TONE_FRAMES; fr++) {
      const out = new Uint8Array(FRAME);
      for (let i = 0; i < FRAME; i++) {
        const n = fr * FRAME + i;
        out[i] = linearToUlaw(Math.round(amp * Math.sin((2 * Math.PI * f * n) / 8000)));
      }
      frames.push(out);
    }
    tones.push(frames);
  }
  return tones;
}

let tones = encodeTones(-20);
let tonesLevel = -20;

// ---------------------------------------------------------------------------
// Sockets

let nextRtpPort = RTP_PORT_MIN;

/** Binds an RTP socket on the next free even port of our range (odd port left unbound: RTCP goes nowhere). */
async function bindRtp(): Promise<dgram.Socket> {
  for (let tries = 0; tries < (RTP_PORT_MAX - RTP_PORT_MIN) / 2; tries++) {
    const port = nextRtpPort;
    nextRtpPort += 2;
    if (nextRtpPort > RTP_PORT_MAX) nextRtpPort = RTP_PORT_MIN;
    const s = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(true));
    });
    if (ok) {
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      return s;
    }
    s.close();
  }
  throw new Error('no free port for an RTP socket');
}

function connect(s: dgram.Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.connect(port, '127.0.0.1', () => {
      s.off('error', reject);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------
// SIP

interface Caller {
  index: number;
  callId: string;
  fromTag: string;
  toTag: string;
  room: string;
  rtp: dgram.Socket;
  localPort: number;
  remotePort: number;
  state: 'inviting' | 'up' | 'failed' | 'bye' | 'done';
  invitedAt: number;
  answeredAt: number;
  /** Pending SIP transaction: settles on its final response. */
  pending?: { method: string; resolve: (status: number) => void };
  // Sending
  packet: Buffer;
  tone: Uint8Array[];
  frame: number;
  seq: number;
  ts: number;
  // Receiving
  received: number;
  receivedAtReset: number;
  lastSeq: number;
  gaps: number;
  other: number;
  checked: boolean;
  heard: boolean;
}

const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const callers: Caller[] = [];
const byCallId = new Map<string, Caller>();
const sip = dgram.createSocket('udp4');
await new Promise<void>((r) => sip.bind(0, '127.0.0.1', () => r()));
const sipLocal = sip.address().port;
let branchSeq = 0;
const failures: Record<string, number> = {};

function sipRequest(
  method: string,
  c: Caller,
  target: number,
  cseq: number,
  opts: { toTag?: boolean; body?: string; branch?: string } = {},
): Buffer {
  const body = opts.body ?? '';
  const lines = [
    `${method} sip:${c.room}@127.0.0.1:${target} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${sipLocal};branch=${opts.branch ?? `z9hG4bK-${runId}-${++branchSeq}`};rport`,
    'Max-Forwards: 70',
    `From: <sip:caller-${c.index}@127.0.0.1:${sipLocal}>;tag=${c.fromTag}`,
    `To: <sip:${c.room}@127.0.0.1:${target}>${opts.toTag ? `;tag=${c.toTag}` : ''}`,
    `Call-ID: ${c.callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:caller-${c.index}@127.0.0.1:${sipLocal}>`,
  ];
  if (body) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  return Buffer.from(lines.join('\r\n'));
}

function offer(port: number): string {
  return [
    'v=0',
    `o=bench ${port} 1 IN IP4 127.0.0.1`,
    's=bench',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

function header(head: string, name: string): string | undefined {
  return new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim();
}

sip.on('message', (buf, rinfo) => {
  const text = buf.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 4) : '';
  const callId = header(head, 'Call-ID') ?? header(head, 'i');
  const c = callId ? byCallId.get(callId) : undefined;
  const status = /^SIP\/2\.0 (\d{3})/.exec(head);
  if (!status) {
    // A request from the bridge (a BYE when it gives up on a call): accept it.
    const keep = head
      .split('\r\n')
      .filter((l) => /^(Via|From|To|Call-ID|CSeq)\s*:/i.test(l))
      .join('\r\n');
    sip.send(`SIP/2.0 200 OK\r\n${keep}\r\nContent-Length: 0\r\n\r\n`, rinfo.port, rinfo.address);
    if (c && /^BYE /.test(head)) c.state = 'done';
    return;
  }
  if (!c) return;
  const code = Number(status[1]);
  const method = /^CSeq:\s*\d+\s+(\w+)/im.exec(head)?.[1] ?? '';
  if (method === 'INVITE' && code >= 200) {
    if (code < 300) {
      c.toTag = /;tag=([^;>\s]+)/.exec(header(head, 'To') ?? '')?.[1] ?? '';
      c.remotePort = Number(/m=audio (\d+)/.exec(body)?.[1] ?? 0);
      // ACK every 200 (retransmissions included): ACK for 2xx is end to end.
      sip.send(sipRequest('ACK', c, rinfo.port, 1, { toTag: true }), rinfo.port, rinfo.address);
    } else {
      sip.send(sipRequest('ACK', c, rinfo.port, 1, { toTag: false }), rinfo.port, rinfo.address);
    }
  }
  if (code >= 200 && c.pending?.method === method) {
    const p = c.pending;
    c.pending = undefined;
    p.resolve(code);
  }
});

/** Sends a request, retransmitting (0.5, 1, 2, 4 s) until a final response; resolves its status (0: none). */
function transact(c: Caller, method: string, send: () => void): Promise<number> {
  return new Promise((resolve) => {
    let wait = 500;
    let timer: NodeJS.Timeout;
    const again = () => {
      if (wait > 4000) {
        c.pending = undefined;
        resolve(0);
        return;
      }
      send();
      timer = setTimeout(again, wait);
      wait *= 2;
    };
    c.pending = {
      method,
      resolve: (status) => {
        clearTimeout(timer);
        resolve(status);
      },
    };
    again();
  });
}

async function placeCall(index: number, args: CallsArgs): Promise<Caller> {
  const rtp = await bindRtp();
  const c: Caller = {
    index,
    callId: `bench-${runId}-${index}`,
    fromTag: `t${index}x${runId}`,
    toTag: '',
    room: `conf-${Math.floor(index / args.confSize)}`,
    rtp,
    localPort: rtp.address().port,
    remotePort: 0,
    state: 'inviting',
    invitedAt: performance.now(),
    answeredAt: 0,
    packet: Buffer.alloc(PACKET),
    tone: tones[index % TONES]!,
    frame: Math.floor(Math.random() * TONE_FRAMES),
    seq: Math.floor(Math.random() * 65536),
    ts: Math.floor(Math.random() * 2 ** 31),
    received: 0,
    receivedAtReset: 0,
    lastSeq: -1,
    gaps: 0,
    other: 0,
    checked: false,
    heard: false,
  };
  c.packet[0] = 0x80; // V=2
  c.packet[1] = 0; // PT 0 (PCMU)
  c.packet.writeUInt32BE((0x10000000 + index) >>> 0, 8); // SSRC
  callers.push(c);
  byCallId.set(c.callId, c);
  rtp.on('message', (buf) => onRtp(c, buf));
  const invite = sipRequest('INVITE', c, args.sipPort, 1, {
    body: offer(c.localPort),
    branch: `z9hG4bK-${runId}-inv${index}`,
  });
  const status = await transact(c, 'INVITE', () => sip.send(invite, args.sipPort, '127.0.0.1'));
  if (status >= 200 && status < 300 && c.remotePort) {
    c.answeredAt = performance.now();
    await connect(rtp, c.remotePort);
    c.state = 'up';
  } else {
    c.state = 'failed';
    failures[String(status || 'timeout')] = (failures[String(status || 'timeout')] ?? 0) + 1;
    rtp.close();
  }
  return c;
}

// ---------------------------------------------------------------------------
// RTP

let measuring = false;

function onRtp(c: Caller, buf: Buffer): void {
  if (buf.length < 12 || (buf[0]! & 0xc0) !== 0x80 || (buf[1]! & 0x7f) !== 0) {
    c.other++;
    return;
  }
  c.received++;
  const seq = buf.readUInt16BE(2);
  if (c.lastSeq >= 0) {
    const d = (seq - c.lastSeq) & 0xffff;
    if (d > 1 && d < 3000) c.gaps += d - 1;
  }
  c.lastSeq = seq;
  if (measuring && c.received % CHECK_EVERY === 0) {
    let sum = 0;
    for (let i = 12; i < buf.length; i++) {
      const v = ulawToLinear[buf[i]!]!;
      sum += v < 0 ? -v : v;
    }
    c.checked = true;
    if (sum / (buf.length - 12) > HEARD_MEAN_ABS) c.heard = true;
  }
}

let live: Caller[] = [];
let sent = 0;

/**
 * Slots per 20 ms: caller k sends in slot k mod SLOTS, so the packets reach
 * the bridge in SLOTS batches spread over the period instead of one (as
 * independent phones' would, spread out). BENCH_SLOTS=1 sends every caller's
 * packet in a single batch, which makes tick lateness depend on where that
 * batch happens to land against the bridge's tick (see bench/README.md).
 */
const SLOTS = Math.max(1, Number(process.env.BENCH_SLOTS ?? 5));

/** Callers sending, by slot (caller i always sends in slot i mod SLOTS). */
let bySlot: Caller[][] = Array.from({ length: SLOTS }, () => []);

const ticker = new Ticker((slot) => {
  const list = bySlot[slot]!;
  let n = 0;
  for (let k = 0; k < list.length; k++) {
    const c = list[k]!;
    const p = c.packet;
    c.seq = (c.seq + 1) & 0xffff;
    c.ts = (c.ts + FRAME) >>> 0;
    p.writeUInt16BE(c.seq, 2);
    p.writeUInt32BE(c.ts, 4);
    p.set(c.tone[c.frame]!, 12);
    c.frame = c.frame + 1 === TONE_FRAMES ? 0 : c.frame + 1;
    c.rtp.send(p);
    n++;
  }
  sent += n;
}, SLOTS);

function refreshLive(): void {
  live = callers.filter((c) => c.state === 'up');
  bySlot = Array.from({ length: SLOTS }, () => []);
  for (const c of live) bySlot[c.index % SLOTS]!.push(c);
  if (live.length) ticker.start();
  else ticker.stop();
}

// ---------------------------------------------------------------------------
// Measurement window

const cpu = new CpuMeter();
let sentAtReset = 0;
let gapsAtReset = 0;
let otherAtReset = 0;

function sumOf(f: (c: Caller) => number): number {
  let s = 0;
  for (const c of live) s += f(c);
  return s;
}

// ---------------------------------------------------------------------------
// Echo reference

async function echo(args: EchoArgs): Promise<EchoResult> {
  const count = args.ports.length;
  const sockets: dgram.Socket[] = [];
  let tag = 0;
  let sentTagged = 0;
  let received = 0;
  const onMessage = (buf: Buffer) => {
    if (buf[12] === 1) received++;
  };
  for (const port of args.ports) {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: count === 1 ? 4 << 20 : 0 });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.on('error', () => undefined);
    await connect(s, port);
    s.on('message', onMessage);
    sockets.push(s);
  }
  const packets = sockets.map(() => {
    const b = Buffer.alloc(PACKET, 0xff);
    b[0] = 0x80;
    return b;
  });
  const t = new Ticker((slot) => {
    let n = 0;
    for (let j = slot; j < args.n; j += SLOTS) {
      const k = j % count;
      sockets[k]!.send(packets[k]!);
      n++;
    }
    if (tag === 1) sentTagged += n;
  }, SLOTS);
  t.start();
  await sleep(args.warmupMs);
  tag = 1;
  for (const p of packets) p[12] = 1;
  t.reset();
  cpu.reset();
  await sleep(args.windowMs);
  tag = 2;
  for (const p of packets) p[12] = 2;
  const usage = cpu.read();
  const lateness = spread(t.lateness);
  const skipped = t.skipped / SLOTS;
  await sleep(300); // stragglers
  t.stop();
  for (const s of sockets) s.close();
  const offered = Math.round((usage.wallMs / TICK_MS) * args.n);
  return {
    n: args.n,
    offered,
    sent: sentTagged,
    received,
    ratio: sentTagged ? received / sentTagged : 0,
    sendRatio: offered ? Math.min(1, sentTagged / offered) : 0,
    lateness,
    skippedTicks: skipped,
    cpuPct: usage.pct,
  };
}

// ---------------------------------------------------------------------------

serve<LoadApi>({
  info: () => ({ pid: process.pid }),

  calls: async (args) => {
    if (args.levelDbm0 !== undefined && args.levelDbm0 !== tonesLevel) {
      tonesLevel = args.levelDbm0;
      tones = encodeTones(tonesLevel);
    }
    const start = performance.now();
    const first = callers.length;
    const concurrency = args.concurrency ?? 50;
    let next = first;
    const worker = async () => {
      while (next < args.target) {
        const c = await placeCall(next++, args);
        // Start its audio at once, like a phone does after the ACK.
        if (c.state === 'up') {
          live.push(c);
          bySlot[c.index % SLOTS]!.push(c);
        }
        ticker.start();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    refreshLive();
    const added = callers.slice(first);
    return {
      up: live.length,
      failed: callers.filter((c) => c.state === 'failed').length,
      added: added.length,
      setupMs: performance.now() - start,
      inviteTo200: spread(added.filter((c) => c.answeredAt).map((c) => c.answeredAt - c.invitedAt)),
      failures: { ...failures },
    };
  },

  reset: () => {
    refreshLive();
    for (const c of live) {
      c.receivedAtReset = c.received;
      c.checked = false;
      c.heard = false;
    }
    sentAtReset = sent;
    gapsAtReset = sumOf((c) => c.gaps);
    otherAtReset = sumOf((c) => c.other);
    ticker.reset();
    cpu.reset();
    measuring = true;
    return null;
  },

  sample: () => {
    measuring = false;
    const usage = cpu.read();
    let received = 0;
    let silent = 0;
    let min = Infinity;
    let checked = 0;
    let heard = 0;
    for (const c of live) {
      const r = c.received - c.receivedAtReset;
      received += r;
      if (r === 0) silent++;
      if (r < min) min = r;
      if (c.checked) checked++;
      if (c.heard) heard++;
    }
    return {
      callers: live.length,
      wallMs: usage.wallMs,
      slots: SLOTS,
      lateness: spread(ticker.lateness),
      skippedTicks: ticker.skipped / SLOTS,
      tickPhaseMs: ticker.phaseMs,
      cpuPct: usage.pct,
      sent: sent - sentAtReset,
      received,
      expected: Math.round((usage.wallMs / TICK_MS) * live.length),
      sequenceGaps: sumOf((c) => c.gaps) - gapsAtReset,
      other: sumOf((c) => c.other) - otherAtReset,
      callersSilent: silent,
      checked,
      heard,
      minReceived: live.length ? min : 0,
    };
  },

  hangup: async ({ sipPort }) => {
    const up = callers.filter((c) => c.state === 'up');
    live = [];
    bySlot = Array.from({ length: SLOTS }, () => []);
    ticker.stop();
    let ok = 0;
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < up.length) {
        const c = up[next++]!;
        c.state = 'bye';
        const bye = sipRequest('BYE', c, sipPort, 2, { toTag: true });
        const status = await transact(c, 'BYE', () => sip.send(bye, sipPort, '127.0.0.1'));
        if (status === 200) ok++;
        else failed++;
        c.state = 'done';
        c.rtp.close();
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    for (const c of callers) byCallId.delete(c.callId);
    callers.length = 0;
    nextRtpPort = RTP_PORT_MIN;
    return { ok, failed };
  },

  echo,
});
