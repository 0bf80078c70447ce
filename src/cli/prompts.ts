import { clientFor, type Print, type Target } from './command-group.ts';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../errors.ts';
import { seg } from './client.ts';

/** `dialbridge prompts …`: an organization's own recordings for prompts and music on hold. */
export function registerPromptCommands(cmd: Command, target: () => Target, print: Print): void {
  const client = clientFor(target);
  const prompts = cmd
    .command('prompts')
    .description("the attendant's prompts and music on hold: upload your own recordings");
  prompts
    .command('list')
    .description('what this organization uploaded (see --json for every prompt id)')
    .action(async () => {
      const r = (await client().call('GET', '/api/v1/prompts')) as { Uploaded: unknown[] };
      print(r.Uploaded, ['Language', 'PromptId', 'Seconds', 'UploadedBy', 'UploadedAt']);
    });
  prompts
    .command('set <language> <promptId> <file>')
    .description(
      "replace a prompt (language, or '*' for all; promptId, or music-on-hold) with a WAV file",
    )
    .action(async (language: string, promptId: string, file: string) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (err) {
        throw new ValidationError('file', `must be a readable file (${(err as Error).message})`);
      }
      print(await client().call('PUT', `/api/v1/prompts/${seg(language)}/${seg(promptId)}`, bytes));
    });
  prompts
    .command('reset <language> <promptId>')
    .description('go back to the shipped recording')
    .action(async (language: string, promptId: string) => {
      await client().call('DELETE', `/api/v1/prompts/${seg(language)}/${seg(promptId)}`);
      print({ Language: language, PromptId: promptId, reset: true });
    });
}
