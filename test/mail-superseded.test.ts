import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';

/**
 * Without SMTP, emails wait in the outbox. A PIN email made obsolete by a
 * newer PIN (or by disabling the user) must never go out, and must not keep
 * a copy of a PIN that no longer works.
 */
describe('superseded PIN emails', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService('pglite');
    await seedDialIn(t, { primary: 'en-US', secondary: [] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const rows = () =>
    t.service.db.query<{ kind: string; state: string; secret: string | null }>(
      'select kind, state, secret from email_outbox order by seq',
    );

  it('a newer PIN supersedes the pending email of the older one, and erases its PIN', async () => {
    const before = await rows();
    expect(before.find((r) => r.kind === 'enabled')).toMatchObject({ state: 'pending' });
    expect(before.find((r) => r.kind === 'enabled')!.secret).toMatch(/^\d+$/);
    const reset = await t.api('POST', '/api/v1/dialin-users/amos.marble%40contoso.com/reset-pin');
    const pin = reset.json.LeaderPin as string;
    const after = await rows();
    expect(after.find((r) => r.kind === 'enabled')).toMatchObject({
      state: 'superseded',
      secret: null,
    });
    expect(after.find((r) => r.kind === 'pin_reset')).toMatchObject({
      state: 'pending',
      secret: pin,
    });
    const listed = await t.api('GET', '/api/v1/outbox?state=superseded');
    expect(listed.status).toBe(200);
    expect(listed.json.map((m: any) => m.kind)).toEqual(['enabled']);
  });

  it('disabling the user supersedes any PIN email still waiting', async () => {
    const r = await t.api('POST', '/api/v1/dialin-users/amos.marble%40contoso.com/disable', {});
    expect(r.status).toBe(200);
    const all = await rows();
    expect(all.every((m) => m.secret === null)).toBe(true);
    expect(all.find((m) => m.kind === 'pin_reset')!.state).toBe('superseded');
    expect(all.at(-1)).toMatchObject({ kind: 'disabled', state: 'pending' });
  });
});
