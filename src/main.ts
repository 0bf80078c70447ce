import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startService, CREDENTIALS_FILE } from './service.ts';
import { join } from 'node:path';
import { DomainError } from './errors.ts';

/** `npm start`: run the service until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`dialbridge: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const service = await startService(config, log);
  if (service.firstToken) {
    // Printed once, outside the structured log, so it never reaches log storage.
    process.stderr.write(
      `\nFirst start: an administrator token was created. It is shown only now:\n\n  ${service.firstToken}\n\n` +
        `The local command line reads it from ${join(config.dataDir, CREDENTIALS_FILE)} (owner-only).\n` +
        `Admin center: ${service.url}/ (sign in with the token, or make an account with\n` +
        `  npx dialbridge accounts add <username>)\n` +
        `Try: npx dialbridge demo\n\n`,
    );
  }
  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const msg = err instanceof DomainError ? err.message : ((err as Error).stack ?? String(err));
  process.stderr.write(`dialbridge failed to start: ${msg}\n`);
  process.exit(1);
});
