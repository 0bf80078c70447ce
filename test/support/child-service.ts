import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../bin/dialbridge-server.js');

export interface ChildService {
  child: ChildProcess;
  url: string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** kill -9, and wait for the process to be gone. */
  kill(): Promise<void>;
}

/**
 * The real service as a child process (`npm start`'s entry point) on a data
 * directory, so a test can kill -9 it and start it again on the same store.
 */
export async function startChildService(
  dataDir: string,
  env: Record<string, string>,
): Promise<ChildService> {
  rmSync(join(dataDir, 'service.json'), { force: true });
  const child = spawn(process.execPath, [BIN], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DIALBRIDGE_DATA_DIR: dataDir,
      DIALBRIDGE_HTTP: '127.0.0.1:0',
      DIALBRIDGE_SIP: '127.0.0.1:0',
      DIALBRIDGE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: 'ignore',
  });
  const end = Date.now() + 60_000;
  while (!existsSync(join(dataDir, 'service.json'))) {
    if (Date.now() > end || child.exitCode !== null) throw new Error('the service did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const { url } = JSON.parse(readFileSync(join(dataDir, 'service.json'), 'utf8')) as {
    url: string;
  };
  const { token } = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
    token: string;
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as any };
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  return { child, url, api, kill };
}
