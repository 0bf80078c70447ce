import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Anything that could carry a secret is redacted by path, so a
 * careless `log.info({ body })` can never print a PIN or a token.
 */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    redact: {
      paths: [
        '*.pin',
        '*.leaderPin',
        '*.token',
        '*.password',
        'req.headers.authorization',
        'headers.authorization',
      ],
      censor: '*****',
    },
  });
}
