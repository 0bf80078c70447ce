import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';
import { STORES } from './support/stores.ts';

/**
 * The third-party provider wizard through the real service (API and CLI), on
 * both stores: export, import with a preview, every bad row reported with its
 * line, all or nothing, resumable jobs, progress on a large file.
 */
const HEADER =
  'Identity,DisplayName,Email,Provider,Domain,TollNumber,TollFreeNumbers,ParticipantPasscode,Url';

describe.each(STORES)('provider CSV wizard (%s)', (kind) => {
  let t: TestService;
  let dir: string;

  /** The API with a raw body (CSV) and the raw reply. */
  const send = async (method: string, path: string, csv?: string) => {
    const res = await fetch(t.url + path, {
      method,
      headers: {
        authorization: `Bearer ${t.token}`,
        ...(csv === undefined ? {} : { 'content-type': 'text/csv' }),
      },
      body: csv,
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await t.api(method, path, body);
    if (r.status >= 300)
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const acpOf = (upn: string) => t.api('GET', `/api/v1/users/${encodeURIComponent(upn)}/acp`);
  const auditCount = async () =>
    Number((await t.service.db.query<{ n: string }>(`select count(*) as n from audit_log`))[0]!.n);
  const until = async (id: string, leave: string) => {
    const seen: number[] = [];
    for (let i = 0; i < 600; i++) {
      const r = await send('GET', `/api/v1/provider-csv/imports/${id}?preview=false`);
      expect(r.status).toBe(200);
      seen.push(r.json.processed);
      if (r.json.state !== leave) return { job: r.json, seen };
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`import ${id} stayed ${leave}`);
  };

  beforeAll(async () => {
    t = await startTestService(kind);
    dir = mkdtempSync(join(tmpdir(), 'provider-csv-'));
    // Amos is licensed: he uses the built-in bridge.
    await seedDialIn(t, { primary: 'en-US', secondary: [] });
    for (const [upn, name] of [
      ['alex.wilber@contoso.com', 'Alex Wilber'],
      ['bea.lee@contoso.com', 'Lee, Bea'],
      ['cy.ng@contoso.com', 'Cy Ng'],
      ['dee.ray@contoso.com', 'Dee Ray'],
    ]) {
      await ok('POST', '/api/v1/users', { UserPrincipalName: upn, DisplayName: name });
    }
    await ok('PUT', '/api/v1/users/bea.lee%40contoso.com/acp', {
      Name: 'Acme Audio',
      Domain: 'acme.example',
      TollNumber: '+14255550199',
      TollFreeNumbers: ['+18005550100'],
      ParticipantPasscode: '445566',
    });
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exports the chosen users, or all, with their current provider fields', async () => {
    const r = await fetch(`${t.url}/api/v1/provider-csv/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ identities: ['bea.lee@contoso.com', 'Alex Wilber'] }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toMatch(
      /^attachment; filename="provider-export-.*\.csv"$/,
    );
    const text = await r.text();
    expect(text.split('\r\n')[0]).toBe(HEADER);
    expect(parse(text, { columns: true })).toEqual([
      {
        Identity: 'alex.wilber@contoso.com',
        DisplayName: 'Alex Wilber',
        Email: 'alex.wilber@contoso.com',
        Provider: '',
        Domain: '',
        TollNumber: '',
        TollFreeNumbers: '',
        ParticipantPasscode: '',
        Url: '',
      },
      {
        Identity: 'bea.lee@contoso.com',
        DisplayName: 'Lee, Bea',
        Email: 'bea.lee@contoso.com',
        Provider: 'Acme Audio',
        Domain: 'acme.example',
        // Cells starting with + (or = - @) are made inert for spreadsheets; the import takes the ' off.
        TollNumber: "'+14255550199",
        TollFreeNumbers: "'+18005550100",
        ParticipantPasscode: '445566',
        Url: '',
      },
    ]);
    // The file as exported imports back as it is: the same numbers, nothing changes.
    const back = await send(
      'POST',
      '/api/v1/provider-csv/imports',
      text
        .split('\r\n')
        .filter((l) => !l.startsWith('alex.'))
        .join('\r\n'),
    );
    expect(back.status).toBe(201);
    expect(back.json).toMatchObject({
      state: 'validated',
      summary: { rows: 1, changes: 0, unchanged: 1, badRows: 0 },
    });
    expect(back.json.preview).toEqual([
      { line: 2, identity: 'bea.lee@contoso.com', displayName: 'Lee, Bea', changes: [] },
    ]);
  });

  it('exports every user without a list, and refuses unknown users by name', async () => {
    const res = await fetch(`${t.url}/api/v1/provider-csv/export`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.Identity)).toEqual([
      'alex.wilber@contoso.com',
      'amos.marble@contoso.com',
      'bea.lee@contoso.com',
      'cy.ng@contoso.com',
      'dee.ray@contoso.com',
    ]);
    const bad = await t.api('POST', '/api/v1/provider-csv/export', {
      identities: ['alex.wilber@contoso.com', 'nobody@contoso.com'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/nobody@contoso.com/);
  });

  it('a good file: the dry run previews every change and writes nothing; apply writes it all, once', async () => {
    const csv = [
      HEADER,
      'alex.wilber@contoso.com,Alex Wilber,alex.wilber@contoso.com,Acme Audio,acme.example,+1 (425) 555-0199,+18005550100;+18885550100,1234567,https://acme.example/alex',
      'bea.lee@contoso.com,"Lee, Bea",bea.lee@contoso.com,Acme Audio,acme.example,+14255550199,+18005550100,998877,',
      '',
    ].join('\r\n');
    const before = await auditCount();
    const up = await send('POST', '/api/v1/provider-csv/imports?fileName=acme.csv', csv);
    expect(up.status).toBe(201);
    const job = up.json;
    expect(job).toMatchObject({
      state: 'validated',
      total: 2,
      processed: 2,
      errors: [],
      fileName: 'acme.csv',
    });
    expect(job.summary).toEqual({ rows: 2, changes: 2, unchanged: 0, badRows: 0 });
    expect(job.preview).toEqual([
      {
        line: 2,
        identity: 'alex.wilber@contoso.com',
        displayName: 'Alex Wilber',
        changes: [
          { field: 'DialInProvider', old: 'None', new: 'ThirdParty' },
          { field: 'Provider', old: null, new: 'Acme Audio' },
          { field: 'Domain', old: null, new: 'acme.example' },
          { field: 'TollNumber', old: null, new: '+14255550199' },
          { field: 'TollFreeNumbers', old: [], new: ['+18005550100', '+18885550100'] },
          { field: 'ParticipantPasscode', old: null, new: '1234567' },
          { field: 'Url', old: null, new: 'https://acme.example/alex' },
        ],
      },
      {
        line: 3,
        identity: 'bea.lee@contoso.com',
        displayName: 'Lee, Bea',
        changes: [{ field: 'ParticipantPasscode', old: '445566', new: '998877' }],
      },
    ]);
    // Nothing written yet.
    expect((await acpOf('alex.wilber@contoso.com')).status).toBe(404);
    expect((await acpOf('bea.lee@contoso.com')).json.ParticipantPasscode).toBe('445566');
    expect(await auditCount()).toBe(before);

    const applied = await send('POST', `/api/v1/provider-csv/imports/${job.id}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.json).toMatchObject({ state: 'applied', changedUsers: 2, processed: 2 });
    expect((await acpOf('alex.wilber@contoso.com')).json).toEqual({
      Identity: 'alex.wilber@contoso.com',
      Name: 'Acme Audio',
      Domain: 'acme.example',
      TollNumber: '+14255550199',
      TollFreeNumbers: ['+18005550100', '+18885550100'],
      ParticipantPasscode: '1234567',
      Url: 'https://acme.example/alex',
    });
    expect((await acpOf('bea.lee@contoso.com')).json.ParticipantPasscode).toBe('998877');
    const alex = await ok('GET', '/api/v1/users/alex.wilber%40contoso.com');
    expect(alex.DialInProvider).toBe('ThirdParty');
    // Audited like every change: who, what, old and new.
    const log = await ok('GET', '/api/v1/audit?limit=50');
    expect(log).toContainEqual(
      expect.objectContaining({
        action: 'acp.import',
        target: 'bea.lee@contoso.com',
        field: 'ParticipantPasscode',
        oldValue: '445566',
        newValue: '998877',
      }),
    );
    expect(log).toContainEqual(
      expect.objectContaining({ action: 'provider-import.apply', target: job.id, newValue: '2' }),
    );
    // Applying again is a no-op.
    const count = await auditCount();
    const again = await send('POST', `/api/v1/provider-csv/imports/${job.id}/apply`);
    expect(again.status).toBe(200);
    expect(again.json.state).toBe('applied');
    expect(await auditCount()).toBe(count);
    const listed = await ok('GET', '/api/v1/provider-csv/imports');
    expect(listed[0]).toMatchObject({ id: job.id, state: 'applied' });
  });

  it('a bad file: every bad row with its line and reason, nothing written, cannot be applied', async () => {
    const before = await auditCount();
    const csv = [
      HEADER,
      'cy.ng@contoso.com,Cy Ng,,Acme Audio,,+14255550199,,111,', // 2: good
      'ghost@contoso.com,,,Acme Audio,,+14255550199,,222,', // 3: unknown user
      'dee.ray@contoso.com,Dee Ray,,Acme Audio,,+14255550199,,,', // 4: no passcode
      '', // 5: blank, skipped but counted
      'alex.wilber@contoso.com,,,Acme Audio,,555-CALL-NOW,,333,', // 6: bad number
      'cy.ng@contoso.com,,,Acme Audio,,+14255550199,,444,', // 7: duplicate
      'amos.marble@contoso.com,,,Acme Audio,,+14255550199,,555,', // 8: built-in bridge
    ].join('\n');
    const r = await send('POST', '/api/v1/provider-csv/imports', csv);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'validation', field: 'file' });
    expect(r.json.error.message).toMatch(/5 rows have errors/);
    const errors = r.json.error.errors as {
      line: number;
      column: string;
      identity: string;
      message: string;
    }[];
    expect(errors.map((e) => [e.line, e.column, e.identity])).toEqual([
      [3, 'Identity', 'ghost@contoso.com'],
      [4, 'ParticipantPasscode', 'dee.ray@contoso.com'],
      [6, 'TollNumber', 'alex.wilber@contoso.com'],
      [7, 'Identity', 'cy.ng@contoso.com'],
      [8, 'Identity', 'amos.marble@contoso.com'],
    ]);
    expect(errors[0]!.message).toMatch(/no user 'ghost@contoso.com'/);
    expect(errors[1]!.message).toMatch(/ParticipantPasscode is required/);
    expect(errors[2]!.message).toMatch(/TollNumber must be a phone number.*555-CALL-NOW/);
    expect(errors[3]!.message).toMatch(/appears again: it is already on line 2/);
    expect(errors[4]!.message).toMatch(/built-in bridge/);
    const job = r.json.job;
    expect(job).toMatchObject({ state: 'invalid', total: 6, summary: { badRows: 5 } });
    // Nothing written: the good row's user is untouched, no audit entries.
    expect((await acpOf('cy.ng@contoso.com')).status).toBe(404);
    expect((await acpOf('alex.wilber@contoso.com')).json.TollNumber).toBe('+14255550199');
    expect(await auditCount()).toBe(before);
    const apply = await send('POST', `/api/v1/provider-csv/imports/${job.id}/apply`);
    expect(apply.status).toBe(409);
    expect((await acpOf('cy.ng@contoso.com')).status).toBe(404);
    const got = await send('GET', `/api/v1/provider-csv/imports/${job.id}`);
    expect(got.json.state).toBe('invalid');
    expect(got.json.errors).toHaveLength(5);
  });

  it('a file whose header is wrong is one clear error', async () => {
    const r = await send('POST', '/api/v1/provider-csv/imports', 'Identity,Name,Phone\na,b,c\n');
    expect(r.status).toBe(400);
    expect(r.json.error.errors).toEqual([
      {
        line: 1,
        message: expect.stringMatching(
          /missing required columns Provider, TollNumber, ParticipantPasscode; unknown columns Name, Phone/,
        ),
      },
    ]);
  });

  it('all or nothing at apply time; a failed or interrupted apply can be run again', async () => {
    const csv = [
      'Identity,Provider,TollNumber,ParticipantPasscode',
      'cy.ng@contoso.com,Globex,+442071838750,777',
      'dee.ray@contoso.com,Globex,+442071838750,888',
    ].join('\n');
    const up = await send('POST', '/api/v1/provider-csv/imports', csv);
    expect(up.status).toBe(201);
    // Dee gets the conferencing license after the check: she is on the built-in bridge now.
    await ok('POST', '/api/v1/licenses', {
      UserPrincipalName: ['dee.ray@contoso.com'],
      AddLicenses: ['contoso:MCOMEETADV'],
    });
    const before = await auditCount();
    const failed = await send('POST', `/api/v1/provider-csv/imports/${up.json.id}/apply`);
    expect(failed.status).toBe(409);
    expect(failed.json.job.state).toBe('failed');
    expect(failed.json.error.message).toMatch(
      /1 row can no longer be applied.*nothing was written/,
    );
    expect(failed.json.error.errors).toEqual([
      expect.objectContaining({
        line: 3,
        identity: 'dee.ray@contoso.com',
        message: expect.stringMatching(/built-in bridge/),
      }),
    ]);
    // Cy, whose row was fine, was not written either.
    expect((await acpOf('cy.ng@contoso.com')).status).toBe(404);
    expect(await auditCount()).toBe(before);

    // Dee leaves the built-in bridge; the same job applies now.
    await ok('POST', '/api/v1/licenses', {
      UserPrincipalName: ['dee.ray@contoso.com'],
      RemoveLicenses: ['contoso:MCOMEETADV'],
    });
    const user = await ok('GET', '/api/v1/users/dee.ray%40contoso.com');
    expect(user.DialInProvider).toBe('None');
    // As if a node died while applying: the job says "applying" and no one runs it.
    await t.service.db.query(`update provider_imports set state = 'applying' where id = $1`, [
      up.json.id,
    ]);
    const resumed = await send('POST', `/api/v1/provider-csv/imports/${up.json.id}/apply`);
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ state: 'applied', changedUsers: 2 });
    expect((await acpOf('cy.ng@contoso.com')).json).toMatchObject({
      Name: 'Globex',
      TollNumber: '+442071838750',
    });
    expect((await acpOf('dee.ray@contoso.com')).json.ParticipantPasscode).toBe('888');
  });

  it('a check whose node went away is resumed from the stored file', async () => {
    const csv =
      'Identity,Provider,TollNumber,ParticipantPasscode\ncy.ng@contoso.com,Globex,+442071838750,999\n';
    const up = await send('POST', '/api/v1/provider-csv/imports?wait=false', csv);
    expect(up.status).toBe(202);
    await until(up.json.id, 'validating');
    // As if the node checking it died half-way, a minute ago.
    await t.service.db.query(
      `update provider_imports set state = 'validating', processed = 0, preview = '[]', plan = '[]',
         updated_at = now() - interval '1 minute' where id = $1`,
      [up.json.id],
    );
    const resumed = await until(up.json.id, 'validating');
    expect(resumed.job).toMatchObject({
      state: 'validated',
      processed: 1,
      summary: { changes: 1 },
    });
    const applied = await send('POST', `/api/v1/provider-csv/imports/${up.json.id}/apply`);
    expect(applied.json.state).toBe('applied');
    expect((await acpOf('cy.ng@contoso.com')).json.ParticipantPasscode).toBe('999');
  });

  it('a large file (5,000 rows) shows progress while it is checked and applied', async () => {
    const [org] = await t.service.db.query<{ id: string }>('select id from organizations');
    await t.service.db.query(
      `insert into users (id, org_id, upn, display_name, email, sip_address)
       select 'bulk-' || i, $1, 'bulk' || i || '@contoso.com', 'Bulk ' || i, 'bulk' || i || '@contoso.com',
         'sip:bulk' || i || '@contoso.com' from generate_series(1, 5000) as i`,
      [org!.id],
    );
    const lines = [HEADER];
    for (let i = 1; i <= 5000; i++) {
      lines.push(
        `bulk${i}@contoso.com,Bulk ${i},,Initech,initech.example,+14255550${String(100 + (i % 800)).padStart(3, '0')},+18005550100,${100000 + i},`,
      );
    }
    const up = await send(
      'POST',
      '/api/v1/provider-csv/imports?wait=false&fileName=big.csv',
      lines.join('\n'),
    );
    expect(up.status).toBe(202);
    expect(up.json).toMatchObject({ state: 'validating', total: 5000, processed: 0 });
    const checked = await until(up.json.id, 'validating');
    expect(checked.job).toMatchObject({
      state: 'validated',
      processed: 5000,
      summary: { changes: 5000, badRows: 0 },
    });
    // Progress was seen on the way, and only moves forward.
    expect(checked.seen.some((n) => n > 0 && n < 5000)).toBe(true);
    expect(checked.seen).toEqual([...checked.seen].sort((a, b) => a - b));

    const apply = await send('POST', `/api/v1/provider-csv/imports/${up.json.id}/apply?wait=false`);
    expect(apply.status).toBe(202);
    expect(apply.json).toMatchObject({ state: 'applying', total: 5000, processed: 0 });
    const done = await until(up.json.id, 'applying');
    expect(done.job).toMatchObject({ state: 'applied', processed: 5000, changedUsers: 5000 });
    expect(done.seen).toEqual([...done.seen].sort((a, b) => a - b));
    // The embedded store has one connection, held by the apply's transaction:
    // readers wait for it. PostgreSQL readers see the rows being written.
    if (kind === 'postgres') expect(done.seen.some((n) => n > 0 && n < 5000)).toBe(true);
    expect((await acpOf('bulk4321@contoso.com')).json).toMatchObject({
      Name: 'Initech',
      ParticipantPasscode: '104321',
    });
    const [n] = await t.service.db.query<{ n: string }>(
      `select count(*) as n from user_acp a join users u on u.id = a.user_id where u.upn like 'bulk%'`,
    );
    expect(Number(n!.n)).toBe(5000);
  }, 120_000);

  it('a file over the 10 MB default body limit (20,000 rows) is read once and checked; apply waits for the check (409)', async () => {
    const [org] = await t.service.db.query<{ id: string }>('select id from organizations');
    await t.service.db.query(
      `insert into users (id, org_id, upn, display_name, email, sip_address)
       select 'big-' || i, $1, 'big' || i || '@contoso.com', 'Big ' || i, 'big' || i || '@contoso.com',
         'sip:big' || i || '@contoso.com' from generate_series(1, 20000) as i`,
      [org!.id],
    );
    // DisplayName is read past; a long one makes the file large.
    const pad = 'x'.repeat(520);
    const lines = [HEADER];
    for (let i = 1; i <= 20000; i++) {
      lines.push(
        `big${i}@contoso.com,Big ${i} ${pad},big${i}@contoso.com,Hooli,hooli.example,'+1425555${String(1000 + (i % 9000)).padStart(4, '0')},,${200000 + i},`,
      );
    }
    const csv = lines.join('\r\n');
    expect(Buffer.byteLength(csv)).toBeGreaterThan(10 * 1024 * 1024);
    const up = await send(
      'POST',
      '/api/v1/provider-csv/imports?wait=false&fileName=big20k.csv',
      csv,
    );
    expect(up.status).toBe(202);
    expect(up.json).toMatchObject({ state: 'validating', total: 20000 });
    // Applying a file still being checked (here, on this node) is refused, and changes nothing.
    const early = await send('POST', `/api/v1/provider-csv/imports/${up.json.id}/apply`);
    expect(early.status).toBe(409);
    expect(early.json.error.message).toMatch(/still being checked/);
    const checked = await until(up.json.id, 'validating');
    expect(checked.job).toMatchObject({
      state: 'validated',
      processed: 20000,
      summary: { rows: 20000, changes: 20000, unchanged: 0, badRows: 0 },
    });
    const full = await send('GET', `/api/v1/provider-csv/imports/${up.json.id}`);
    expect(full.json.preview).toHaveLength(20000);
    expect(full.json.preview[19999]).toMatchObject({
      line: 20001,
      identity: 'big20000@contoso.com',
      changes: expect.arrayContaining([{ field: 'TollNumber', old: null, new: '+14255553000' }]),
    });
    const applied = await send('POST', `/api/v1/provider-csv/imports/${up.json.id}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.json).toMatchObject({ state: 'applied', changedUsers: 20000 });
    expect((await acpOf('big12345@contoso.com')).json).toMatchObject({
      Name: 'Hooli',
      TollNumber: '+14255554345',
      ParticipantPasscode: '212345',
    });
  }, 180_000);

  it('a job is read without its file and plan; the preview only when asked for', async () => {
    const db = t.service.db;
    const query = db.query;
    const read: Record<string, unknown>[] = [];
    db.query = (async (sql: string, params?: unknown[]) => {
      const rows = await query.call(db, sql, params);
      if (/\bprovider_imports\b/.test(sql)) read.push(...(rows as Record<string, unknown>[]));
      return rows;
    }) as typeof db.query;
    try {
      const listed = await send('GET', '/api/v1/provider-csv/imports');
      expect(listed.status).toBe(200);
      expect(read.length).toBeGreaterThan(0);
      for (const row of read) {
        for (const column of ['csv', 'plan', 'preview', 'errors']) {
          expect(row, `list: ${column}`).not.toHaveProperty(column);
        }
      }
      const id = listed.json[0].id as string;
      read.length = 0;
      const polled = await send('GET', `/api/v1/provider-csv/imports/${id}?preview=false`);
      expect(polled.json).not.toHaveProperty('preview');
      expect(read.length).toBeGreaterThan(0);
      for (const row of read) {
        for (const column of ['csv', 'plan', 'preview']) {
          expect(row, `poll: ${column}`).not.toHaveProperty(column);
        }
      }
      read.length = 0;
      const full = await send('GET', `/api/v1/provider-csv/imports/${id}`);
      for (const row of read) {
        for (const column of ['csv', 'plan']) {
          expect(row, `get: ${column}`).not.toHaveProperty(column);
        }
      }
      // The summaries are the same whichever way the job is read.
      expect(listed.json[0].summary).toEqual(full.json.summary);
      expect(polled.json.summary).toEqual(full.json.summary);
      expect(full.json.summary.rows).toBeGreaterThan(0);
    } finally {
      db.query = query;
    }
  });

  it('a failure in the background (wait=false) is logged and recorded on the job, never left unhandled', async () => {
    const db = t.service.db;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // The store refuses the next outcomes written for jobs named refused.csv (a sequence: not rolled back).
    await db.query(`create sequence refusals`);
    await db.query(`create function refuse_import_outcome() returns trigger language plpgsql as $$
      begin
        if old.state in ('validating', 'applying') and new.state <> old.state
            and nextval('refusals') <= 2 then
          raise exception 'the store refused the write';
        end if;
        return new;
      end $$`);
    await db.query(`create trigger refuse_import_outcome before update on provider_imports
      for each row when (new.file_name = 'refused.csv') execute function refuse_import_outcome()`);
    try {
      const csv =
        'Identity,Provider,TollNumber,ParticipantPasscode\ndee.ray@contoso.com,Globex,+442071838750,31\n';
      // The check's result, then its own record of the failure, are refused.
      const up = await send(
        'POST',
        '/api/v1/provider-csv/imports?wait=false&fileName=refused.csv',
        csv,
      );
      expect(up.status).toBe(202);
      const checked = await until(up.json.id, 'validating');
      expect(checked.job).toMatchObject({
        state: 'invalid',
        reason: expect.stringMatching(/^the check stopped: .*the store refused the write/),
      });
      const apply = await send('POST', `/api/v1/provider-csv/imports/${up.json.id}/apply`);
      expect(apply.status).toBe(409);

      // The same for an apply: its transaction, then its record of the failure.
      const good = await send('POST', '/api/v1/provider-csv/imports?fileName=refused.csv', csv);
      expect(good.status).toBe(201);
      await db.query(`alter sequence refusals restart`);
      const started = await send(
        'POST',
        `/api/v1/provider-csv/imports/${good.json.id}/apply?wait=false`,
      );
      expect(started.status).toBe(202);
      const applied = await until(good.json.id, 'applying');
      expect(applied.job).toMatchObject({
        state: 'failed',
        reason: expect.stringMatching(
          /^the apply stopped, nothing was written: .*the store refused the write/,
        ),
      });
      expect((await acpOf('dee.ray@contoso.com')).json.ParticipantPasscode).not.toBe('31');
      // Once the store takes writes again, the failed job applies.
      const again = await send('POST', `/api/v1/provider-csv/imports/${good.json.id}/apply`);
      expect(again.json).toMatchObject({ state: 'applied' });
      expect((await acpOf('dee.ray@contoso.com')).json.ParticipantPasscode).toBe('31');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await db.query(`drop trigger refuse_import_outcome on provider_imports`);
      await db.query(`drop function refuse_import_outcome()`);
      await db.query(`drop sequence refusals`);
    }
  });

  it('an organization with users can be deleted (the directory counts go with it)', async () => {
    const db = t.service.db;
    await db.query(`insert into organizations (id, name) values ('org-gone', 'Gone Ltd')`);
    await db.query(
      `insert into users (id, org_id, upn, display_name, email, sip_address)
       select 'gone-' || i, 'org-gone', 'gone' || i || '@gone.example', 'Gone ' || i,
         'gone' || i || '@gone.example', 'sip:gone' || i || '@gone.example' from generate_series(1, 3) as i`,
    );
    const counts = `select count(*) as n from users_directory_counts where org_id = 'org-gone'`;
    expect(Number((await db.query<{ n: string }>(counts))[0]!.n)).toBeGreaterThan(0);
    await db.query('delete from organizations where id = $1', ['org-gone']);
    expect(await db.query(`select id from users where org_id = 'org-gone'`)).toEqual([]);
    expect(Number((await db.query<{ n: string }>(counts))[0]!.n)).toBe(0);
    // The other organization's counts are untouched: deleting one of its users still counts.
    const [before] = await db.query<{ n: string }>(
      `select coalesce(sum(delta), 0) as n from users_directory_counts where org_id <> 'org-gone'`,
    );
    await db.query(`delete from users where id = 'big-1'`);
    const [after] = await db.query<{ n: string }>(
      `select coalesce(sum(delta), 0) as n from users_directory_counts where org_id <> 'org-gone'`,
    );
    expect(Number(after!.n)).toBe(Number(before!.n) - 1);
  });

  it('the command line: export, a bad file exits 1 with its lines, dry run, import', async () => {
    const out = join(dir, 'export.csv');
    const exp = await t.cli([
      'provider',
      'export',
      '--users',
      'alex.wilber@contoso.com,cy.ng@contoso.com',
      '--out',
      out,
    ]);
    expect(exp.code).toBe(0);
    expect(exp.stderr).toMatch(/Wrote .*export\.csv: 2 users/);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.Identity, r.Provider])).toEqual([
      ['alex.wilber@contoso.com', 'Acme Audio'],
      ['cy.ng@contoso.com', 'Globex'],
    ]);
    const stdout = await t.cli(['provider', 'export', '--users', 'bea.lee@contoso.com']);
    expect(stdout.stdout.split('\r\n')[0]).toBe(HEADER);

    // The provider fills in the file; one row is wrong.
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      [
        HEADER,
        'alex.wilber@contoso.com,,,Acme Audio,,+14255550199,,12-34,',
        'nobody@contoso.com,,,Acme Audio,,+14255550199,,1,',
      ].join('\n'),
    );
    const refused = await t.cli(['provider', 'import', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /^2\s+ParticipantPasscode\s+alex\.wilber@contoso\.com\s+ParticipantPasscode must be 1 to 20 digits/m,
    );
    expect(refused.stdout).toMatch(
      /^3\s+Identity\s+nobody@contoso\.com\s+no user 'nobody@contoso\.com'/m,
    );
    expect(refused.stderr).toMatch(/2 rows have errors/);
    expect((await acpOf('alex.wilber@contoso.com')).json.ParticipantPasscode).toBe('1234567');

    const good = join(dir, 'good.csv');
    writeFileSync(
      good,
      [HEADER, 'alex.wilber@contoso.com,,,Acme Audio,acme.example,+14255550199,,7654321,'].join(
        '\n',
      ),
    );
    const dry = await t.cli(['provider', 'import', good, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/State\s+: validated/);
    expect(dry.stdout).toMatch(
      /^2\s+alex\.wilber@contoso\.com\s+ParticipantPasscode\s+1234567\s+7654321/m,
    );
    expect(dry.stderr).toMatch(
      /Dry run: nothing was written\. Apply it with: dialbridge provider apply ([0-9a-f-]{36})/,
    );
    expect((await acpOf('alex.wilber@contoso.com')).json.ParticipantPasscode).toBe('1234567');

    const run = await t.cli(['provider', 'import', good]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/State\s+: applied/);
    expect(run.stderr).toMatch(/Checking: 1\/1 rows/);
    expect((await acpOf('alex.wilber@contoso.com')).json.ParticipantPasscode).toBe('7654321');

    const dryId = /apply ([0-9a-f-]{36})/.exec(dry.stderr)![1]!;
    const status = await t.cliJson<{ state: string; total: number }>([
      'provider',
      'import-status',
      dryId,
    ]);
    expect(status).toMatchObject({ state: 'validated', total: 1 });
    const applied = await t.cliJson<{ state: string }>(['provider', 'apply', dryId]);
    expect(applied.state).toBe('applied');
    const jsonBad = await t.cli(['--json', 'provider', 'import', bad]);
    expect(jsonBad.code).toBe(1);
    expect(JSON.parse(jsonBad.stdout).errors.map((e: { line: number }) => e.line)).toEqual([2, 3]);
  }, 60_000);
});
