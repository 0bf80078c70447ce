import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { startChildService } from './support/child-service.ts';

/**
 * kill -9 in the middle of an email delivery: the service is a real child
 * process on an embedded store; the SMTP server holds its answer to the
 * first message's DATA, and the service is killed while it waits. Started
 * again on the same data, it sends the email once the attempt's lease has
 * passed, and the server accepts it exactly once.
 */
describe('crash safety', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialbridge-crash-'));
  let service: ChildProcess | undefined;
  let smtp: SMTPServer | undefined;
  const accepted: string[] = [];
  let held = 0;

  afterAll(async () => {
    service?.kill('SIGKILL');
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (smtpPort: number) => {
    const started = await startChildService(dir, {
      DIALBRIDGE_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      DIALBRIDGE_MAIL_LEASE_MS: '3000',
      DIALBRIDGE_MAIL_RETRY_MS: '500',
    });
    return { child: started.child, api: started.api };
  };

  it('kill -9 during an email delivery: after a restart the email arrives exactly once', async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          // The first delivery never gets an answer: the service dies waiting.
          if (held++ === 0) return;
          accepted.push(Buffer.concat(chunks).toString('utf8'));
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp!.listen(0, '127.0.0.1', () => r()));
    const port = (smtp.server.address() as { port: number }).port;

    const first = await start(port);
    service = first.child;
    const api = first.api;
    await api('PATCH', '/api/v1/organization', { name: 'contoso', domain: 'contoso.com' });
    await api('POST', '/api/v1/bridges', { Name: 'Conference Bridge' });
    await api('POST', '/api/v1/service-numbers', {
      Identity: '+14255550100',
      Type: 'Toll',
      City: 'Redmond',
      BridgeName: 'Conference Bridge',
    });
    await api('POST', '/api/v1/users', {
      UserPrincipalName: 'amos.marble@contoso.com',
      DisplayName: 'Amos Marble',
    });
    const lic = await api('POST', '/api/v1/licenses', {
      UserPrincipalName: ['amos.marble@contoso.com'],
      AddLicenses: ['contoso:MCOMEETADV'],
    });
    expect(lic.status).toBe(200);
    // The "enabled" email is on its way and the server is holding it.
    const end = Date.now() + 20_000;
    while (held === 0) {
      if (Date.now() > end) throw new Error('no delivery attempt');
      await new Promise((r) => setTimeout(r, 50));
    }
    service.kill('SIGKILL');
    await new Promise((r) => service!.once('exit', r));
    expect(accepted).toHaveLength(0);

    const second = await start(port);
    service = second.child;
    const until = Date.now() + 30_000;
    while (!accepted.length) {
      if (Date.now() > until) throw new Error('the email never arrived after the restart');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Let any duplicate show itself before counting.
    await new Promise((r) => setTimeout(r, 2000));
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toContain('amos.marble@contoso.com');
    const outbox = await second.api('GET', '/api/v1/outbox');
    expect(outbox.json.map((m: any) => [m.kind, m.state])).toEqual([['enabled', 'sent']]);
  }, 120_000);
});
