import { createClient, type Client } from './client.ts';

/**
 * What each command group (live, prompts, meetings, events, outbox) gets
 * from main.ts: where the service is, and how to print.
 */
export interface Target {
  url: string;
  token: string;
}

export type Print = (data: unknown, columns?: string[]) => void;

/** A client for the target, resolved when a command runs (so --url/--token apply). */
export const clientFor = (target: () => Target) => (): Client => {
  const t = target();
  return createClient(t.url, t.token);
};
