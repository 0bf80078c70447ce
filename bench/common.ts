/**
 * Shared pieces of the media benchmark: a typed request/reply channel between
 * the orchestrator and its child processes (over Node's IPC), process spawning
 * pinned to a core, percentiles, a drift-corrected 20 ms ticker, and readers
 * for the machine's CPU and UDP counters.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export const TICK_MS = 20;
export const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
export const ROOT_DIR = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------
// Request/reply over IPC

/** A child's commands: each takes `args` and returns `result`. */
export type Api = Record<string, { args: unknown; result: unknown }>;

export type Handlers<A extends Api> = {
  [K in keyof A]: (args: A[K]['args']) => A[K]['result'] | Promise<A[K]['result']>;
};

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** In a child: answers the parent's requests with `handlers`; exits when the parent goes. */
export function serve<A extends Api>(handlers: Handlers<A>): void {
  if (!process.send) throw new Error('start this with an IPC channel (child_process.fork/spawn)');
  const send = process.send.bind(process);
  process.on('message', (raw: Request) => {
    const handler = (handlers as Record<string, (args: unknown) => unknown>)[raw.cmd];
    void (async () => {
      let reply: Reply;
      try {
        if (!handler) throw new Error(`unknown command ${raw.cmd}`);
        reply = { id: raw.id, ok: true, result: await handler(raw.args) };
      } catch (err) {
        reply = { id: raw.id, ok: false, error: (err as Error).stack ?? String(err) };
      }
      send(reply);
    })();
  });
  process.on('disconnect', () => process.exit(0));
}

/** In the parent: calls a child's commands. */
export class Peer<A extends Api> {
  private seq = 0;
  private readonly waiting = new Map<number, (r: Reply) => void>();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (r: Reply) => {
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      w?.(r);
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.values())
        w({ id: -1, ok: false, error: `${name} exited (${code ?? signal})` });
      this.waiting.clear();
    });
  }

  call<K extends keyof A & string>(
    cmd: K,
    args: A[K]['args'],
    timeoutMs = 120_000,
  ): Promise<A[K]['result']> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        if (r.ok) resolve(r.result as A[K]['result']);
        else reject(new Error(`${this.name}: ${cmd} failed: ${r.error}`));
      });
      this.child.send({ id, cmd, args } satisfies Request);
    });
  }

  /** Ends the child: SIGTERM, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
}

let tasksetChecked: boolean | undefined;
/** Whether `taskset` can pin processes here (it exists, and there is more than one core). */
export function canPin(): boolean {
  if (tasksetChecked === undefined) {
    const r = spawnSync('taskset', ['-c', '0', 'true']);
    tasksetChecked = r.status === 0 && os.cpus().length > 1;
  }
  return tasksetChecked;
}

/**
 * Starts `bench/<script>` under tsx with an IPC channel, pinned to `core`
 * (every thread of it, V8's and libuv's included) when taskset is available.
 * BENCH_NICE=-10 (as root) runs it at a higher priority than other work on a
 * shared machine; off by default.
 */
export function startChild<A extends Api>(
  name: string,
  script: string,
  core: number | undefined,
  args: string[] = [],
  nodeArgs: string[] = [],
): Peer<A> {
  const node = [process.execPath, ...nodeArgs, '--import', 'tsx', `${BENCH_DIR}${script}`, ...args];
  const pinned = core !== undefined && canPin() ? ['taskset', '-c', String(core), ...node] : node;
  const niceness = Number(process.env.BENCH_NICE ?? 0);
  const [cmd, ...argv] = niceness ? ['nice', '-n', String(niceness), ...pinned] : pinned;
  const child = spawn(cmd!, argv, {
    cwd: ROOT_DIR,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env },
  });
  return new Peer<A>(name, child);
}

/** Waits until the child's first command answers (it has loaded). */
export async function ready<A extends Api>(peer: Peer<A>, cmd: keyof A & string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await peer.call(cmd, undefined as A[typeof cmd]['args'], 2000);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

// ---------------------------------------------------------------------------
// Numbers

/** Nearest-rank percentile of an ascending array; 0 when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (!n) return 0;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1));
  return sorted[rank]!;
}

export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Spread {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export function spread(values: ArrayLike<number>): Spread {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : 0,
    count: sorted.length,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Process CPU (user + system, every thread) over a window, as % of one core. */
export class CpuMeter {
  private cpu = process.cpuUsage();
  private wall = performance.now();

  reset(): void {
    this.cpu = process.cpuUsage();
    this.wall = performance.now();
  }

  read(): { pct: number; userMs: number; systemMs: number; wallMs: number } {
    const d = process.cpuUsage(this.cpu);
    const wallMs = performance.now() - this.wall;
    const userMs = d.user / 1000;
    const systemMs = d.system / 1000;
    return { pct: (100 * (userMs + systemMs)) / wallMs, userMs, systemMs, wallMs };
  }
}

// ---------------------------------------------------------------------------
// A drift-corrected 20 ms ticker

/**
 * Every 20 ms, calls `fn` once for each of `slots` equal slots of the period
 * (slot 0 at the start, slot 1 20/slots ms later, ...), against absolute
 * targets so timer jitter does not accumulate (the same scheme as
 * src/media/media-clock.ts). A late slot runs the missed ones at once (up to
 * 100 ms behind); further behind, it resynchronises and counts what it skipped.
 */
export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private slot = 0;
  private readonly period: number;
  /** How late each slot finished against its schedule since the last reset, ms. */
  lateness: number[] = [];
  /** Slots skipped (not run) since the last reset. */
  skipped = 0;

  constructor(
    private readonly fn: (slot: number) => void,
    readonly slots = 1,
  ) {
    this.period = TICK_MS / slots;
  }

  start(): void {
    if (this.timer) return;
    this.next = performance.now() + this.period;
    const loop = () => {
      const now = performance.now();
      const late = now - this.next;
      if (late > 5 * TICK_MS) {
        const missed = Math.floor(late / this.period);
        this.skipped += missed;
        this.slot = (this.slot + missed) % this.slots;
        this.next = now;
      }
      // A timer may fire a little early (libuv's clock is cached and in whole
      // ms): that slot runs now, as the media clock's ticks do.
      do {
        this.fn(this.slot);
        // Measured when the slot's work is done (its last packet sent), so a
        // pause in the middle of a batch counts too.
        const done = performance.now() - this.next;
        this.lateness.push(done > 0 ? done : 0);
        this.slot = this.slot + 1 === this.slots ? 0 : this.slot + 1;
        this.next += this.period;
      } while (this.next <= now);
      this.timer = setTimeout(loop, Math.max(0, this.next - performance.now()));
    };
    this.timer = setTimeout(loop, this.period);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Nominal time of the next slot 0 mod 20 ms, on the wall clock (comparable across processes). */
  get phaseMs(): number {
    const toSlot0 = ((this.slots - this.slot) % this.slots) * this.period;
    return (performance.timeOrigin + this.next + toSlot0) % TICK_MS;
  }

  reset(): void {
    this.lateness = [];
    this.skipped = 0;
  }
}

// ---------------------------------------------------------------------------
// The machine

export interface MachineCpu {
  busy: number;
  total: number;
}

/** Jiffies from /proc/stat (all cores): busy and total, for a noise indicator. */
export function readMachineCpu(): MachineCpu | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** % of all cores busy between two readings (any process, ours included). */
export function machineBusyPct(a: MachineCpu | undefined, b: MachineCpu | undefined): number {
  if (!a || !b || b.total === a.total) return NaN;
  return (100 * (b.busy - a.busy)) / (b.total - a.total);
}

export type UdpCounters = Record<string, number>;

/** The kernel's UDP counters (machine-wide) from /proc/net/snmp. */
export function readUdpCounters(): UdpCounters {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/).slice(1);
    const values = lines[1]!.split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(names.map((n, i) => [n, values[i] ?? 0]));
  } catch {
    return {};
  }
}

export function udpDelta(a: UdpCounters, b: UdpCounters): UdpCounters {
  return Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemoryMB: number;
  node: string;
  kernel: string;
  os: string;
  pinned: boolean;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    os: `${os.platform()} ${os.arch()}`,
    pinned: canPin(),
  };
}
