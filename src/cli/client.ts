import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** A refusal from the service, carrying the field it names. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface Client {
  url: string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

/**
 * Where the command line finds the service: --url/--token, else
 * DIALBRIDGE_URL/DIALBRIDGE_TOKEN, else the files the service wrote in the
 * data directory (DIALBRIDGE_DATA_DIR, default ./data).
 */
export function resolveTarget(
  opts: { url?: string; token?: string; dataDir?: string },
  env = process.env,
) {
  // An empty variable counts as unset, as shells make it easy to export one.
  const pick = (...vals: (string | undefined)[]) => vals.find((v) => v !== undefined && v !== '');
  const dataDir = resolve(pick(opts.dataDir, env.DIALBRIDGE_DATA_DIR) ?? './data');
  const read = (file: string): Record<string, string> => {
    const p = join(dataDir, file);
    if (!existsSync(p)) return {};
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const url = pick(opts.url, env.DIALBRIDGE_URL, read('service.json').url);
  const token = pick(opts.token, env.DIALBRIDGE_TOKEN, read('credentials.json').token);
  if (!url) {
    throw new ApiError(
      `No service to talk to: start it with "npm start", or set DIALBRIDGE_URL (no ${join(dataDir, 'service.json')} found).`,
      0,
      'config',
      'DIALBRIDGE_URL',
    );
  }
  if (!token) {
    throw new ApiError(
      `No administrator token: set DIALBRIDGE_TOKEN or pass --token (no ${join(dataDir, 'credentials.json')} found).`,
      0,
      'config',
      'DIALBRIDGE_TOKEN',
    );
  }
  return { url: url.replace(/\/$/, ''), token };
}

export function createClient(url: string, token: string): Client {
  return {
    url,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      let res: Response;
      // Bytes (an audio file) travel as they are; everything else as JSON.
      const raw = body instanceof Uint8Array;
      try {
        res = await fetch(url + path, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined
              ? {}
              : { 'content-type': raw ? 'audio/wav' : 'application/json' }),
          },
          body:
            body === undefined
              ? undefined
              : raw
                ? new Blob([new Uint8Array(body)])
                : JSON.stringify(body),
        });
      } catch (err) {
        throw new ApiError(
          `Cannot reach the service at ${url}: ${(err as Error).cause ?? (err as Error).message}`,
          0,
          'unreachable',
        );
      }
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      const json = text ? (JSON.parse(text) as unknown) : undefined;
      if (!res.ok) {
        const e = (
          json as { error?: { message?: string; code?: string; field?: string } } | undefined
        )?.error;
        throw new ApiError(
          e?.message ?? `HTTP ${res.status}`,
          res.status,
          e?.code ?? 'http',
          e?.field,
        );
      }
      return json as T;
    },
  };
}

/** Path segment for an identity: names with spaces, '+' of numbers, '@' all travel safely. */
export const seg = (v: unknown) => encodeURIComponent(String(v));
