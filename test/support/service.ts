import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startService, type RunningService } from '../../src/service.ts';
import { freshDatabaseUrl, type StoreKind } from './stores.ts';

const BIN = join(import.meta.dirname, '../../bin/dialbridge.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestService {
  service: RunningService;
  url: string;
  token: string;
  dataDir: string;
  /** Runs the real `dialbridge` command (a child process) against this service. */
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** The same, as JSON (--json); fails the test on a non-zero exit. */
  cliJson<T = Record<string, unknown>>(args: string[]): Promise<T>;
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** The real service, in this process, on a free port, with its own data directory and store. */
export async function startTestService(
  kind: StoreKind,
  log: Logger = pino({ level: 'silent' }),
  env: Record<string, string> = {},
): Promise<TestService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialbridge-test-'));
  const config = loadConfig({
    DIALBRIDGE_DATA_DIR: dataDir,
    DIALBRIDGE_HTTP: '127.0.0.1:0',
    DIALBRIDGE_SIP: '127.0.0.1:0',
    DATABASE_URL: kind === 'postgres' ? await freshDatabaseUrl() : '',
    ...env,
  });
  const service = await startService(config, log);
  const token = service.firstToken!;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<CliResult>((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        {
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            DIALBRIDGE_URL: service.url,
            DIALBRIDGE_TOKEN: token,
            ...env,
          },
          timeout: 30_000,
        },
        (err, stdout, stderr) =>
          resolve({
            code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
            stdout,
            stderr,
          }),
      );
    });
  return {
    service,
    url: service.url,
    token,
    dataDir,
    cli,
    async cliJson<T>(args: string[]) {
      const r = await cli(['--json', ...args]);
      if (r.code !== 0)
        throw new Error(`dialbridge ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    async api(method, path, body, tok = token) {
      const res = await fetch(service.url + path, {
        method,
        headers: {
          authorization: `Bearer ${tok}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
