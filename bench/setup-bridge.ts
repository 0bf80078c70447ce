// The bridge side of the call-setup benchmark: answers every call at once and
// hangs up when the caller does. Prints its SIP port, then serves until killed.
import { pino } from 'pino';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { startCallPlane } from '../src/calls/call-plane.ts';

const engine = await startCallPlane({
  sip: { host: '127.0.0.1', port: 0 },
  rtpPorts: { min: 30000, max: 39999 },
  maxCalls: 20_000,
  log: pino({ level: 'silent' }),
});
let digits = 0;
let gcMaxMs = 0;
let gcTotalMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMaxMs = Math.max(gcMaxMs, e.duration);
    gcTotalMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
engine.on('call', (call) => {
  call.on('digit', () => digits++);
  void call.answer();
});
process.stdout.write(`${JSON.stringify({ port: engine.port })}\n`);
process.on('message', (m) => {
  if (m === 'stats') {
    process.send?.({
      digits,
      ...engine.snapshot(),
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
      gcMaxMs,
      gcTotalMs,
    });
    loop.reset();
    gcMaxMs = 0;
    gcTotalMs = 0;
  }
});
process.on('SIGINT', () => process.exit(0));
