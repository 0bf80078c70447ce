import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const ROOT = join(import.meta.dirname, '../..');
const WEB_SRC = join(ROOT, 'web/src');
const WEB_INDEX = join(ROOT, 'web/dist/index.html');
const LOCK = join(ROOT, 'web/.build-lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds web/dist when a source is newer than the bundle, so browser tests
 * exercise the code on disk. A lock directory keeps two test files from
 * building into the same folder at once.
 */
export async function ensureWebBuilt(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a run that was killed mid-build is stale after two minutes.
      const lock = statSync(LOCK, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > 120_000)
        rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`stale build lock ${LOCK}: remove it`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const built = existsSync(WEB_INDEX) ? statSync(WEB_INDEX).mtimeMs : 0;
    if (newestSource(WEB_SRC) <= built) return;
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts'],
        { cwd: ROOT, timeout: 60_000 },
        (err, _stdout, stderr) =>
          err ? reject(new Error(`web build failed: ${stderr}`)) : resolve(),
      ),
    );
  } finally {
    rmdirSync(LOCK);
  }
}

/**
 * Signs a page in through the admin center's own form, with an administrator
 * token (or a username and password), and waits for the app shell.
 */
export async function signIn(
  page: Page,
  baseUrl: string,
  creds: { token: string } | { username: string; password: string },
  path = '/users',
): Promise<void> {
  await page.goto(baseUrl + path);
  await page.getByRole('heading', { name: 'Sign in to the admin center' }).waitFor();
  if ('token' in creds) {
    await page.getByRole('radio', { name: 'Administrator token' }).check();
    await page.getByLabel('Token', { exact: true }).fill(creds.token);
  } else {
    await page.getByLabel('Username', { exact: true }).fill(creds.username);
    await page.getByLabel('Password', { exact: true }).fill(creds.password);
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Dial-in conferencing' }).waitFor();
}
