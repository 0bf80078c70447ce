import { randomInt, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** What is shown wherever a PIN would be, after the one reply that reveals it. */
export const MASKED_PIN = '*****';

/**
 * True for PINs a caller would guess first: one repeated digit (11111), a run
 * up or down (12345, 98765, also wrapping: 89012), or two digits alternating (12121).
 */
export function isTrivialPin(pin: string): boolean {
  const d = [...pin].map(Number);
  if (d.every((x) => x === d[0])) return true;
  const steps = d.slice(1).map((x, i) => (x - d[i]! + 10) % 10);
  if (steps.every((s) => s === 1) || steps.every((s) => s === 9)) return true;
  if (d.length >= 4 && d.every((x, i) => x === d[i % 2])) return true;
  return false;
}

/** A PIN of `length` digits from the cryptographic random source, never trivial. */
export function generatePin(length: number): string {
  for (;;) {
    let pin = '';
    for (let i = 0; i < length; i++) pin += String(randomInt(10));
    if (!isTrivialPin(pin)) return pin;
  }
}

// scrypt parameters: N=2^14, r=8, p=1 costs tens of milliseconds and 16 MiB a try.
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function derive(pin: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, KEYLEN, { N: n, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Salted slow hash: "scrypt$N$r$p$salt$hash" (base64), so parameters can rise later. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(pin, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}
