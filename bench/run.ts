/**
 * Media capacity benchmark (`npm run bench`): the UDP echo ceiling of this
 * machine first, then for conferences of 5, 20 and 100 callers, rising N
 * callers against dialbridge's call plane on one core, with 3 measurement
 * windows per N. Prints a table and writes bench/results/media-capacity.json
 * and .md. See bench/README.md.
 *
 * Knobs (environment): BENCH_SIZES=5,20,100  BENCH_NS=100,200,...
 * BENCH_REPS=3  BENCH_WINDOW_S=4  BENCH_WARMUP_S=3  BENCH_SKIP_ECHO=1
 * BENCH_LEVEL_DBM0=-20  BENCH_OUT=bench/results
 * BENCH_BRIDGE_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (profiling)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { BridgeApi, BridgeSample } from './bridge.ts';
import {
  machineBusyPct,
  machineInfo,
  median,
  readMachineCpu,
  readUdpCounters,
  ready,
  ROOT_DIR,
  sleep,
  startChild,
  udpDelta,
  type MachineInfo,
  type Peer,
} from './common.ts';
import type { CallsResult, LoadApi, LoadSample } from './load.ts';
import { measureEchoCeiling, type EchoCeiling } from './udp-echo.ts';

// ---------------------------------------------------------------------------
// Settings

const list = (v: string | undefined, d: number[]) =>
  v ? v.split(',').map((x) => Number(x.trim())) : d;
const SIZES = list(process.env.BENCH_SIZES, [5, 20, 100]);
const NS = list(process.env.BENCH_NS, [100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500]);
const REPS = Number(process.env.BENCH_REPS ?? 3);
/** Windows to try at most per N, looking for REPS quiet ones. */
const MAX_WINDOWS = Number(process.env.BENCH_MAX_WINDOWS ?? REPS + 2);
const WINDOW_MS = 1000 * Number(process.env.BENCH_WINDOW_S ?? 3);
const WARMUP_MS = 1000 * Number(process.env.BENCH_WARMUP_S ?? 3);
const LEVEL_DBM0 = Number(process.env.BENCH_LEVEL_DBM0 ?? -20);
const OUT = resolve(ROOT_DIR, process.env.BENCH_OUT ?? 'bench/results');
const BRIDGE_NODE_ARGS = (process.env.BENCH_BRIDGE_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** The bars of ../shared/spec/quality.md (media capacity, cost per caller). */
const BARS = {
  p99LatenessMs: 5,
  droppedFrames: 0,
  cpuPctPerCaller: 0.1,
  rssKBPerCaller: 200,
  callers: 1000,
  echoFraction: 0.5,
};
/** Above these, the load generator (not the bridge) may be what is late. */
const LOAD_BOUND = { p99LatenessMs: 5, cpuPct: 90 };
/**
 * A window is quiet when other work on the machine never held the bridge's
 * core long enough to make packets miss their playout (between any two ticks
 * its event-loop thread waited for the CPU less than this) and the generator
 * kept time (no batch of it this late): then whatever is late or dropped is
 * the bridge's doing.
 */
const QUIET = { maxPreemptionMs: 15, loadMaxLatenessMs: 15 };

// ---------------------------------------------------------------------------
// Types of the results file

interface Window {
  bridge: BridgeSample;
  load: LoadSample;
  machineBusyPct: number;
  udpRcvbufErrors: number;
  /** Everything counted as a dropped frame in this window. */
  dropped: number;
  /** Other work left the bridge's core alone and the generator kept time (see QUIET). */
  quiet: boolean;
}

interface PointMedians {
  latenessP50Ms: number;
  latenessP99Ms: number;
  /** Largest tick lateness over all windows. */
  latenessMaxMs: number;
  droppedFrames: number;
  /** Packets that reached the bridge too late to play. */
  late: number;
  /** The same per million packets received. */
  latePpm: number;
  /** Packets lost on the way in (sequence gaps) or overflowed, gaps out, ticks skipped x calls. */
  lost: number;
  /** Frames the playout buffers skipped to shrink their delay (not counted as dropped). */
  playoutSkips: number;
  /** Gaps in what the callers received from the bridge. */
  outboundGaps: number;
  skippedTicks: number;
  concealedFrames: number;
  cpuPct: number;
  cpuPctPerCaller: number;
  rssMB: number;
  rssKBPerCaller: number;
  rssKBPerCallerMarginal: number;
  heardFraction: number;
  receivedFraction: number;
  gcMsPerSecond: number;
  eventLoopUtilisation: number;
  /** ms per s the bridge's event loop waited for its core (other work had it). */
  runQueueWaitMsPerS: number;
  /** Tick lateness p99 net of the time the bridge waited for its core before each tick. */
  ownLatenessP99Ms: number;
  /** How long after the bridge's nominal tick the generator sends its batch, ms (0-20). */
  sendPhaseAfterTickMs: number;
  loadLatenessP99Ms: number;
  loadCpuPct: number;
  machineBusyPct: number;
}

interface Point {
  n: number;
  size: number;
  conferences: number;
  setup: CallsResult;
  failedCalls: number;
  windows: Window[];
  /** Medians over the quiet windows when at least 2 were quiet, else over all. */
  medians: PointMedians;
  judgedOn: 'quiet windows' | 'all windows (too few quiet)';
  quietWindows: number;
  loadBound: boolean;
  bars: {
    lateness: boolean;
    /** Nothing lost in or out, no tick skipped. */
    loss: boolean;
    /** No packet too late to play either: with `loss`, no dropped frame. */
    late: boolean;
    drops: boolean;
    calls: boolean;
    heard: boolean;
    cpu: boolean;
    rss: boolean;
    /** The media-capacity bar: lateness, no dropped frame, calls up, everyone heard. */
    media: boolean;
    /** The same without late packets: the bridge keeps time and loses nothing. */
    timing: boolean;
  };
  /**
   * pass: the bars met; fail: not met on quiet windows (or calls failed, or
   * someone heard nothing); inconclusive: not met, but fewer than 2 windows
   * were quiet, so other work on the machine may be the cause.
   */
  verdict: Verdict;
  /** The same for the timing bar. */
  timingVerdict: Verdict;
}

type Verdict = 'pass' | 'fail' | 'inconclusive';

interface SizeResult {
  size: number;
  points: Point[];
  /** Largest N meeting the media bars, as did every N below it (0 if none did). */
  capacity: number;
  /** Largest N meeting the timing bar (no late-packet condition), as did every N below it. */
  timingCapacity: number;
  stoppedBy: string;
}

// ---------------------------------------------------------------------------
// Measuring

const log = (s: string) => console.log(s);
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

function droppedIn(b: BridgeSample, l: LoadSample): number {
  const j = b.jitter;
  return j.lost + j.late + j.overflowDropped + l.sequenceGaps + b.skippedTicks * b.calls;
}

async function measureWindow(bridge: Peer<BridgeApi>, load: Peer<LoadApi>): Promise<Window> {
  const cpu0 = readMachineCpu();
  const udp0 = readUdpCounters();
  await Promise.all([bridge.call('reset', undefined), load.call('reset', undefined)]);
  await sleep(WINDOW_MS);
  const [b, l] = await Promise.all([
    bridge.call('sample', undefined),
    load.call('sample', undefined),
  ]);
  return {
    bridge: b,
    load: l,
    machineBusyPct: machineBusyPct(cpu0, readMachineCpu()),
    udpRcvbufErrors: udpDelta(udp0, readUdpCounters()).RcvbufErrors ?? 0,
    dropped: droppedIn(b, l),
    quiet:
      !(b.maxPreemptionMs >= QUIET.maxPreemptionMs) && l.lateness.max < QUIET.loadMaxLatenessMs,
  };
}

/** REPS windows, and more (up to MAX_WINDOWS) while fewer than REPS were quiet. */
async function measureWindows(bridge: Peer<BridgeApi>, load: Peer<LoadApi>): Promise<Window[]> {
  const windows: Window[] = [];
  while (windows.length < MAX_WINDOWS) {
    windows.push(await measureWindow(bridge, load));
    if (windows.length >= REPS && windows.filter((w) => w.quiet).length >= REPS) break;
    // Enough quiet windows can no longer come: stop early.
    const quiet = windows.filter((w) => w.quiet).length;
    if (windows.length >= REPS && quiet + (MAX_WINDOWS - windows.length) < 2) break;
  }
  return windows;
}

function summarise(n: number, windows: Window[]): PointMedians {
  const m = (fn: (w: Window) => number) => median(windows.map(fn));
  const last = windows[windows.length - 1]!.bridge;
  const cpuPct = m((w) => w.bridge.cpuPct);
  return {
    latenessP50Ms: m((w) => w.bridge.lateness.p50),
    latenessP99Ms: m((w) => w.bridge.lateness.p99),
    latenessMaxMs: Math.max(...windows.map((w) => w.bridge.lateness.max)),
    droppedFrames: m((w) => w.dropped),
    late: m((w) => w.bridge.jitter.late),
    latePpm: m((w) => (1e6 * w.bridge.jitter.late) / Math.max(1, w.bridge.jitter.received)),
    lost: m((w) => w.dropped - w.bridge.jitter.late),
    playoutSkips: m((w) => w.bridge.jitter.droppedFrames),
    outboundGaps: m((w) => w.load.sequenceGaps),
    skippedTicks: m((w) => w.bridge.skippedTicks),
    concealedFrames: m((w) => w.bridge.jitter.concealed),
    cpuPct,
    cpuPctPerCaller: cpuPct / n,
    rssMB: last.rss / 2 ** 20,
    rssKBPerCaller: last.rss / 1024 / n,
    rssKBPerCallerMarginal: (last.rss - last.rssIdle) / 1024 / n,
    heardFraction: m((w) => (w.load.callers ? w.load.heard / w.load.callers : 0)),
    receivedFraction: m((w) => (w.load.expected ? w.load.received / w.load.expected : 0)),
    gcMsPerSecond: m((w) => (1000 * w.bridge.gcMs) / w.bridge.wallMs),
    eventLoopUtilisation: m((w) => w.bridge.elu),
    runQueueWaitMsPerS: m((w) => (1000 * w.bridge.runQueueWaitMs) / w.bridge.wallMs),
    ownLatenessP99Ms: m((w) => w.bridge.latenessOwn.p99),
    sendPhaseAfterTickMs:
      (windows[windows.length - 1]!.load.tickPhaseMs - last.tickPhaseMs + 20) % 20,
    loadLatenessP99Ms: m((w) => w.load.lateness.p99),
    loadCpuPct: m((w) => w.load.cpuPct),
    machineBusyPct: m((w) => w.machineBusyPct),
  };
}

function judge(md: PointMedians, failedCalls: number, windows: Window[], n: number): Point['bars'] {
  const calls = failedCalls === 0 && windows.every((w) => w.bridge.calls === n);
  const bars = {
    // The bridge's own lateness: less the time other work held its core (see bridge.ts).
    lateness: md.ownLatenessP99Ms < BARS.p99LatenessMs,
    loss: md.lost === 0,
    late: md.late === 0,
    drops: md.droppedFrames <= BARS.droppedFrames,
    calls,
    heard: md.heardFraction === 1,
    cpu: md.cpuPctPerCaller < BARS.cpuPctPerCaller,
    rss: md.rssKBPerCallerMarginal < BARS.rssKBPerCaller,
    media: false,
    timing: false,
  };
  bars.timing = bars.lateness && bars.loss && bars.calls && bars.heard;
  bars.media = bars.timing && bars.drops;
  return bars;
}

function pointLine(p: Point): string {
  const m = p.medians;
  return [
    `  N=${String(p.n).padStart(5)}`,
    `late p50/p99/max ${f(m.latenessP50Ms, 2)}/${f(m.latenessP99Ms, 2)}/${f(m.latenessMaxMs, 1)} ms`,
    `dropped ${m.droppedFrames}`,
    `CPU ${f(m.cpuPct)} % (${f(m.cpuPctPerCaller, 3)}/caller)`,
    `RSS ${f(m.rssMB)} MB (${f(m.rssKBPerCallerMarginal)} KB/caller)`,
    `failed ${p.failedCalls}`,
    `heard ${f(100 * m.heardFraction)} %`,
    `gen p99 ${f(m.loadLatenessP99Ms, 1)} ms CPU ${f(m.loadCpuPct, 0)} %`,
    `own p99 ${f(m.ownLatenessP99Ms, 2)} ms`,
    `quiet ${p.quietWindows}/${p.windows.length}`,
    p.verdict === 'pass' ? 'PASS' : `${p.verdict.toUpperCase()} (${whyFailed(p.bars)})`,
    p.verdict !== 'pass' ? `timing ${p.timingVerdict}` : '',
  ].join(' | ');
}

async function runSize(
  size: number,
  load: Peer<LoadApi>,
  core: number | undefined,
): Promise<SizeResult> {
  log(`\nConferences of ${size}:`);
  const bridge = startChild<BridgeApi>('bridge', 'bridge.ts', core, [], BRIDGE_NODE_ARGS);
  const points: Point[] = [];
  let stoppedBy = `reached the last N (${NS[NS.length - 1]})`;
  try {
    await ready(bridge, 'info');
    const { sipPort } = await bridge.call('info', undefined);
    for (const n of NS) {
      const setup = await load.call(
        'calls',
        { sipPort, target: n, confSize: size, levelDbm0: LEVEL_DBM0 },
        300_000,
      );
      await sleep(WARMUP_MS);
      const windows = await measureWindows(bridge, load);
      const quiet = windows.filter((w) => w.quiet);
      const judged = quiet.length >= 2 ? quiet : windows;
      const medians = summarise(n, judged);
      const bars = judge(medians, setup.failed, judged, n);
      const point: Point = {
        n,
        size,
        conferences: Math.ceil(n / size),
        setup,
        failedCalls: setup.failed,
        windows,
        medians,
        judgedOn: quiet.length >= 2 ? 'quiet windows' : 'all windows (too few quiet)',
        quietWindows: quiet.length,
        loadBound:
          medians.loadLatenessP99Ms >= LOAD_BOUND.p99LatenessMs ||
          medians.loadCpuPct >= LOAD_BOUND.cpuPct,
        bars,
        verdict: verdict(bars.media, quiet.length, bars),
        timingVerdict: verdict(bars.timing, quiet.length, bars),
      };
      points.push(point);
      log(pointLine(point));
      // The rise goes on past late packets alone (the timing bar) to find where
      // the bridge stops keeping time or loses packets.
      if (point.timingVerdict === 'fail') {
        stoppedBy = `N=${n}: ${whyFailed(bars, true)}`;
        break;
      }
      // Too noisy to tell twice running: the machine is too busy to go on.
      if (
        point.timingVerdict === 'inconclusive' &&
        points.at(-2)?.timingVerdict === 'inconclusive'
      ) {
        stoppedBy = `N=${n}: two N in a row too noisy to judge (${whyFailed(bars, true)} with other work holding the core)`;
        break;
      }
    }
    await load.call('hangup', { sipPort }, 120_000);
  } finally {
    await bridge.stop();
  }
  return {
    size,
    points,
    capacity: lastOfRun(points, (p) => p.verdict === 'pass'),
    timingCapacity: lastOfRun(points, (p) => p.timingVerdict === 'pass'),
    stoppedBy,
  };
}

function verdict(pass: boolean, quiet: number, bars: Point['bars']): Verdict {
  if (pass) return 'pass';
  return quiet >= 2 || !bars.calls || !bars.heard ? 'fail' : 'inconclusive';
}

/** The largest N of the leading run of points that pass. */
function lastOfRun(points: Point[], pass: (p: Point) => boolean): number {
  let n = 0;
  for (const p of points) {
    if (!pass(p)) break;
    n = p.n;
  }
  return n;
}

function whyFailed(b: Point['bars'], timing = false): string {
  const why: string[] = [];
  if (!b.lateness) why.push(`p99 tick lateness (own) ≥ ${BARS.p99LatenessMs} ms`);
  if (!b.loss) why.push('frames lost');
  if (!timing && !b.late) why.push('packets too late to play');
  if (!b.calls) why.push('calls failed');
  if (!b.heard) why.push('not every caller heard audio');
  return why.join(', ');
}

// ---------------------------------------------------------------------------
// Reporting

function markdown(r: {
  date: string;
  machine: MachineInfo;
  echo: EchoCeiling | undefined;
  sizes: SizeResult[];
  durationS: number;
}): string {
  const { machine: m, echo } = r;
  const L: string[] = [];
  L.push('# Media capacity', '');
  L.push(
    `Run ${r.date} (${f(r.durationS, 0)} s) by \`npm run bench\`; numbers are medians over the quiet ones of ${REPS}-${MAX_WINDOWS} windows of ${WINDOW_MS / 1000} s per N (quiet: other work left the bridge's core alone and the generator kept time; all windows when fewer than 2 were quiet). The JSON has every window. See [bench/README.md](../README.md) for the method and how to read this.`,
    '',
  );
  L.push('## Machine', '');
  L.push(`- CPU: ${m.cpuModel}, ${m.cores} cores; memory ${m.totalMemoryMB} MB`);
  L.push(`- ${m.kernel} (${m.os}); Node.js ${m.node}`);
  L.push(
    m.pinned
      ? '- Bridge (and echo server) pinned to core 1, load generator to core 0 (taskset). The machine is shared: other work may have been running (see "bridge waited for its core" and "quiet windows").'
      : '- Not pinned (no taskset or a single core).',
    '',
  );
  L.push('## Headline', '');
  L.push(
    '| conference size | capacity N: all media bars | CPU / RSS per caller there | of the echo ceiling | capacity N: keeps time, loses nothing (late packets aside) | CPU / RSS per caller there | of the echo ceiling | what stopped the rise |',
  );
  L.push('| ---: | ---: | --- | ---: | ---: | --- | ---: | --- |');
  const cost = (s: SizeResult, n: number) => {
    const at = s.points.find((p) => p.n === n);
    return at
      ? `${f(at.medians.cpuPctPerCaller, 3)} % of a core / ${f(at.medians.rssKBPerCallerMarginal, 0)} KB`
      : '-';
  };
  const frac = (n: number) => (echo?.n ? `${f((100 * n) / echo.n, 0)} %` : '-');
  for (const s of r.sizes) {
    L.push(
      `| ${s.size} | ${s.capacity || 'none'} | ${cost(s, s.capacity)} | ${frac(s.capacity)} | ${s.timingCapacity || 'none'} | ${cost(s, s.timingCapacity)} | ${frac(s.timingCapacity)} | ${s.stoppedBy} |`,
    );
  }
  L.push('');
  if (echo) {
    const top = echo.steps.filter((s) => s.n === echo.n && s.pass).at(-1);
    L.push(
      `UDP echo ceiling (${echo.sockets === 'one' ? 'one server socket' : 'one socket per simulated caller on both sides, as with the bridge'}): **${echo.n} callers' packet rate** (${echo.n} datagrams of 172 bytes per 20 ms = ${echo.packetsPerSecond} packets/s each way), limited by ${echo.limitedBy === 'generator' ? 'the load generator as much as the echo server (it could not keep up the offered rate beyond this)' : echo.limitedBy === 'echo-server' ? 'the echo server (datagrams lost)' : 'the largest step tried'}${top ? `; at the ceiling the echo server used ${f(top.serverCpuPct, 0)} % of its core and the generator ${f(top.cpuPct, 0)} % of its own` : ''}.`,
      '',
    );
  }
  L.push(
    `Bars (../shared/spec/quality.md): p99 tick lateness < ${BARS.p99LatenessMs} ms, no dropped frame, every call up, every caller hears audio; ≥ ${BARS.callers} callers on one core and ≥ ${100 * BARS.echoFraction} % of the UDP echo ceiling; per caller < ${BARS.cpuPctPerCaller} % of a core and < ${BARS.rssKBPerCaller} KB.`,
    '',
  );
  for (const s of r.sizes) {
    L.push(`## Conferences of ${s.size}`, '');
    L.push(
      '| N | rooms | tick late p50 / p99 / max (ms) | own p99 (ms) | dropped frames | too late to play / lost | playout skips | bridge CPU % of a core | CPU % per caller | RSS MB | RSS KB per caller (marginal / total) | failed calls | heard audio | gen p99 late ms / CPU % | bridge waited for its core (ms/s) | quiet windows | media bars | timing bar | cost bars |',
    );
    L.push(
      '| ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | --- | --- | --- |',
    );
    for (const p of s.points) {
      const m = p.medians;
      const costs = `${p.bars.cpu ? 'CPU ok' : 'CPU over'}, ${p.bars.rss ? 'RSS ok' : 'RSS over'}`;
      L.push(
        `| ${p.n} | ${p.conferences} | ${f(m.latenessP50Ms, 2)} / ${f(m.latenessP99Ms, 2)} / ${f(m.latenessMaxMs, 1)} | ${f(m.ownLatenessP99Ms, 2)} | ${m.droppedFrames} | ${m.late} (${f(m.latePpm, 0)} ppm) / ${m.lost} | ${m.playoutSkips} | ${f(m.cpuPct)} | ${f(m.cpuPctPerCaller, 3)} | ${f(m.rssMB)} | ${f(m.rssKBPerCallerMarginal, 0)} / ${f(m.rssKBPerCaller, 0)} | ${p.failedCalls} | ${f(100 * m.heardFraction)} % | ${f(m.loadLatenessP99Ms, 1)} / ${f(m.loadCpuPct, 0)}${p.loadBound ? ' (gen-bound?)' : ''} | ${f(m.runQueueWaitMsPerS, 0)} | ${p.quietWindows}/${p.windows.length}${p.quietWindows < 2 ? ' (judged on all)' : ''} | ${p.verdict === 'pass' ? 'pass' : `**${p.verdict}**: ${whyFailed(p.bars)}`} | ${p.timingVerdict === 'pass' ? 'pass' : `**${p.timingVerdict}**`} | ${costs} |`,
      );
    }
    L.push('');
  }
  if (echo) {
    L.push('## UDP echo steps', '');
    L.push(
      '| n | echoed | sent of offered | echo server CPU % | generator CPU % | generator p99 late ms | pass |',
    );
    L.push('| ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const s of echo.steps)
      L.push(
        `| ${s.n} | ${f(100 * s.ratio, 3)} % | ${f(100 * s.sendRatio, 1)} % | ${f(s.serverCpuPct, 0)} | ${f(s.cpuPct, 0)} | ${f(s.lateness.p99, 1)} | ${s.pass ? 'yes' : 'no'} |`,
      );
    L.push('');
  }
  return L.join('\n');
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  const genCore = machine.pinned ? 0 : undefined;
  const bridgeCore = machine.pinned ? 1 : undefined;
  log(
    `dialbridge media capacity: ${machine.cpuModel} x${machine.cores}, ${machine.totalMemoryMB} MB, Node ${machine.node}, ${machine.kernel}${machine.pinned ? '; bridge on core 1, generator on core 0' : '; not pinned'}`,
  );
  log(
    `sizes ${SIZES.join(', ')}; N ${NS.join(', ')}; ${REPS} x ${WINDOW_MS / 1000} s windows after ${WARMUP_MS / 1000} s warm-up`,
  );

  const load = startChild<LoadApi>('load', 'load.ts', genCore);
  let echo: EchoCeiling | undefined;
  const sizes: SizeResult[] = [];
  try {
    await ready(load, 'info');
    if (process.env.BENCH_SKIP_ECHO !== '1') {
      log('\nUDP echo ceiling:');
      echo = await measureEchoCeiling(load, {
        serverCore: bridgeCore,
        warmupMs: 700,
        windowMs: 2500,
        start: 500,
        log,
      });
      log(
        `  ceiling: ${echo.n} callers' packet rate (${echo.packetsPerSecond} packets/s each way), limited by ${echo.limitedBy}`,
      );
    }
    for (const size of SIZES) sizes.push(await runSize(size, load, bridgeCore));
  } finally {
    await load.stop();
  }

  const date = new Date().toISOString();
  const durationS = (Date.now() - started) / 1000;
  const results = {
    benchmark: 'media-capacity',
    date,
    durationS,
    machine,
    method: {
      bridge:
        'bench/bridge.ts: startCallPlane on 127.0.0.1 (SIP/UDP, RTP ports 10000-19999), every call answered and joined to ConferenceRoom(dialled number) on one MediaClock; one process pinned to one core',
      load: 'bench/load.ts: raw SIP INVITE (PCMU + telephone-event) / 200 / ACK per caller, then one 172-byte PCMU RTP packet (a tone, pre-encoded) per caller every 20 ms from its own socket, sent by one drift-corrected timer in batches (caller i in batch i mod BENCH_SLOTS, the batches spread evenly over the 20 ms); every caller talks at once',
      windows: `${REPS} windows of ${WINDOW_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up per N (up to ${MAX_WINDOWS} while fewer than ${REPS} were quiet); medians over the quiet windows when at least 2 were quiet, else over all; calls are added to the same bridge as N rises`,
      quiet: `between any two ticks the bridge's event-loop thread waited < ${QUIET.maxPreemptionMs} ms for its core (/proc/thread-self/schedstat, read every tick) and no generator batch was ${QUIET.loadMaxLatenessMs} ms late or more`,
      lateness:
        "the lateness bar is judged on the bridge's own tick lateness: each tick's lateness less the time its event-loop thread waited for its core since the previous tick (and what of that wait the catch-up ticks still carry, 20 ms less per tick); the raw lateness is reported beside it",
      slots: `each caller sends in one of ${process.env.BENCH_SLOTS ?? 5} batches spread evenly over the 20 ms (BENCH_SLOTS)`,
      levelDbm0: LEVEL_DBM0,
      droppedFrames:
        'per window: packets the playout buffers got too late to play + lost (sequence gaps into the bridge) + overflowed, + gaps in the sequence numbers callers received, + skipped media ticks x calls. Frames the playout buffers skip to shrink their delay after jitter are shown apart (playout skips)',
      capacity:
        'capacity: the largest N meeting the media bars (own p99 tick lateness < 5 ms, no dropped frame, every call up, every caller heard audio) where every smaller N met them too; timingCapacity: the same without the "no packet too late to play" part. The rise stops where the timing bar fails (or two N in a row are too noisy to judge)',
      rssPerCaller:
        'marginal: (RSS - RSS of the idle bridge before its first call) / N; total: RSS / N',
      bars: BARS,
      echo: 'bench/udp-echo.ts: plain Node.js UDP echo (one socket per simulated caller on both sides) on the bridge core, the same generator pattern and batches; highest n with >= 99.9 % echoed and the offered rate actually sent',
    },
    echo,
    sizes,
    summary: sizes.map((s) => ({
      size: s.size,
      capacity: s.capacity,
      echoFraction: echo?.n ? s.capacity / echo.n : null,
      timingCapacity: s.timingCapacity,
      timingEchoFraction: echo?.n ? s.timingCapacity / echo.n : null,
      stoppedBy: s.stoppedBy,
    })),
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(mdPath, `${markdown({ date, machine, echo, sizes, durationS })}\n`);

  log('\nSummary:');
  for (const s of sizes) {
    const frac = echo?.n
      ? ` = ${f((100 * s.capacity) / echo.n, 0)} % of the UDP echo ceiling (${echo.n})`
      : '';
    log(
      `  conferences of ${String(s.size).padStart(3)}: capacity ${s.capacity} callers${frac}; keeps time and loses nothing up to ${s.timingCapacity}; stopped by ${s.stoppedBy}`,
    );
  }
  log(
    `\nWrote ${relative(ROOT_DIR, jsonPath)} and ${relative(ROOT_DIR, mdPath)} (${f(durationS, 0)} s)`,
  );
}

const jsonPath = join(OUT, 'media-capacity.json');
const mdPath = join(OUT, 'media-capacity.md');

if (process.argv.includes('--render')) {
  // Re-renders the .md from the .json of the last run (after a change to the tables).
  const r = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    date: string;
    durationS: number;
    machine: MachineInfo;
    echo?: EchoCeiling;
    sizes: SizeResult[];
  };
  writeFileSync(mdPath, `${markdown({ ...r, echo: r.echo })}\n`);
  log(`Wrote ${relative(ROOT_DIR, mdPath)} from ${relative(ROOT_DIR, jsonPath)}`);
} else {
  await main();
}
