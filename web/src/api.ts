/**
 * The one way the admin center talks to the service: same-origin fetch with the
 * session cookie, the CSRF token on every state-changing request, and errors
 * turned into ApiError with the field and rule the service named.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when the service answers 401 (the session ended): the app goes back to sign-in. */
let unauthorized: (() => void) | undefined;
export function onUnauthorized(handler: (() => void) | undefined): void {
  unauthorized = handler;
}

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  init: { contentType?: string; raw?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    if (typeof body === 'string' && init.contentType) {
      headers['content-type'] = init.contentType;
      payload = body;
    } else {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (init.raw && res.ok) return (await res.text()) as T;
  const text = await res.text();
  const json = text ? safeJson(text) : undefined;
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/v1/session') unauthorized?.();
    const e = (json as { error?: { code?: string; message?: string; field?: string } } | undefined)
      ?.error;
    throw new ApiError(
      res.status,
      e?.code ?? 'http_' + res.status,
      e?.message ?? res.statusText,
      e?.field,
    );
  }
  return json as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
