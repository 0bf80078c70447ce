import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { startTestService, type TestService } from './support/service.ts';

describe('REST API', () => {
  let t: TestService;
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    });
    t = await startTestService('pglite', pino({ level: 'debug' }, sink));
    await t.api('POST', '/api/v1/bridges', { Name: 'Conference Bridge' });
    await t.api('POST', '/api/v1/service-numbers', {
      Identity: '+14255550100',
      Type: 'Toll',
      City: 'Redmond',
      BridgeName: 'Conference Bridge',
    });
    await t.api('POST', '/api/v1/users', {
      UserPrincipalName: 'amos.marble@contoso.com',
      DisplayName: 'Amos Marble',
    });
    await t.api('PATCH', '/api/v1/organization', { name: 'contoso', domain: 'contoso.com' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /healthz without a token', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('refuses every route of the OpenAPI document without a token, with a wrong token, and with wrong Basic credentials', async () => {
    const doc = (await t.api('GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => [m.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x')] as const),
    );
    expect(routes.length).toBeGreaterThan(30);
    for (const extra of ['/openapi.json', '/docs', '/metrics']) routes.push(['GET', extra]);
    for (const [method, path] of routes) {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer dbt_wrong' },
        { authorization: `Basic ${Buffer.from('admin:dbt_wrong').toString('base64')}` },
        { authorization: `Bearer ${t.token}x` },
      ]) {
        const res = await fetch(t.url + path, { method, headers });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      }
    }
  });

  it('serves the OpenAPI document and browsable docs to an administrator (Basic with the token as password too)', async () => {
    const doc = await t.api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/settings',
        '/api/v1/dialin-users/{identity}',
        '/api/v1/service-numbers',
      ]),
    );
    const res = await fetch(`${t.url}/docs/`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${t.token}`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/swagger/i);
  });

  it('takes Basic credentials for reading only: a browser resends them to cross-site forms', async () => {
    const basic = `Basic ${Buffer.from(`admin:${t.token}`).toString('base64')}`;
    const before = await t.api('GET', '/api/v1/settings');
    const read = await fetch(`${t.url}/api/v1/settings`, { headers: { authorization: basic } });
    expect(read.status).toBe(200);
    const change = await fetch(`${t.url}/api/v1/settings`, {
      method: 'PATCH',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ PinLength: 7 }),
    });
    expect(change.status).toBe(403);
    expect(((await change.json()) as any).error).toMatchObject({
      code: 'forbidden',
      field: 'authorization',
    });
    expect((await t.api('GET', '/api/v1/settings')).json).toEqual(before.json);
  });

  it('creates, lists and revokes tokens; only a hash is stored', async () => {
    const created = await t.api('POST', '/api/v1/tokens', { name: 'ci robot' });
    expect(created.status).toBe(201);
    const token = created.json.token as string;
    expect(token).toMatch(/^dbt_/);
    expect((await t.api('GET', '/api/v1/settings', undefined, token)).status).toBe(200);
    const list = await t.api('GET', '/api/v1/tokens');
    expect(JSON.stringify(list.json)).not.toContain(token);
    expect(list.json.map((x: { name: string }) => x.name)).toEqual(
      expect.arrayContaining(['admin', 'ci robot']),
    );
    const robot = list.json.find((x: { name: string }) => x.name === 'ci robot');
    expect(robot.lastUsedAt).not.toBeNull();
    expect(robot.revokedAt).toBeNull();
    const stored = JSON.stringify(await t.service.db.query('select * from api_tokens'));
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(t.token);
    expect((await t.api('DELETE', `/api/v1/tokens/${created.json.id}`)).status).toBe(200);
    expect((await t.api('GET', '/api/v1/settings', undefined, token)).status).toBe(401);
    const bad = await t.api('POST', '/api/v1/tokens', { name: '' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('name');
  });

  it('answers bad input with a 4xx JSON error naming the field, and changes nothing', async () => {
    const cases: [string, string, unknown, number, string][] = [
      ['PATCH', '/api/v1/settings', { PinLength: 20 }, 400, 'PinLength'],
      ['PATCH', '/api/v1/settings', { PinLength: 6, Bogus: 1 }, 400, 'Bogus'],
      ['PATCH', '/api/v1/settings', { SendEmailFromOverride: true }, 400, 'SendEmailFromOverride'],
      [
        'POST',
        '/api/v1/users',
        { UserPrincipalName: 'nope', DisplayName: 'X' },
        400,
        'UserPrincipalName',
      ],
      [
        'POST',
        '/api/v1/users',
        { UserPrincipalName: 'amos.marble@contoso.com', DisplayName: 'X' },
        409,
        'UserPrincipalName',
      ],
      ['GET', '/api/v1/dialin-users/ghost%40contoso.com', undefined, 404, 'Identity'],
      [
        'POST',
        '/api/v1/service-numbers',
        { Identity: '+1 555', Type: 'Toll', City: 'X' },
        400,
        'Identity',
      ],
      [
        'POST',
        '/api/v1/service-numbers',
        { Identity: '+14255550111', Type: 'Premium', City: 'X' },
        400,
        'Type',
      ],
      [
        'POST',
        '/api/v1/licenses',
        { UserPrincipalName: ['amos.marble@contoso.com'], AddLicenses: ['contoso:E5'] },
        400,
        'AddLicenses',
      ],
      [
        'PATCH',
        '/api/v1/bridges/Conference%20Bridge',
        { DefaultServiceNumber: '+18005550100' },
        400,
        'DefaultServiceNumber',
      ],
      [
        'PATCH',
        '/api/v1/service-numbers/%2B14255550100',
        { SecondaryLanguages: ['en-US'] },
        400,
        'SecondaryLanguages',
      ],
    ];
    const settingsBefore = (await t.api('GET', '/api/v1/settings')).json;
    for (const [method, path, body, status, field] of cases) {
      const r = await t.api(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(status);
      expect(r.json.error.field, `${method} ${path}`).toBe(field);
      expect(r.json.error.message).toContain(field);
    }
    expect((await t.api('GET', '/api/v1/settings')).json).toEqual(settingsBefore);
    expect((await t.api('GET', '/api/v1/users/amos.marble%40contoso.com')).json.IsLicensed).toBe(
      false,
    );
    const malformed = await fetch(`${t.url}/api/v1/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: '{"PinLength":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(
      /JSON/i,
    );
  });

  it('shows a reset PIN in exactly one reply; never in listings, the store, the audit log or the logs', async () => {
    // 12-digit PINs, so a chance match inside timestamps or IDs is out of the question.
    expect((await t.api('PATCH', '/api/v1/settings', { PinLength: 12 })).status).toBe(200);
    const lic = await t.api('POST', '/api/v1/licenses', {
      UserPrincipalName: ['amos.marble@contoso.com'],
      AddLicenses: ['contoso:MCOMEETADV'],
    });
    expect(lic.status).toBe(200);
    const firstPin = lic.json[0].dialIn.LeaderPin as string;
    expect(firstPin).toMatch(/^\d{12}$/);
    const reset = await t.api('POST', '/api/v1/dialin-users/amos.marble%40contoso.com/reset-pin');
    expect(reset.status).toBe(200);
    const pin = reset.json.LeaderPin as string;
    expect(pin).toMatch(/^\d{12}$/);
    const views = [
      await t.api('GET', '/api/v1/dialin-users'),
      await t.api('GET', '/api/v1/dialin-users/Amos%20Marble'),
      await t.api('GET', '/api/v1/users'),
      await t.api('GET', '/api/v1/audit?limit=1000'),
    ];
    for (const v of views) {
      expect(JSON.stringify(v.json)).not.toContain(pin);
    }
    expect(views[1]!.json.LeaderPin).toBe('*****');
    const tables = ['users', 'audit_log', 'conference_ids', 'org_settings'];
    for (const table of tables) {
      const dump = JSON.stringify(await t.service.db.query(`select * from ${table}`));
      expect(dump, table).not.toContain(pin);
      expect(dump, table).not.toContain(firstPin);
    }
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(pin);
    expect(logs).not.toContain(firstPin);
  });

  it('resets a conference ID; the old one is released at once', async () => {
    const before = (await t.api('GET', '/api/v1/dialin-users/amos.marble%40contoso.com')).json
      .ConferenceId as string;
    const r = await t.api(
      'POST',
      '/api/v1/dialin-users/amos.marble%40contoso.com/reset-conference-id',
    );
    expect(r.status).toBe(200);
    expect(r.json.ConferenceId).toMatch(/^[1-9]\d{6}$/);
    expect(r.json.ConferenceId).not.toBe(before);
    const [row] = await t.service.db.query<{ state: string }>(
      'select state from conference_ids where id = $1',
      [before],
    );
    expect(row!.state).toBe('quarantined');
  });

  it('adds an organization whose first token manages only that organization', async () => {
    const created = await t.api('POST', '/api/v1/organizations', {
      name: 'fabrikam',
      domain: 'fabrikam.com',
    });
    expect(created.status).toBe(201);
    const token = created.json.token as string;
    const own = await t.api('GET', '/api/v1/users', undefined, token);
    expect(own.status).toBe(200);
    expect(own.json).toEqual([]);
    expect((await t.api('GET', '/api/v1/organization', undefined, token)).json.name).toBe(
      'fabrikam',
    );
    const refused = await t.api('POST', '/api/v1/organizations', { name: 'tailspin' }, token);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');
    expect(
      (await t.api('GET', '/api/v1/organizations')).json.map((o: { name: string }) => o.name),
    ).toEqual(['contoso', 'fabrikam']);
  });

  it('exposes Prometheus metrics for requests and errors', async () => {
    const res = await fetch(`${t.url}/metrics`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toMatch(
      /dialbridge_http_requests_total\{method="PATCH",route="\/api\/v1\/settings",status="400"\} \d+/,
    );
    expect(text).toMatch(/dialbridge_errors_total\{kind="validation"\} \d+/);
    expect(text).toMatch(/dialbridge_errors_total\{kind="unauthorized"\} \d+/);
  });
});
