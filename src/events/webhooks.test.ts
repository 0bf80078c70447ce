import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import {
  checkEventTypes,
  checkWebhookUrl,
  deliveryBody,
  retryDelay,
  signature,
  verifySignature,
  WEBHOOK_BACKOFF_MS,
} from './webhooks.ts';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"seq":1,"at":"2025-01-31T09:00:00.000Z","type":"call.started"}';

  it('signs "<t>.<body>" with HMAC-SHA256, as documented', () => {
    const mac = createHmac('sha256', secret).update(`1738314000.${body}`).digest('hex');
    expect(signature(secret, body, 1738314000)).toBe(`t=1738314000,v1=${mac}`);
  });

  it('verifies its own signature, and refuses another secret, another body, an old one', () => {
    const header = signature(secret, body, 1000);
    expect(verifySignature(secret, body, header, 1000)).toBe(true);
    expect(verifySignature(secret, body, header, 1299)).toBe(true);
    expect(verifySignature('whsec_other', body, header, 1000)).toBe(false);
    expect(verifySignature(secret, `${body} `, header, 1000)).toBe(false);
    expect(verifySignature(secret, body, header, 1301)).toBe(false);
    expect(verifySignature(secret, body, undefined, 1000)).toBe(false);
    expect(verifySignature(secret, body, 'v1=abc', 1000)).toBe(false);
    expect(verifySignature(secret, body, 't=1000,v1=zz', 1000)).toBe(false);
  });

  it('accepts any one of several v1 values (a receiver rotating secrets)', () => {
    const good = signature(secret, body, 1000).split('v1=')[1];
    expect(verifySignature(secret, body, `t=1000,v1=${'0'.repeat(64)},v1=${good}`, 1000)).toBe(
      true,
    );
  });
});

describe('webhook retries', () => {
  it('waits 5 s, 30 s, 2 min, 10 min, then an hour each time', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n))).toEqual([
      5_000, 30_000, 120_000, 600_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    expect(retryDelay(2, [10, 20])).toBe(20);
    expect(retryDelay(9, [10, 20])).toBe(20);
    expect(WEBHOOK_BACKOFF_MS[0]).toBe(5_000);
  });
});

describe('webhook bodies and inputs', () => {
  it('puts seq, at and type first', () => {
    const text = deliveryBody({ callId: 'c1', type: 'call.started', at: 'A', seq: 3, orgId: 'o' });
    expect(text).toBe('{"seq":3,"at":"A","type":"call.started","callId":"c1","orgId":"o"}');
  });

  it('takes http and https URLs only, naming the field', () => {
    expect(checkWebhookUrl('https://hooks.example.com/dialbridge?k=1')).toBe(
      'https://hooks.example.com/dialbridge?k=1',
    );
    expect(checkWebhookUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
    for (const bad of [
      'ftp://example.com/',
      'example.com/hook',
      '',
      42,
      undefined,
      'x'.repeat(3000),
    ]) {
      const e = refusal(() => checkWebhookUrl(bad));
      expect(e.field).toBe('url');
      expect(e.message).toMatch(/^url must be an http:\/\/ or https:\/\/ URL/);
    }
  });

  it('refuses credentials in the URL without echoing them', () => {
    const e = refusal(() => checkWebhookUrl('https://bob:hunter2@example.com/'));
    expect(e.field).toBe('url');
    expect(e.message).not.toContain('hunter2');
  });

  it('takes known event types only; none means all', () => {
    expect(checkEventTypes('events', undefined)).toEqual([]);
    expect(checkEventTypes('events', ['call.started', 'call.ended', 'call.started'])).toEqual([
      'call.started',
      'call.ended',
    ]);
    const e = refusal(() => checkEventTypes('events', ['call.started', 'call.exploded']));
    expect(e.field).toBe('events');
    expect(e.message).toContain('"call.exploded"');
    expect(e.message).toContain('participant.joined');
    expect(refusal(() => checkEventTypes('types', 'call.started')).field).toBe('types');
  });
});
