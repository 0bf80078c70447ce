import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { startService } from '../src/service.ts';

const quiet = pino({ level: 'silent' });
const config = (dataDir: string) =>
  loadConfig({
    DIALBRIDGE_DATA_DIR: dataDir,
    DIALBRIDGE_HTTP: '127.0.0.1:0',
    DIALBRIDGE_SIP: '127.0.0.1:0',
  });

async function get(url: string, token: string, path: string) {
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as any };
}

describe('operations on the embedded store', () => {
  it('keeps its state across restarts, and a copy of the stopped data directory restores it (docs/operations.md)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialbridge-ops-'));
    const restored = mkdtempSync(join(tmpdir(), 'dialbridge-restore-'));
    try {
      const first = await startService(config(dir), quiet);
      const token = first.firstToken!;
      expect(token).toMatch(/^dbt_/);
      expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
      const created = await fetch(`${first.url}/api/v1/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          UserPrincipalName: 'amos.marble@contoso.com',
          DisplayName: 'Amos Marble',
        }),
      });
      expect(created.status).toBe(201);
      await first.close();

      // A restart finds everything, and makes no second token.
      const again = await startService(config(dir), quiet);
      expect(again.firstToken).toBeUndefined();
      expect((await get(again.url, token, '/api/v1/users')).json).toHaveLength(1);
      await again.close();

      // Back up = copy the stopped store; restore = start on the copy.
      cpSync(join(dir, 'pglite'), join(restored, 'pglite'), { recursive: true });
      const back = await startService(config(restored), quiet);
      expect(back.firstToken).toBeUndefined();
      expect(existsSync(join(restored, 'credentials.json'))).toBe(false);
      const users = await get(back.url, token, '/api/v1/users');
      expect(users.status).toBe(200);
      expect(users.json.map((u: { UserPrincipalName: string }) => u.UserPrincipalName)).toEqual([
        'amos.marble@contoso.com',
      ]);
      await back.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(restored, { recursive: true, force: true });
    }
  });
});
