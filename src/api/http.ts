import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors.ts';

/** The JSON body as a record, refusing fields the route does not know. */
export function body(req: FastifyRequest, allowed: readonly string[]): Record<string, unknown> {
  const b = req.body ?? {};
  if (typeof b !== 'object' || Array.isArray(b)) {
    throw new DomainError('body must be a JSON object.', 'validation', 'body');
  }
  for (const k of Object.keys(b)) {
    if (!allowed.includes(k)) {
      throw new DomainError(
        `${k} is not a field of this request; fields are ${allowed.join(', ')}.`,
        'validation',
        k,
      );
    }
  }
  return b as Record<string, unknown>;
}

/** A query-string value that must be text when present. */
export function queryText(req: FastifyRequest, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Loose JSON-schema helpers: these document the API for OpenAPI readers. */
export const S = {
  obj: (properties: Record<string, unknown>, required: string[] = []) => ({
    type: 'object',
    properties,
    required,
  }),
  str: (description?: string) => ({ type: 'string', description }),
  bool: (description?: string) => ({ type: 'boolean', description }),
  int: (description?: string) => ({ type: 'integer', description }),
  strs: (description?: string) => ({ type: 'array', items: { type: 'string' }, description }),
  identity: {
    type: 'object',
    properties: { identity: { type: 'string' } },
    required: ['identity'],
  },
};
