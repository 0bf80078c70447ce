/**
 * The reference: a plain UDP echo server (every datagram sent straight back
 * to its sender, nothing else) on the bridge's core, driven by the same load
 * generator pattern as the bridge: n sockets on each side, as n callers have
 * (one generator socket per server socket), each sending one 172-byte
 * datagram per 20 ms, all in one batch per tick. The ceiling is the highest n
 * where at least 99.9 % come back: the packet rate this machine's Node.js can
 * echo on one core with that socket layout and nothing else to do. The
 * bridge's capacity is reported as a fraction of it.
 *
 * BENCH_ECHO_SOCKETS=one uses a single server socket (and 64 generator
 * sockets) instead: a higher ceiling, as the kernel and libuv batch reads on
 * one socket, but not the I/O pattern a bridge with a port per call has.
 *
 *   node --import tsx bench/udp-echo.ts            # the ceiling on its own
 *   node --import tsx bench/udp-echo.ts --serve    # the server (run.ts starts it)
 */
import dgram from 'node:dgram';
import { pathToFileURL } from 'node:url';
import {
  CpuMeter,
  machineInfo,
  ready,
  serve,
  startChild,
  type Peer,
  type Spread,
} from './common.ts';
import type { EchoResult, LoadApi } from './load.ts';

export type EchoServerApi = {
  info: { args: undefined; result: { pid: number } };
  /** Makes sure `n` echo sockets are listening (one when `one`); returns their ports. */
  listen: { args: { n: number; one: boolean }; result: number[] };
  reset: { args: undefined; result: null };
  sample: { args: undefined; result: { cpuPct: number; echoed: number } };
};

/** A found ceiling: `n` is in callers' packet rate (packets per 20 ms). */
export interface EchoCeiling {
  sockets: 'per-caller' | 'one';
  /** Highest n with ≥ 99.9 % echoed (0 if even the first step failed). */
  n: number;
  packetsPerSecond: number;
  /** What stopped the rise: the echo server losing datagrams, or the generator not keeping up. */
  limitedBy: 'echo-server' | 'generator' | 'max-step';
  steps: (EchoResult & { serverCpuPct: number; pass: boolean })[];
}

export interface EchoOptions {
  serverCore: number | undefined;
  warmupMs?: number;
  windowMs?: number;
  start?: number;
  max?: number;
  sockets?: 'per-caller' | 'one';
  log?: (line: string) => void;
}

const PASS_RATIO = 0.999;
/** Below this fraction of the offered rate actually sent, the generator is the limit. */
const SEND_RATIO = 0.99;

/** Raises the echo packet rate until under 99.9 % comes back, then narrows down. */
export async function measureEchoCeiling(
  load: Peer<LoadApi>,
  opts: EchoOptions,
): Promise<EchoCeiling> {
  const log = opts.log ?? (() => undefined);
  const server = startChild<EchoServerApi>('udp-echo', 'udp-echo.ts', opts.serverCore, ['--serve']);
  try {
    await ready(server, 'info');
    const one = (opts.sockets ?? 'per-caller') === 'one';
    const steps: EchoCeiling['steps'] = [];
    const measure = async (n: number) => {
      let last: EchoCeiling['steps'][number] | undefined;
      // A failing step is tried twice: one noisy moment on a shared machine is not a ceiling.
      for (let attempt = 0; attempt < 2; attempt++) {
        const serverPorts = await server.call('listen', { n, one });
        const ports = one
          ? Array.from({ length: Math.min(n, 64) }, () => serverPorts[0]!)
          : serverPorts;
        await server.call('reset', undefined);
        const r = await load.call('echo', {
          ports,
          n,
          warmupMs: opts.warmupMs ?? 1000,
          windowMs: opts.windowMs ?? 3000,
        });
        const s = await server.call('sample', undefined);
        const pass = r.ratio >= PASS_RATIO && r.sendRatio >= SEND_RATIO;
        last = { ...r, serverCpuPct: s.cpuPct, pass };
        steps.push(last);
        log(
          `  echo n=${n}: ${(100 * r.ratio).toFixed(3)} % back, sent ${(100 * r.sendRatio).toFixed(1)} % of offered, server CPU ${s.cpuPct.toFixed(0)} %, generator CPU ${r.cpuPct.toFixed(0)} %${pass ? '' : ' (fail)'}`,
        );
        if (pass) break;
      }
      return last!;
    };

    let good = 0;
    let bad = 0;
    let limitedBy: EchoCeiling['limitedBy'] = 'max-step';
    const max = opts.max ?? 64_000;
    for (let n = opts.start ?? 250; n <= max; n *= 2) {
      const r = await measure(n);
      if (r.pass) good = n;
      else {
        bad = n;
        limitedBy = r.sendRatio < SEND_RATIO ? 'generator' : 'echo-server';
        break;
      }
    }
    // Narrow down between the last pass and the first failure (to within ~12 %).
    while (bad && bad - good > Math.max(100, good / 8)) {
      const mid = Math.round((good + bad) / 2 / 100) * 100;
      const r = await measure(mid);
      if (r.pass) good = mid;
      else {
        bad = mid;
        limitedBy = r.sendRatio < SEND_RATIO ? 'generator' : 'echo-server';
      }
    }
    return {
      sockets: one ? 'one' : 'per-caller',
      n: good,
      packetsPerSecond: good * 50,
      limitedBy,
      steps,
    };
  } finally {
    await server.stop();
  }
}

function startServer(): void {
  const sockets: dgram.Socket[] = [];
  let echoed = 0;
  const open = async (big: boolean) => {
    const size = big ? 4 << 20 : 0;
    const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: size, sendBufferSize: size });
    socket.on('message', (buf, rinfo) => {
      socket.send(buf, rinfo.port, rinfo.address);
      echoed++;
    });
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return socket;
  };
  let single: dgram.Socket | undefined;
  const cpu = new CpuMeter();
  let echoedAtReset = 0;
  serve<EchoServerApi>({
    info: () => ({ pid: process.pid }),
    listen: async ({ n, one }) => {
      if (one) {
        single ??= await open(true);
        return [single.address().port];
      }
      while (sockets.length < n) sockets.push(await open(false));
      return sockets.slice(0, n).map((s) => s.address().port);
    },
    reset: () => {
      cpu.reset();
      echoedAtReset = echoed;
      return null;
    },
    sample: () => ({ cpuPct: cpu.read().pct, echoed: echoed - echoedAtReset }),
  });
}

function fmt(s: Spread): string {
  return `${s.p50.toFixed(2)}/${s.p99.toFixed(2)}/${s.max.toFixed(2)}`;
}

const main =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (main && process.argv.includes('--serve')) {
  startServer();
} else if (main) {
  const m = machineInfo();
  const load = startChild<LoadApi>('load', 'load.ts', m.pinned ? 0 : undefined);
  try {
    await ready(load, 'info');
    const c: EchoCeiling = await measureEchoCeiling(load, {
      serverCore: m.pinned ? 1 : undefined,
      sockets: process.env.BENCH_ECHO_SOCKETS === 'one' ? 'one' : 'per-caller',
      log: (l) => console.log(l),
    });
    console.log(
      `UDP echo ceiling: ${c.n} packets per 20 ms (${c.packetsPerSecond} packets/s each way), limited by ${c.limitedBy}`,
    );
    const top = c.steps.filter((s) => s.n === c.n).at(-1);
    if (top)
      console.log(`generator tick lateness p50/p99/max at the ceiling: ${fmt(top.lateness)} ms`);
  } finally {
    await load.stop();
  }
}
