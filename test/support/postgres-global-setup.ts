import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * The store suite runs on real PostgreSQL as well as PGlite. When
 * DIALBRIDGE_TEST_DATABASE_URL names a server, tests use it; otherwise this
 * starts a throwaway cluster from Debian's postgresql package (as the
 * `postgres` user when running as root, since the server refuses root).
 * A missing PostgreSQL is an error, never a silent skip.
 */
let server: ChildProcess | undefined;
let dir: string | undefined;
let stop: (() => void) | undefined;

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) {
    throw new Error(
      'PostgreSQL is not installed (apt-get install postgresql) and DIALBRIDGE_TEST_DATABASE_URL is not set',
    );
  }
  const version = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  return join(base, version!, 'bin');
}

export default async function setup(project: TestProject): Promise<() => void> {
  let url = process.env.DIALBRIDGE_TEST_DATABASE_URL;
  if (!url) {
    const bin = pgBin();
    dir = mkdtempSync(join(tmpdir(), 'dialbridge-pg-'));
    chmodSync(dir, 0o777);
    const asRoot = process.getuid?.() === 0;
    const run = (cmd: string, args: string[]) =>
      (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]) as [
        string,
        string[],
      ];
    const port = 20000 + Math.floor(Math.random() * 20000);
    const [initCmd, initArgs] = run(join(bin, 'initdb'), [
      '-D',
      join(dir, 'data'),
      '-A',
      'trust',
      '-U',
      'dialbridge',
      '--no-sync',
    ]);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);
    const [pgCmd, pgArgs] = run(join(bin, 'postgres'), [
      '-D',
      join(dir, 'data'),
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ]);
    server = spawn(pgCmd, pgArgs, { stdio: 'ignore' });
    server.unref();
    const [stopCmd, stopArgs] = run(join(bin, 'pg_ctl'), [
      '-D',
      join(dir, 'data'),
      'stop',
      '-m',
      'immediate',
    ]);
    stop = () => spawnSync(stopCmd, stopArgs);
    url = `postgres://dialbridge@127.0.0.1:${port}/postgres`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]);
      if (ready.status === 0) break;
      if (Date.now() > deadline) throw new Error('PostgreSQL did not start within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  project.provide('postgresUrl', url);
  return () => {
    stop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
