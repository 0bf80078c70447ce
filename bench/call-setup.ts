// Call-setup benchmark: SIPp places calls at rising rates against the bridge on
// one core; each call is answered, sends a keypad digit (SIP INFO) and hangs up.
// Reports INVITE→200 OK latency p50/p99/max, failed calls and bridge CPU per rate.
import { fork, execFile } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem, release } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SCENARIO = join(ROOT, 'test/fixtures/sipp/uac-setup.xml');
const RATES = (process.env.BENCH_RATES ?? '100,200,300,400,600,800').split(',').map(Number);
const SECONDS = 5;

interface Row {
  rate: number;
  calls: number;
  failed: number;
  achievedCps: number;
  p50: number;
  p99: number;
  max: number;
  bridgeCpu: number;
  digits: number;
  meetsBar: boolean;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
}

async function main(): Promise<void> {
  if (!existsSync('/usr/bin/sipp'))
    throw new Error('SIPp is not installed: apt-get install sip-tester');
  const pin = existsSync('/usr/bin/taskset');
  const bridge = fork(join(ROOT, 'bench/setup-bridge.ts'), [], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_BRIDGE_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  if (pin && bridge.pid)
    await new Promise((r) => execFile('taskset', ['-cp', '1', String(bridge.pid)], r));
  const port = await new Promise<number>((resolve) => {
    bridge.stdout!.once('data', (d) => resolve((JSON.parse(String(d)) as { port: number }).port));
  });
  const stats = () =>
    new Promise<{
      digits: number;
      loopP99Ms: number;
      loopMaxMs: number;
      gcMaxMs: number;
      gcTotalMs: number;
    }>((resolve) => {
      bridge.once('message', (m) =>
        resolve(
          m as {
            digits: number;
            loopP99Ms: number;
            loopMaxMs: number;
            gcMaxMs: number;
            gcTotalMs: number;
          },
        ),
      );
      bridge.send('stats');
    });

  const rows: Row[] = [];
  for (const rate of RATES) {
    const dir = mkdtempSync(join(tmpdir(), 'sipp-setup-'));
    const calls = rate * SECONDS;
    const before = cpuTicks(bridge.pid!);
    const digitsBefore = (await stats()).digits;
    const started = Date.now();
    const args = [
      '-sf',
      SCENARIO,
      '-s',
      '14255550100',
      '-r',
      String(rate),
      '-m',
      String(calls),
      '-l',
      String(rate * 2),
      '-i',
      '127.0.0.1',
      '-p',
      String(41000 + (rate % 1000)),
      '-mp',
      '42000',
      '-nostdin',
      '-timeout',
      `${SECONDS * 4}s`,
      '-trace_rtt',
      '-rtt_freq',
      '1',
      '-max_socket',
      '2000',
      `127.0.0.1:${port}`,
    ];
    const cmd = pin ? 'taskset' : 'sipp';
    const code = await new Promise<number>((resolve) =>
      execFile(
        cmd,
        pin ? ['-c', '0', 'sipp', ...args] : args,
        { cwd: dir, timeout: SECONDS * 8000 },
        (err) => resolve(err ? (typeof err.code === 'number' ? err.code : 1) : 0),
      ),
    );
    const elapsed = (Date.now() - started) / 1000;
    const cpu = (cpuTicks(bridge.pid!) - before) / 100 / elapsed;
    const rttFile = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
    const times = rttFile
      ? readFileSync(join(dir, rttFile), 'utf8')
          .split('\n')
          .slice(1)
          .map((l) => Number(l.split(';')[1]))
          .filter((x) => Number.isFinite(x))
          .sort((a, b) => a - b)
      : [];
    const after = await stats();
    const digits = after.digits - digitsBefore;
    process.stdout.write(
      `  bridge event-loop delay p99 ${after.loopP99Ms.toFixed(1)} ms, max ${after.loopMaxMs.toFixed(1)} ms; GC longest ${after.gcMaxMs.toFixed(1)} ms, total ${after.gcTotalMs.toFixed(0)} ms\n`,
    );
    rmSync(dir, { recursive: true, force: true });
    const failed = calls - Math.min(calls, digits) + (code === 0 ? 0 : 0);
    const row: Row = {
      rate,
      calls,
      failed: code === 0 ? Math.max(0, failed) : Math.max(1, failed),
      achievedCps: Math.round(calls / elapsed),
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      max: times.at(-1) ?? NaN,
      bridgeCpu: Math.round(cpu * 1000) / 10,
      digits,
      meetsBar: false,
    };
    row.meetsBar = row.failed === 0 && row.p99 < 20;
    rows.push(row);
    process.stdout.write(
      `rate ${rate}/s: ${row.calls} calls, failed ${row.failed}, INVITE→200 p50 ${row.p50} ms p99 ${row.p99} ms max ${row.max} ms, bridge CPU ${row.bridgeCpu}%\n`,
    );
    if (!row.meetsBar) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  bridge.kill('SIGINT');

  const best = rows.filter((r) => r.meetsBar).at(-1);
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    pinned: pin,
  };
  const result = {
    date: new Date().toISOString(),
    machine,
    scenario: 'INVITE→200→ACK→INFO(5)→BYE',
    seconds: SECONDS,
    rows,
    maxPassingRate: best?.rate ?? 0,
    bar: '≥ 300 calls/s, p99 INVITE→200 < 20 ms, no failed call',
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/call-setup.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const md = [
    '# Call setup',
    '',
    `Measured ${result.date} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), Node ${machine.node}, Linux ${machine.kernel}; bridge pinned to core 1, SIPp to core 0: ${pin}.`,
    '',
    `Each call: ${result.scenario}. ${SECONDS} s per rate; rising until a call fails or p99 ≥ 20 ms.`,
    '',
    '| offered calls/s | calls | failed | achieved calls/s | INVITE→200 p50 ms | p99 ms | max ms | bridge CPU % | meets bar |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.rate} | ${r.calls} | ${r.failed} | ${r.achievedCps} | ${r.p50} | ${r.p99} | ${r.max} | ${r.bridgeCpu} | ${r.meetsBar ? 'yes' : 'no'} |`,
    ),
    '',
    `Highest rate meeting the bar (${result.bar}): **${result.maxPassingRate} calls/s**.`,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/call-setup.md'), md);
  process.stdout.write(`\n${md}`);
}

await main();
