import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ValidationError } from './errors.ts';

/** Where something listens: host and port, parsed from "host:port". */
export interface Endpoint {
  host: string;
  port: number;
}

export interface Config {
  dataDir: string;
  databaseUrl: string | undefined;
  http: Endpoint;
  sip: Endpoint;
  rtpPorts: { min: number; max: number };
  smtpUrl: string | undefined;
  /** The sender of emails to users when the organization has no sender override. */
  mailFrom: string;
  /** Waits between failed email attempts (the last repeats), and attempts before 'failed'. */
  mailRetry: { backoffMs: number[]; maxAttempts: number; leaseMs: number };
  /** A comment on every open event stream this often (keeps proxies from closing it; the sign-in is checked again then). */
  eventsHeartbeatMs: number;
  /** The same for meeting migrations: waits between attempts, attempts before Failed, the claim's lease. */
  migrationRetry: { backoffMs: number[]; maxAttempts: number; leaseMs: number };
  orgName: string;
  logLevel: string;
  /** Days a released conference ID waits before it can be handed out again. */
  quarantineDays: number;
  /** Addresses/CIDR blocks allowed to place calls. */
  sipTrusted: string[];
  /** What an INVITE from elsewhere gets: 403, or no answer at all. */
  sipUntrusted: 'reject' | 'drop';
  maxCalls: number;
  /** Address written into SDP/Contact for non-loopback callers. */
  publicAddress: string;
  /** Digest credentials (username → password) for SIP peers outside the trust list. */
  sipCredentials: Record<string, string> | undefined;
  sipRealm: string;
  /** Failed conference ID/PIN entries allowed per calling number in 15 minutes, and per minute overall. */
  guessLimits: { perCaller: number; overallPerMinute: number };
  /** The admin center: an account created at start when missing (DIALBRIDGE_ADMIN_USER/_PASSWORD). */
  adminBootstrap: { username: string; password: string } | undefined;
  /** Minutes an admin center session may stay idle before it expires. */
  sessionIdleMinutes: number;
  /** Always mark the session cookie Secure (else only when the request came over https). */
  cookieSecure: boolean;
  /** Which proxies' X-Forwarded-* headers to believe (fastify's trustProxy); false for none. */
  trustProxy: boolean | string[];
}

const DEFAULTS: Record<string, string> = {
  DIALBRIDGE_DATA_DIR: './data',
  DIALBRIDGE_HTTP: '127.0.0.1:8080',
  DIALBRIDGE_SIP: '0.0.0.0:5060',
  DIALBRIDGE_RTP_PORTS: '20000-29999',
  DIALBRIDGE_ORG: 'default',
  DIALBRIDGE_LOG_LEVEL: 'info',
  DIALBRIDGE_MAIL_FROM: 'dialbridge@localhost',
  DIALBRIDGE_MAIL_RETRY_MS: '30000,120000,600000,3600000',
  DIALBRIDGE_MAIL_MAX_ATTEMPTS: '10',
  DIALBRIDGE_MAIL_LEASE_MS: '180000',
  DIALBRIDGE_EVENTS_HEARTBEAT_MS: '15000',
  DIALBRIDGE_MIGRATION_RETRY_MS: '10000,60000,300000,1800000',
  DIALBRIDGE_MIGRATION_MAX_ATTEMPTS: '5',
  DIALBRIDGE_MIGRATION_LEASE_MS: '120000',
  DIALBRIDGE_ID_QUARANTINE_DAYS: '90',
  DIALBRIDGE_SIP_TRUSTED: '127.0.0.0/8,::1/128',
  DIALBRIDGE_SIP_UNTRUSTED: 'reject',
  DIALBRIDGE_MAX_CALLS: '1000',
  DIALBRIDGE_SIP_REALM: 'dialbridge',
  DIALBRIDGE_GUESS_LIMIT_PER_CALLER: '10',
  DIALBRIDGE_GUESS_LIMIT_PER_MINUTE: '80',
  DIALBRIDGE_SESSION_IDLE_MINUTES: '480',
  DIALBRIDGE_COOKIE_SECURE: 'false',
};

export function parseEndpoint(field: string, value: string): Endpoint {
  const m = /^(.*):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port > 65535) {
    throw new ValidationError(field, 'must be host:port with a port from 0 to 65535', value);
  }
  return { host: m[1].replace(/^\[(.*)\]$/, '$1'), port };
}

export function parsePortRange(field: string, value: string): { min: number; max: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(value.trim());
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1024 || max > 65535 || min > max || max - min + 1 < 2) {
    throw new ValidationError(
      field,
      'must be a range min-max within 1024-65535 holding at least 2 ports',
      value,
    );
  }
  return { min, max };
}

function parseCidrs(field: string, value: string): string[] {
  const list = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const c of list) {
    const [addr, bits] = c.split('/');
    const v = isIP(addr ?? '');
    const max = v === 6 ? 128 : 32;
    if (!v || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > max))) {
      throw new ValidationError(
        field,
        'must be a comma-separated list of addresses or CIDR blocks such as 10.0.0.0/8',
        c,
      );
    }
  }
  return list;
}

function parseChoice<T extends string>(field: string, value: string, choices: readonly T[]): T {
  const hit = choices.find((c) => c === value.trim().toLowerCase());
  if (!hit) throw new ValidationError(field, `must be one of ${choices.join(', ')}`, value);
  return hit;
}

/** How long a claimed email waits before another worker may retry it (after a crash). */
function parseLease(field: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1000 || n > 86_400_000)
    throw new ValidationError(field, 'must be milliseconds from 1000 to 86400000', value);
  return n;
}

function parseCount(field: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 100_000) {
    throw new ValidationError(field, 'must be a whole number from 1 to 100000', value);
  }
  return n;
}

/** The given address, or the first non-internal IPv4 address of this machine. */
function parseAddress(field: string, value: string | undefined): string {
  if (value) {
    if (!isIP(value)) throw new ValidationError(field, 'must be an IP address', value);
    return value;
  }
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** A JSON file {"username": "password", …}; kept out of the environment because it holds secrets. */
function readCredentials(
  field: string,
  path: string | undefined,
): Record<string, string> | undefined {
  if (!path) return undefined;
  if (!existsSync(path)) throw new ValidationError(field, 'must name an existing JSON file', path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValidationError(field, `must be valid JSON (${(err as Error).message})`, path);
  }
  const ok =
    data !== null &&
    typeof data === 'object' &&
    !Array.isArray(data) &&
    Object.entries(data).every(
      ([k, v]) => /^[\w.@+-]{1,64}$/.test(k) && typeof v === 'string' && v.length >= 8,
    );
  if (!ok) {
    throw new ValidationError(
      field,
      'must hold a JSON object of "username": "password" (passwords of 8 characters or more)',
      path,
    );
  }
  return data as Record<string, string>;
}

function parseMailFrom(field: string, value: string): string {
  const v = value.trim();
  if (!/^[^\s@<>"]+@[^\s@<>"]+$/.test(v))
    throw new ValidationError(
      field,
      'must be an email address such as dialbridge@example.com',
      value,
    );
  return v;
}

function parseDelays(field: string, value: string): number[] {
  const list = value.split(',').map((v) => v.trim());
  if (!list.length || list.some((v) => !/^\d{1,9}$/.test(v) || Number(v) < 1))
    throw new ValidationError(
      field,
      'must be a comma-separated list of milliseconds, e.g. 30000,120000',
      value,
    );
  return list.map(Number);
}

function parseDays(field: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 3650)
    throw new ValidationError(field, 'must be a whole number of days from 0 to 3650', value);
  return n;
}

function parseBool(field: string, value: string): boolean {
  return parseChoice(field, value, ['true', 'false'] as const) === 'true';
}

/** "true" (any proxy), or the addresses/CIDR blocks of the proxies; unset or "false": none. */
function parseTrustProxy(field: string, value: string | undefined): boolean | string[] {
  const v = value?.trim().toLowerCase();
  if (!v || v === 'false') return false;
  if (v === 'true') return true;
  try {
    return parseCidrs(field, v);
  } catch {
    throw new ValidationError(
      field,
      'must be true, false, or a comma-separated list of proxy addresses or CIDR blocks',
      value,
    );
  }
}

function parseAdminBootstrap(
  user: string | undefined,
  password: string | undefined,
): Config['adminBootstrap'] {
  if (!user && !password) return undefined;
  if (!user)
    throw new ValidationError(
      'DIALBRIDGE_ADMIN_USER',
      'is required when DIALBRIDGE_ADMIN_PASSWORD is set',
    );
  if (!password)
    throw new ValidationError(
      'DIALBRIDGE_ADMIN_PASSWORD',
      'is required when DIALBRIDGE_ADMIN_USER is set',
    );
  // The account rules themselves (length, characters) are checked when it is created at start.
  return { username: user, password };
}

/**
 * Reads configuration from the environment, optionally layered over a JSON file
 * named by DIALBRIDGE_CONFIG (keys are the environment variable names).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let file: Record<string, string> = {};
  const path = env.DIALBRIDGE_CONFIG;
  if (path) {
    if (!existsSync(path))
      throw new ValidationError('DIALBRIDGE_CONFIG', 'must name an existing JSON file', path);
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    } catch (err) {
      throw new ValidationError(
        'DIALBRIDGE_CONFIG',
        `must be valid JSON (${(err as Error).message})`,
        path,
      );
    }
  }
  const get = (k: string): string | undefined => {
    const v = env[k] ?? file[k] ?? DEFAULTS[k];
    return v === '' ? undefined : v;
  };
  return {
    dataDir: resolve(get('DIALBRIDGE_DATA_DIR')!),
    databaseUrl: get('DATABASE_URL'),
    http: parseEndpoint('DIALBRIDGE_HTTP', get('DIALBRIDGE_HTTP')!),
    sip: parseEndpoint('DIALBRIDGE_SIP', get('DIALBRIDGE_SIP')!),
    rtpPorts: parsePortRange('DIALBRIDGE_RTP_PORTS', get('DIALBRIDGE_RTP_PORTS')!),
    smtpUrl: get('DIALBRIDGE_SMTP_URL'),
    mailFrom: parseMailFrom('DIALBRIDGE_MAIL_FROM', get('DIALBRIDGE_MAIL_FROM')!),
    mailRetry: {
      backoffMs: parseDelays('DIALBRIDGE_MAIL_RETRY_MS', get('DIALBRIDGE_MAIL_RETRY_MS')!),
      maxAttempts: parseCount('DIALBRIDGE_MAIL_MAX_ATTEMPTS', get('DIALBRIDGE_MAIL_MAX_ATTEMPTS')!),
      leaseMs: parseLease('DIALBRIDGE_MAIL_LEASE_MS', get('DIALBRIDGE_MAIL_LEASE_MS')!),
    },
    eventsHeartbeatMs: parseLease(
      'DIALBRIDGE_EVENTS_HEARTBEAT_MS',
      get('DIALBRIDGE_EVENTS_HEARTBEAT_MS')!,
    ),
    migrationRetry: {
      backoffMs: parseDelays(
        'DIALBRIDGE_MIGRATION_RETRY_MS',
        get('DIALBRIDGE_MIGRATION_RETRY_MS')!,
      ),
      maxAttempts: parseCount(
        'DIALBRIDGE_MIGRATION_MAX_ATTEMPTS',
        get('DIALBRIDGE_MIGRATION_MAX_ATTEMPTS')!,
      ),
      leaseMs: parseLease('DIALBRIDGE_MIGRATION_LEASE_MS', get('DIALBRIDGE_MIGRATION_LEASE_MS')!),
    },
    orgName: get('DIALBRIDGE_ORG')!,
    logLevel: get('DIALBRIDGE_LOG_LEVEL')!,
    quarantineDays: parseDays(
      'DIALBRIDGE_ID_QUARANTINE_DAYS',
      get('DIALBRIDGE_ID_QUARANTINE_DAYS')!,
    ),
    sipTrusted: parseCidrs('DIALBRIDGE_SIP_TRUSTED', get('DIALBRIDGE_SIP_TRUSTED') ?? ''),
    sipUntrusted: parseChoice('DIALBRIDGE_SIP_UNTRUSTED', get('DIALBRIDGE_SIP_UNTRUSTED')!, [
      'reject',
      'drop',
    ] as const),
    maxCalls: parseCount('DIALBRIDGE_MAX_CALLS', get('DIALBRIDGE_MAX_CALLS')!),
    publicAddress: parseAddress('DIALBRIDGE_PUBLIC_ADDRESS', get('DIALBRIDGE_PUBLIC_ADDRESS')),
    sipCredentials: readCredentials(
      'DIALBRIDGE_SIP_CREDENTIALS_FILE',
      get('DIALBRIDGE_SIP_CREDENTIALS_FILE'),
    ),
    sipRealm: get('DIALBRIDGE_SIP_REALM')!,
    adminBootstrap: parseAdminBootstrap(
      get('DIALBRIDGE_ADMIN_USER'),
      get('DIALBRIDGE_ADMIN_PASSWORD'),
    ),
    sessionIdleMinutes: parseCount(
      'DIALBRIDGE_SESSION_IDLE_MINUTES',
      get('DIALBRIDGE_SESSION_IDLE_MINUTES')!,
    ),
    cookieSecure: parseBool('DIALBRIDGE_COOKIE_SECURE', get('DIALBRIDGE_COOKIE_SECURE')!),
    trustProxy: parseTrustProxy('DIALBRIDGE_TRUST_PROXY', get('DIALBRIDGE_TRUST_PROXY')),
    guessLimits: {
      perCaller: parseCount(
        'DIALBRIDGE_GUESS_LIMIT_PER_CALLER',
        get('DIALBRIDGE_GUESS_LIMIT_PER_CALLER')!,
      ),
      overallPerMinute: parseCount(
        'DIALBRIDGE_GUESS_LIMIT_PER_MINUTE',
        get('DIALBRIDGE_GUESS_LIMIT_PER_MINUTE')!,
      ),
    },
  };
}
