import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Db } from '../src/store/db.ts';
import { AdminService } from '../src/admin/service.ts';
import { ensureOrganization } from '../src/admin/organizations.ts';
import type { Actor } from '../src/admin/context.ts';
import { MailDelivery, type MailTransport, type OutgoingMessage } from '../src/mail/delivery.ts';
import { getOutboxMessage, listOutbox, retryOutboxMessage } from '../src/mail/outbox.ts';
import { emptyStore, freshStore, STORES } from './support/stores.ts';
import { startTestService, type TestService } from './support/service.ts';
import { TestSmtp } from './support/smtp.ts';

const log = pino({ level: 'silent' });
const FROM = 'bridge@contoso.test';

/** Every text column of every table, to search a "dump" for a PIN. */
async function dump(db: Db): Promise<string> {
  const tables = await db.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = 'public'`,
  );
  let out = '';
  for (const t of tables)
    out += JSON.stringify(await db.query(`select * from ${t.tablename}`), (_k, v) =>
      typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? '' : v,
    );
  return out;
}

class FakeTransport implements MailTransport {
  sent: OutgoingMessage[] = [];
  fail: string | undefined;
  async send(m: OutgoingMessage) {
    if (this.fail) throw new Error(this.fail);
    this.sent.push(m);
    return { messageId: m.messageId };
  }
  close() {}
}

describe.each(STORES)('outbox rules on %s', (kind) => {
  let db: Db;
  let admin: AdminService;
  let actor: Actor;
  let transport: FakeTransport;
  let now: number;
  let worker: MailDelivery;

  beforeAll(async () => {
    db = await freshStore(kind);
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await emptyStore(db);
    const { org } = await ensureOrganization(db, 'contoso');
    actor = { orgId: org.id, name: 'tester' };
    admin = new AdminService({ db, log, quarantineDays: 90 });
    transport = new FakeTransport();
    // Ahead of the store's clock, so what the tests queue is due at once.
    now = Date.now() + 10_000;
    worker = new MailDelivery({
      db,
      log,
      transport,
      defaultFrom: FROM,
      backoffMs: [1000, 5000],
      maxAttempts: 3,
      leaseMs: 60_000,
      now: () => now,
      autoStart: false,
    });
    await admin.createBridge(actor, { Name: 'Conference Bridge' });
    await admin.createNumber(actor, {
      Identity: '+14255550100',
      Type: 'Toll',
      City: 'Redmond',
      BridgeName: 'Conference Bridge',
    });
    await admin.createUser(actor, {
      UserPrincipalName: 'amos.marble@contoso.com',
      DisplayName: 'Amos Marble',
    });
  });
  afterEach(async () => {
    await worker.close();
  });

  const license = async (add: boolean) =>
    admin.setLicenses(actor, {
      UserPrincipalName: 'amos.marble@contoso.com',
      [add ? 'AddLicenses' : 'RemoveLicenses']: ['contoso:MCOMEETADV'],
    });
  const outbox = () => listOutbox(db, actor.orgId, FROM, { limit: 1000 });

  it('queues each automatic kind with the change that causes it, and the manual one', async () => {
    const [lic] = await license(true);
    const pin = lic!.dialIn.LeaderPin!;
    expect(pin).toMatch(/^\d{5}$/);
    let list = await outbox();
    expect(list.map((m) => [m.kind, m.to, m.state])).toEqual([
      ['enabled', 'amos.marble@contoso.com', 'pending'],
    ]);
    // Delivered as they come (a later PIN would supersede an undelivered PIN email).
    let sent = await worker.runOnce();
    await admin.setDialInUser(actor, {
      Identity: 'amos.marble@contoso.com',
      ResetConferenceId: true,
    });
    const reset = await admin.setDialInUser(actor, {
      Identity: 'amos.marble@contoso.com',
      ResetLeaderPin: true,
    });
    sent += await worker.runOnce();
    await admin.setDialInUser(actor, {
      Identity: 'amos.marble@contoso.com',
      SendEmail: true,
      SendEmailToAddress: 'amos@hotmail.test',
    });
    await license(false);
    list = await outbox();
    expect(list.map((m) => [m.kind, m.to])).toEqual([
      ['disabled', 'amos.marble@contoso.com'],
      ['conference_info', 'amos@hotmail.test'],
      ['pin_reset', 'amos.marble@contoso.com'],
      ['changed', 'amos.marble@contoso.com'],
      ['enabled', 'amos.marble@contoso.com'],
    ]);
    // Listings and views never show a PIN; the stored copies are masked.
    const everything = JSON.stringify([
      list,
      ...(await Promise.all(list.map((m) => getOutboxMessage(db, actor.orgId, m.id, FROM)))),
    ]);
    expect(everything).not.toContain(pin);
    expect(everything).not.toContain(reset.LeaderPin!);
    expect(everything).toContain('Leader PIN: *****');

    expect(sent + (await worker.runOnce())).toBe(5);
    const byKind = Object.fromEntries(transport.sent.map((m) => [m.subject, m]));
    const enabled = transport.sent.find((m) => m.subject.includes('now host'))!;
    expect(enabled.text).toContain(`Leader PIN: ${pin}`);
    expect(enabled.html).toContain(pin);
    const pinReset = transport.sent.find((m) => m.subject.includes('reset'))!;
    expect(pinReset.text).toContain(`Leader PIN: ${reset.LeaderPin}`);
    for (const m of transport.sent.filter((x) => x !== enabled && x !== pinReset)) {
      expect(m.text).not.toContain(pin);
      expect(m.text).not.toContain(reset.LeaderPin!);
    }
    expect(Object.keys(byKind)).toHaveLength(5);
    expect(transport.sent.every((m) => m.from === FROM)).toBe(true);
    // After delivery, nothing in the store holds either PIN.
    const all = await dump(db);
    expect(all).not.toContain(pin);
    expect(all).not.toContain(reset.LeaderPin!);
    expect((await outbox()).every((m) => m.state === 'sent' && m.sentAt)).toBe(true);
  });

  it('sends nothing automatic when AutomaticallySendEmailsToUsers is off, but -SendEmail still', async () => {
    await admin.setSettings(actor, { AutomaticallySendEmailsToUsers: false });
    await license(true);
    await admin.setDialInUser(actor, { Identity: 'amos.marble@contoso.com', ResetLeaderPin: true });
    expect(await outbox()).toEqual([]);
    await admin.setDialInUser(actor, { Identity: 'amos.marble@contoso.com', SendEmail: true });
    await admin.disableDialInUser(actor, 'amos.marble@contoso.com', { SendEmail: true });
    expect((await outbox()).map((m) => m.kind)).toEqual(['disabled', 'conference_info']);
  });

  it('uses the sender override when it is on', async () => {
    await admin.setSettings(actor, {
      SendEmailFromAddress: 'it@contoso.com',
      SendEmailFromDisplayName: 'Contoso IT',
      SendEmailFromOverride: true,
    });
    await license(true);
    await worker.runOnce();
    expect(transport.sent[0]!.from).toBe('"Contoso IT" <it@contoso.com>');
  });

  it('queues nothing when the change is refused (same transaction)', async () => {
    await license(true);
    const before = (await outbox()).length;
    await expect(
      admin.setDialInUser(actor, {
        Identity: 'amos.marble@contoso.com',
        ResetConferenceId: true,
        ServiceNumber: '+442071234567',
      }),
    ).rejects.toThrow(/ServiceNumber/);
    expect((await outbox()).length).toBe(before);
  });

  it('retries with back-off, fails after maxAttempts with the last error, and can be retried', async () => {
    await license(true);
    transport.fail = '550 5.1.1 mailbox unavailable';
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0); // not due before the back-off
    now += 1000;
    expect(await worker.runOnce()).toBe(1);
    now += 4999;
    expect(await worker.runOnce()).toBe(0);
    now += 1;
    expect(await worker.runOnce()).toBe(1);
    const [m] = await outbox();
    expect(m).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: '550 5.1.1 mailbox unavailable',
    });
    transport.fail = undefined;
    const back = await db.tx((q) => retryOutboxMessage(q, actor, m!.id, FROM));
    expect(back).toMatchObject({ state: 'pending', attempts: 0 });
    await worker.runOnce();
    expect(transport.sent).toHaveLength(1);
    expect(transport.sent[0]!.text).toMatch(/Leader PIN: \d{5}/);
    await expect(db.tx((q) => retryOutboxMessage(q, actor, m!.id, FROM))).rejects.toThrow(/sent/);
  });

  it('a crashed attempt is retried once its lease runs out, never before', async () => {
    await license(true);
    // Claim as a worker would, then "die" before the SMTP answer.
    await db.query(`update email_outbox set attempts = attempts + 1, lease_until = $1`, [
      new Date(now + 60_000).toISOString(),
    ]);
    expect(await worker.runOnce()).toBe(0);
    now += 60_000;
    expect(await worker.runOnce()).toBe(1);
    expect(transport.sent).toHaveLength(1);
    expect((await outbox())[0]).toMatchObject({ state: 'sent', attempts: 2 });
    expect(transport.sent[0]!.messageId).toBe(`<${(await outbox())[0]!.id}@dialbridge>`);
  });
});

describe('emails over a real SMTP server', () => {
  let smtp: TestSmtp;
  let t: TestService;

  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await t.api(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const until = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const seed = async () => {
    await ok('PATCH', '/api/v1/organization', { name: 'contoso', domain: 'contoso.com' });
    await ok('POST', '/api/v1/bridges', { Name: 'Conference Bridge' });
    await ok('POST', '/api/v1/service-numbers', {
      Identity: '+14255550100',
      Type: 'Toll',
      City: 'Redmond',
      BridgeName: 'Conference Bridge',
    });
    for (const [upn, name] of [
      ['amos.marble@contoso.com', 'Amos Marble'],
      ['bounce@contoso.com', 'Bo Unce'],
    ])
      await ok('POST', '/api/v1/users', { UserPrincipalName: upn, DisplayName: name });
  };

  afterEach(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('delivers each email once, with the PIN only where it belongs, and keeps no PIN afterwards', async () => {
    smtp = new TestSmtp();
    await smtp.start();
    t = await startTestService('pglite', log, {
      DIALBRIDGE_SMTP_URL: smtp.url(),
      DIALBRIDGE_MAIL_FROM: FROM,
    });
    await seed();
    const [lic] = await ok('POST', '/api/v1/licenses', {
      UserPrincipalName: ['amos.marble@contoso.com'],
      AddLicenses: ['contoso:MCOMEETADV'],
    });
    const pin = lic.dialIn.LeaderPin as string;
    const id = lic.dialIn.ConferenceId as string;
    await until(() => smtp.messages.length === 1);
    const enabled = smtp.messages[0]!;
    expect(enabled.mailFrom).toBe(FROM);
    expect(enabled.rcptTo).toEqual(['amos.marble@contoso.com']);
    expect(enabled.decoded).toContain(pin);
    expect(enabled.decoded).toContain(`${id.slice(0, 3)} ${id.slice(3)}`);
    expect(enabled.decoded).toContain('+1 425 555 0100');

    // PIN reset, through the CLI, with the sender override on.
    await ok('PATCH', '/api/v1/settings', {
      SendEmailFromAddress: 'it@contoso.com',
      SendEmailFromDisplayName: 'Contoso IT',
      SendEmailFromOverride: true,
    });
    const reset = await t.cliJson<{ LeaderPin: string }>([
      'Set-CsOnlineDialInConferencingUser',
      '-Identity',
      'amos.marble@contoso.com',
      '-ResetLeaderPin',
    ]);
    await until(() => smtp.messages.length === 2);
    expect(smtp.messages[1]!.mailFrom).toBe('it@contoso.com');
    expect(smtp.messages[1]!.header('From')).toContain('Contoso IT');
    expect(smtp.messages[1]!.decoded).toContain(reset.LeaderPin);

    // The manual email to another address, no PIN; then the "changed" one.
    const r = await t.cli([
      'Set-CsOnlineDialInConferencingUser -Identity amos.marble@contoso.com -SendEmail -SendEmailToAddress amos@hotmail.test',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/queued to amos@hotmail\.test/);
    await until(() => smtp.messages.length === 3);
    expect(smtp.messages[2]!.rcptTo).toEqual(['amos@hotmail.test']);
    await ok('POST', '/api/v1/dialin-users/amos.marble%40contoso.com/reset-conference-id');
    await until(() => smtp.messages.length === 4);
    await ok('POST', '/api/v1/dialin-users/amos.marble%40contoso.com/send-conference-info', {});
    await until(() => smtp.messages.length === 5);
    await ok('POST', '/api/v1/dialin-users/amos.marble%40contoso.com/disable');
    await until(() => smtp.messages.length === 6);
    for (const m of smtp.messages.slice(2)) {
      expect(m.decoded).not.toContain(pin);
      expect(m.decoded).not.toContain(reset.LeaderPin);
    }
    expect(smtp.messages.map((m) => m.header('Subject'))).toEqual([
      'contoso: you can now host audio conferences',
      'contoso: your leader PIN has been reset',
      'contoso: your dial-in conferencing details',
      'contoso: your dial-in conferencing details have changed',
      'contoso: your dial-in conferencing details',
      'contoso: dial-in conferencing has been turned off for you',
    ]);
    // AutomaticallyMigrateUserMeetings is on by default: the user is told their meetings follow.
    expect(smtp.messages[3]!.decoded).toMatch(/being updated with these details for you/);
    expect(smtp.messages[3]!.decoded).not.toMatch(/update its dial-in information/);

    // Nothing anywhere shows either PIN once delivered.
    const list = await ok('GET', '/api/v1/outbox');
    expect(list).toHaveLength(6);
    const shown = JSON.stringify([
      list,
      ...(await Promise.all(list.map((m: { id: string }) => ok('GET', `/api/v1/outbox/${m.id}`)))),
      (await t.cli(['outbox', 'list'])).stdout,
    ]);
    await until(async () => (await ok('GET', '/api/v1/outbox?state=sent')).length === 6);
    const db = await dump(t.service.db);
    for (const p of [pin, reset.LeaderPin]) {
      expect(shown).not.toContain(p);
      expect(db).not.toContain(p);
    }
  });

  it('waits while SMTP is down and delivers exactly once when it is back', async () => {
    smtp = new TestSmtp((rcpt) => rcpt.startsWith('bounce@'));
    const port = await smtp.start();
    await smtp.stop();
    t = await startTestService('pglite', log, {
      DIALBRIDGE_SMTP_URL: `smtp://127.0.0.1:${port}`,
      DIALBRIDGE_MAIL_RETRY_MS: '100,200',
      DIALBRIDGE_MAIL_MAX_ATTEMPTS: '50',
    });
    await seed();
    await ok('POST', '/api/v1/licenses', {
      UserPrincipalName: ['amos.marble@contoso.com'],
      AddLicenses: ['contoso:MCOMEETADV'],
    });
    await until(async () => (await ok('GET', '/api/v1/outbox'))[0].attempts >= 2);
    const [down] = await ok('GET', '/api/v1/outbox');
    expect(down.state).toBe('pending');
    expect(down.lastError).toMatch(/ECONNREFUSED|connect/i);
    await smtp.start(port);
    await until(() => smtp.messages.length === 1);
    await until(async () => (await ok('GET', '/api/v1/outbox'))[0].state === 'sent');
    await new Promise((r) => setTimeout(r, 600));
    expect(smtp.messages).toHaveLength(1);
  });

  it('marks a refused recipient failed with the error after its attempts, and retries on request', async () => {
    smtp = new TestSmtp((rcpt) => rcpt.startsWith('bounce@'));
    await smtp.start();
    t = await startTestService('pglite', log, {
      DIALBRIDGE_SMTP_URL: smtp.url(),
      DIALBRIDGE_MAIL_RETRY_MS: '50',
      DIALBRIDGE_MAIL_MAX_ATTEMPTS: '3',
    });
    await seed();
    await ok('POST', '/api/v1/licenses', {
      UserPrincipalName: ['bounce@contoso.com'],
      AddLicenses: ['contoso:MCOMEETADV'],
    });
    await until(async () => (await ok('GET', '/api/v1/outbox'))[0].state === 'failed');
    const [m] = await ok('GET', '/api/v1/outbox');
    expect(m).toMatchObject({ attempts: 3, to: 'bounce@contoso.com' });
    expect(m.lastError).toMatch(/550/);
    const cli = await t.cliJson<{ state: string }>(['outbox', 'retry', m.id]);
    expect(cli.state).toBe('pending');
    await until(async () => (await ok('GET', '/api/v1/outbox'))[0].state === 'failed');
    expect(smtp.messages).toHaveLength(0);
  });
});

describe('emails without SMTP', () => {
  it('stay in the outbox, readable through the API and the command line, PIN masked', async () => {
    const t = await startTestService('pglite', log);
    try {
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
      const lic = await t.api('POST', '/api/v1/licenses', {
        UserPrincipalName: ['amos.marble@contoso.com'],
        AddLicenses: ['default:MCOMEETADV'],
      });
      const pin = lic.json[0].dialIn.LeaderPin as string;
      const list = await t.cliJson<{ id: string; state: string; kind: string; from: string }[]>([
        'outbox',
        'list',
      ]);
      expect(list).toMatchObject([
        { state: 'pending', kind: 'enabled', from: 'dialbridge@localhost' },
      ]);
      const shown = await t.cli(['outbox', 'show', list[0]!.id]);
      expect(shown.stdout).toContain('Leader PIN: *****');
      expect(shown.stdout).not.toContain(pin);
      const api = await t.api('GET', `/api/v1/outbox/${list[0]!.id}`);
      expect(api.json.html).toContain('*****');
      expect(JSON.stringify(api.json)).not.toContain(pin);
      expect((await t.api('GET', '/api/v1/outbox/nope')).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});
