import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export const SIPP_SCENARIOS = join(import.meta.dirname, '../fixtures/sipp');

/** Free-ish port pairs for SIPp's SIP and media sockets, distinct per call of this helper. */
let nextPort = 40000 + Math.floor(Math.random() * 5000) * 2;

export interface SippResult {
  code: number;
  errors: string;
  output: string;
}

/**
 * Runs Debian's SIPp (package sip-tester) against a local SIP port. SIPp
 * missing is a test failure, never a skip: CI installs it.
 */
export function runSipp(
  scenario: string,
  target: number,
  opts: {
    service?: string;
    calls?: number;
    rate?: number;
    timeoutS?: number;
    /** More SIPp options, e.g. ['-rtp_echo']. */
    extra?: string[];
  } = {},
): Promise<SippResult> {
  if (!existsSync('/usr/bin/sipp'))
    throw new Error('SIPp is not installed: apt-get install sip-tester');
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const sipPort = nextPort++;
  const mediaPort = (nextPort += 4);
  const errorFile = join(dir, 'errors.log');
  const args = [
    '-sf',
    isAbsolute(scenario) ? scenario : join(SIPP_SCENARIOS, scenario),
    '-s',
    opts.service ?? '14255550100',
    '-m',
    String(opts.calls ?? 1),
    '-r',
    String(opts.rate ?? 10),
    '-l',
    String(opts.calls ?? 1),
    '-i',
    '127.0.0.1',
    '-p',
    String(sipPort),
    '-mp',
    String(mediaPort),
    '-nostdin',
    '-timeout',
    `${opts.timeoutS ?? 20}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    errorFile,
    ...(opts.extra ?? []),
    `127.0.0.1:${target}`,
  ];
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/sipp',
      args,
      { cwd: dir, timeout: ((opts.timeoutS ?? 20) + 10) * 1000 },
      (err, stdout, stderr) => {
        const errors = existsSync(errorFile) ? readFileSync(errorFile, 'utf8') : '';
        rmSync(dir, { recursive: true, force: true });
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          errors,
          output: stdout + stderr,
        });
      },
    );
  });
}
