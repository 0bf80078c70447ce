/**
 * The bridge under test: dialbridge's call plane on 127.0.0.1, every incoming
 * call answered and seated in the conference named by the number it dialled
 * (`conf-<k>`), all on one shared media clock. It measures itself over a
 * window the orchestrator opens (`reset`) and closes (`sample`).
 *
 *   node --import tsx bench/bridge.ts [--sip-port 0] [--rtp 10000-19999]
 *
 * Started by bench/run.ts with an IPC channel, pinned to one core.
 */
import { openSync, readSync } from 'node:fs';
import { PerformanceObserver, performance, type EventLoopUtilization } from 'node:perf_hooks';
import { startCallPlane } from '../src/calls/call-plane.ts';
import { CallAudio } from '../src/calls/call-audio.ts';
import type { Call } from '../src/calls/call.ts';
import { ConferenceRoom } from '../src/calls/conference-room.ts';
import { MediaClock } from '../src/media/media-clock.ts';
import type { JitterBufferStats } from '../src/media/jitter-buffer.ts';
import { createLogger } from '../src/log.ts';
import { CpuMeter, serve, spread, type Spread } from './common.ts';

export interface JitterTotals {
  received: number;
  lost: number;
  late: number;
  duplicates: number;
  overflowDropped: number;
  droppedFrames: number;
  insertedFrames: number;
  concealed: number;
  resyncs: number;
}

export interface RtpTotals {
  packetsIn: number;
  packetsOut: number;
  ignored: number;
}

export interface BridgeInfo {
  pid: number;
  sipPort: number;
  rss: number;
  calls: number;
}

export interface BridgeSample {
  /** Calls seated in a conference and active, at the end of the window. */
  calls: number;
  callsAtReset: number;
  rooms: number;
  wallMs: number;
  ticks: number;
  /** Media-clock tick lateness over the window, ms. */
  lateness: Spread;
  skippedTicks: number;
  cpuPct: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /**
   * Time the event-loop thread was runnable but waiting for its core (other
   * work on the machine had it), ms over the window; NaN where unknown.
   */
  runQueueWaitMs: number;
  /** The longest such wait between two ticks, ms. */
  maxPreemptionMs: number;
  /** Tick lateness less the wait for the core since the previous tick: the bridge's own part. */
  latenessOwn: Spread;
  /** The media clock's nominal tick time mod 20 ms, on the wall clock. */
  tickPhaseMs: number;
  /** Event-loop utilisation over the window (0-1). */
  elu: number;
  gcMs: number;
  gcCount: number;
  rss: number;
  /** RSS before the first call, for the marginal cost per caller. */
  rssIdle: number;
  heapUsed: number;
  external: number;
  /** Whether the per-call playout buffers could be read (see jitterTotals). */
  jitterAvailable: boolean;
  jitter: JitterTotals;
  rtp: RtpTotals;
  /** Calls whose playout buffer received no packet in the window. */
  silentCalls: number;
  /** Calls that had at least one packet too late to play in the window. */
  callsWithLate: number;
  setup: { total: number; answered: number; ended: number; rejected: Record<number, number> };
}

export type BridgeApi = {
  info: { args: undefined; result: BridgeInfo };
  reset: { args: undefined; result: null };
  sample: { args: undefined; result: BridgeSample };
  /** The raw tick lateness of the current window, ms (for looking closer; not in the results). */
  trace: {
    args: undefined;
    result: { startMs: number; lateness: number[]; gc: { at: number; ms: number; kind: number }[] };
  };
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const sipPort = Number(arg('--sip-port', process.env.BENCH_SIP_PORT ?? '0'));
const [rtpMin, rtpMax] = arg('--rtp', process.env.BENCH_RTP_PORTS ?? '10000-19999')
  .split('-')
  .map(Number) as [number, number];

const mediaClock = new MediaClock();

/**
 * A participant that does nothing but watch, first in every tick (it joins
 * the clock before any call, and participants run in the order they joined;
 * it also keeps the clock running from start-up). Per tick it records:
 * - how long the event-loop thread waited for its core since the previous
 *   tick (Linux schedstat): time other work on the machine held the core,
 *   which delays the tick without the bridge being to blame;
 * - the clock's phase, its nominal tick time on the wall clock mod 20 ms
 *   (against the generator's send phase, it says whether each batch of
 *   packets lands just before a tick or just after one).
 */
const RING = 4096;
const preempted = new Float64Array(RING);
let probeCount = 0;
let tickPhaseMs = NaN;
const sched = openSchedstat();
let lastWaitMs = sched?.() ?? 0;
mediaClock.add({
  input(now) {
    const s = mediaClock.stats;
    const late = s.lateness[(s.latenessCount - 1 + s.lateness.length) % s.lateness.length] ?? 0;
    tickPhaseMs = (performance.timeOrigin + now - late) % 20;
    const wait = sched ? sched() : NaN;
    preempted[probeCount++ % RING] = wait - lastWaitMs;
    lastWaitMs = wait;
  },
});

/** Reads this thread's run-queue wait (ms) from a kept-open schedstat file: one pread per call. */
function openSchedstat(): (() => number) | undefined {
  try {
    const fd = openSync('/proc/thread-self/schedstat', 'r');
    const buf = Buffer.alloc(128);
    const read = () => {
      const n = readSync(fd, buf, 0, buf.length, 0);
      const text = buf.toString('latin1', 0, n);
      return Number(text.split(' ')[1]) / 1e6;
    };
    return Number.isFinite(read()) ? read : undefined;
  } catch {
    return undefined;
  }
}

const engine = await startCallPlane({
  sip: { host: '127.0.0.1', port: sipPort },
  rtpPorts: { min: rtpMin, max: rtpMax },
  maxCalls: 100_000,
  log: createLogger('silent'),
  mediaClock,
});

const rooms = new Map<string, ConferenceRoom>();
const calls = new Set<Call>();
let answered = 0;
let ended = 0;

engine.on('call', (call) => {
  let room = rooms.get(call.dialled);
  if (!room) {
    room = new ConferenceRoom(mediaClock);
    rooms.set(call.dialled, room);
  }
  calls.add(call);
  call.once('ended', () => {
    calls.delete(call);
    ended++;
  });
  call.join(room);
  void call.answer().then(() => answered++);
});

/**
 * The playout buffer's counters. CallAudio keeps its JitterBuffer private and
 * nothing in src/ exposes it (nor a per-call stats hook), so the benchmark
 * reads the field at run time. If it is ever renamed this degrades to
 * jitterAvailable: false and the RTP counters alone.
 */
function jitterStats(call: Call): JitterBufferStats | undefined {
  const media = call.media;
  if (!(media instanceof CallAudio)) return undefined;
  const buffer = (media as unknown as { buffer?: { stats?: JitterBufferStats } }).buffer;
  return buffer?.stats;
}

function rtpCounters(call: Call): RtpTotals | undefined {
  const media = call.media;
  return media instanceof CallAudio ? media.session.counters : undefined;
}

interface Totals {
  jitter: JitterTotals;
  rtp: RtpTotals;
  perCall: Map<Call, { received: number; late: number }>;
  available: boolean;
}

function totals(): Totals {
  const jitter: JitterTotals = {
    received: 0,
    lost: 0,
    late: 0,
    duplicates: 0,
    overflowDropped: 0,
    droppedFrames: 0,
    insertedFrames: 0,
    concealed: 0,
    resyncs: 0,
  };
  const rtp: RtpTotals = { packetsIn: 0, packetsOut: 0, ignored: 0 };
  const perCall = new Map<Call, { received: number; late: number }>();
  let available = calls.size > 0;
  for (const call of calls) {
    const s = jitterStats(call);
    if (s) {
      for (const k of Object.keys(jitter) as (keyof JitterTotals)[]) jitter[k] += s[k];
      perCall.set(call, { received: s.received, late: s.late });
    } else {
      available = false;
    }
    const c = rtpCounters(call);
    if (c) {
      rtp.packetsIn += c.packetsIn;
      rtp.packetsOut += c.packetsOut;
      rtp.ignored += c.ignored;
    }
  }
  return { jitter, rtp, perCall, available };
}

let gcMs = 0;
let gcCount = 0;
/** This window's collections, for `trace`. */
let gcs: { at: number; ms: number; kind: number }[] = [];
let windowStart = performance.now();
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcCount++;
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
    if (gcs.length < 1000) gcs.push({ at: e.startTime - windowStart, ms: e.duration, kind });
  }
}).observe({ entryTypes: ['gc'] });

const rssIdle = process.memoryUsage().rss;

interface Window {
  started: number;
  waitMs: number;
  probeCount: number;
  cpu: CpuMeter;
  elu: EventLoopUtilization;
  latenessCount: number;
  skipped: number;
  ticks: number;
  gcMs: number;
  gcCount: number;
  totals: Totals;
  calls: number;
}

function open(): Window {
  const s = mediaClock.stats;
  gcs = [];
  windowStart = performance.now();
  return {
    started: windowStart,
    waitMs: sched?.() ?? NaN,
    probeCount,
    cpu: new CpuMeter(),
    elu: performance.eventLoopUtilization(),
    latenessCount: s.latenessCount,
    skipped: s.skipped,
    ticks: s.ticks,
    gcMs,
    gcCount,
    totals: totals(),
    calls: calls.size,
  };
}

let win = open();

function diff<T extends object>(a: T, b: T): T {
  const out = { ...b };
  for (const k of Object.keys(b) as (keyof T)[])
    (out[k] as number) = (b[k] as number) - (a[k] as number);
  return out;
}

/**
 * Preemption per tick over the window, and lateness net of it. A wait of P ms
 * makes the next tick P ms later, and the ticks after it, which run back to
 * back to catch up, later by what is left of P after 20 ms each; that part
 * (`carried`) is taken off each tick's lateness. Ticks are matched from the end.
 */
function own(w: Window, late: number[]): { maxPreemptionMs: number; latenessOwn: Spread } {
  const ticks = Math.min(probeCount - w.probeCount, RING, late.length);
  let max = 0;
  let carried = 0;
  const net: number[] = [];
  for (let i = ticks - 1; i >= 0; i--) {
    const raw = preempted[(probeCount - 1 - i) % RING]!;
    const p = Number.isFinite(raw) && raw > 0 ? raw : 0;
    if (p > max) max = p;
    carried = Math.max(0, carried - 20) + p;
    net.push(Math.max(0, late[late.length - 1 - i]! - carried));
  }
  return { maxPreemptionMs: sched ? max : NaN, latenessOwn: spread(net) };
}

function latenessSince(count: number): number[] {
  const s = mediaClock.stats;
  const ring = s.lateness;
  const late: number[] = [];
  for (let i = Math.max(count, s.latenessCount - ring.length); i < s.latenessCount; i++)
    late.push(ring[i % ring.length]!);
  return late;
}

serve<BridgeApi>({
  info: () => ({
    pid: process.pid,
    sipPort: engine.port,
    rss: process.memoryUsage().rss,
    calls: calls.size,
  }),
  reset: () => {
    win = open();
    return null;
  },
  trace: () => ({ startMs: win.started, lateness: latenessSince(win.latenessCount), gc: gcs }),
  sample: () => {
    const w = win;
    const cpu = w.cpu.read();
    const s = mediaClock.stats;
    const late = latenessSince(w.latenessCount);
    const now = totals();
    let silentCalls = 0;
    let callsWithLate = 0;
    for (const [call, c] of now.perCall) {
      const before = w.totals.perCall.get(call);
      if (c.received === (before?.received ?? 0)) silentCalls++;
      if (c.late > (before?.late ?? 0)) callsWithLate++;
    }
    const mem = process.memoryUsage();
    return {
      calls: calls.size,
      callsAtReset: w.calls,
      rooms: [...rooms.values()].filter((r) => r.size > 0).length,
      wallMs: cpu.wallMs,
      ticks: s.ticks - w.ticks,
      lateness: spread(late),
      skippedTicks: s.skipped - w.skipped,
      runQueueWaitMs: (sched?.() ?? NaN) - w.waitMs,
      ...own(w, late),
      cpuPct: cpu.pct,
      cpuUserMs: cpu.userMs,
      cpuSystemMs: cpu.systemMs,
      tickPhaseMs,
      elu: performance.eventLoopUtilization(w.elu).utilization,
      gcMs: gcMs - w.gcMs,
      gcCount: gcCount - w.gcCount,
      rss: mem.rss,
      rssIdle,
      heapUsed: mem.heapUsed,
      external: mem.external,
      jitterAvailable: now.available && w.totals.available,
      jitter: diff(w.totals.jitter, now.jitter),
      rtp: diff(w.totals.rtp, now.rtp),
      silentCalls,
      callsWithLate,
      setup: {
        total: engine.stats.total,
        answered,
        ended,
        rejected: { ...engine.stats.rejected },
      },
    };
  },
});

process.on('SIGTERM', () => {
  void engine.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
