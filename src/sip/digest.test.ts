import { describe, expect, it } from 'vitest';
import { DigestAuthenticator, digestResponse, parseParams } from './digest.ts';

describe('SIP digest authentication', () => {
  let t = 1_800_000_000_000;
  const auth = new DigestAuthenticator('dialbridge', { trunk1: 'correct horse battery' }, () => t);
  const nonceOf = (challenge: string) => parseParams(challenge.replace(/^Digest /, '')).nonce!;
  const answer = (
    nonce: string,
    password = 'correct horse battery',
    uri = 'sip:14255550100@bridge',
  ) =>
    digestResponse({
      username: 'trunk1',
      password,
      realm: 'dialbridge',
      nonce,
      method: 'INVITE',
      uri,
    });

  it('challenges with realm, nonce and qop, and accepts the right answer', () => {
    const c = auth.challenge();
    expect(c).toMatch(/^Digest realm="dialbridge", nonce="[^"]+", algorithm=MD5, qop="auth"$/);
    expect(auth.verify(answer(nonceOf(c)), 'INVITE')).toBe('ok');
  });

  it('refuses a wrong password, an unknown user, a forged nonce, another method or realm', () => {
    const nonce = nonceOf(auth.challenge());
    expect(auth.verify(answer(nonce, 'wrong password'), 'INVITE')).toBe('bad');
    expect(
      auth.verify(answer(nonce).replace('username="trunk1"', 'username="nobody"'), 'INVITE'),
    ).toBe('bad');
    expect(auth.verify(answer(`${nonce.split('.')[0]}.forged`), 'INVITE')).toBe('bad');
    expect(auth.verify(answer(nonce), 'BYE')).toBe('bad');
    expect(
      auth.verify(answer(nonce).replace('realm="dialbridge"', 'realm="other"'), 'INVITE'),
    ).toBe('bad');
    expect(auth.verify(undefined, 'INVITE')).toBe('missing');
    expect(auth.verify('Basic dHJ1bms6cA==', 'INVITE')).toBe('missing');
  });

  it('says stale for right credentials on an expired nonce, so the phone retries without asking anyone', () => {
    const nonce = nonceOf(auth.challenge());
    t += 6 * 60_000;
    expect(auth.verify(answer(nonce), 'INVITE')).toBe('stale');
    expect(auth.challenge(true)).toContain('stale=true');
  });

  it('is off without credentials', () => {
    expect(new DigestAuthenticator('r', {}).enabled).toBe(false);
  });
});
