import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      dataDir: resolve('./data'),
      databaseUrl: undefined,
      http: { host: '127.0.0.1', port: 8080 },
      sip: { host: '0.0.0.0', port: 5060 },
      rtpPorts: { min: 20000, max: 29999 },
      smtpUrl: undefined,
      quarantineDays: 90,
      sipTrusted: ['127.0.0.0/8', '::1/128'],
      sipUntrusted: 'reject',
      maxCalls: 1000,
    });
  });

  it('reads the environment over a JSON file named by DIALBRIDGE_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'dialbridge.json');
    writeFileSync(
      file,
      JSON.stringify({ DIALBRIDGE_HTTP: '0.0.0.0:9000', DIALBRIDGE_SIP: '[::1]:5070' }),
    );
    const c = loadConfig({
      DIALBRIDGE_SIP_TRUSTED: '10.1.0.0/16, 192.0.2.7',
      DIALBRIDGE_SIP_UNTRUSTED: 'drop',
      DIALBRIDGE_PUBLIC_ADDRESS: '198.51.100.4',
      DIALBRIDGE_CONFIG: file,
      DIALBRIDGE_HTTP: '127.0.0.1:9001',
      DATABASE_URL: 'postgres://x@y/z',
    });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(c.sip).toEqual({ host: '::1', port: 5070 });
    expect(c.databaseUrl).toBe('postgres://x@y/z');
    expect(c).toMatchObject({
      sipTrusted: ['10.1.0.0/16', '192.0.2.7'],
      sipUntrusted: 'drop',
      publicAddress: '198.51.100.4',
    });
  });

  it('reads SIP digest credentials from a JSON file, refusing a malformed one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cred-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ trunk1: 'correct horse battery' }));
    expect(loadConfig({ DIALBRIDGE_SIP_CREDENTIALS_FILE: good }).sipCredentials).toEqual({
      trunk1: 'correct horse battery',
    });
    const short = join(dir, 'short.json');
    writeFileSync(short, JSON.stringify({ trunk1: 'pw' }));
    expect(() => loadConfig({ DIALBRIDGE_SIP_CREDENTIALS_FILE: short })).toThrow(
      /^DIALBRIDGE_SIP_CREDENTIALS_FILE must hold a JSON object/,
    );
    expect(() => loadConfig({ DIALBRIDGE_SIP_CREDENTIALS_FILE: join(dir, 'none.json') })).toThrow(
      /must name an existing JSON file/,
    );
  });

  it.each([
    [{ DIALBRIDGE_HTTP: 'localhost' }, /^DIALBRIDGE_HTTP must be host:port/],
    [{ DIALBRIDGE_SIP: '0.0.0.0:70000' }, /^DIALBRIDGE_SIP must be host:port/],
    [{ DIALBRIDGE_RTP_PORTS: '30000-20000' }, /^DIALBRIDGE_RTP_PORTS must be a range/],
    [{ DIALBRIDGE_RTP_PORTS: '80-90' }, /^DIALBRIDGE_RTP_PORTS must be a range/],
    [
      { DIALBRIDGE_ID_QUARANTINE_DAYS: 'soon' },
      /^DIALBRIDGE_ID_QUARANTINE_DAYS must be a whole number/,
    ],
    [
      { DIALBRIDGE_CONFIG: '/nonexistent.json' },
      /^DIALBRIDGE_CONFIG must name an existing JSON file/,
    ],
    [
      { DIALBRIDGE_SIP_TRUSTED: '10.0.0.0/33' },
      /^DIALBRIDGE_SIP_TRUSTED must be a comma-separated/,
    ],
    [
      { DIALBRIDGE_SIP_TRUSTED: 'example.com' },
      /^DIALBRIDGE_SIP_TRUSTED must be a comma-separated/,
    ],
    [
      { DIALBRIDGE_SIP_UNTRUSTED: 'ignore' },
      /^DIALBRIDGE_SIP_UNTRUSTED must be one of reject, drop/,
    ],
    [{ DIALBRIDGE_MAX_CALLS: '0' }, /^DIALBRIDGE_MAX_CALLS must be a whole number/],
    [{ DIALBRIDGE_PUBLIC_ADDRESS: 'here' }, /^DIALBRIDGE_PUBLIC_ADDRESS must be an IP address/],
  ])('refuses %o naming the variable', (env, msg) => {
    expect(() => loadConfig(env)).toThrow(msg);
  });
});
