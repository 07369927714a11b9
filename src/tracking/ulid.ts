/**
 * Monotonic ULID generator: 48-bit millisecond time + 80 random bits,
 * Crockford base32. Within one millisecond the random part is incremented,
 * so ids from one generator sort in creation order.
 */
import crypto from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type UlidFactory = (timeMs?: number) => string;

export function createUlidFactory(random: (n: number) => Uint8Array = (n) => crypto.randomBytes(n)): UlidFactory {
  let lastTime = -1;
  let lastRandom: Uint8Array = new Uint8Array(10);
  return (timeMs = Date.now()) => {
    if (timeMs <= lastTime) {
      // Same (or earlier, clock went back) millisecond: increment the random part.
      timeMs = lastTime;
      for (let i = 9; i >= 0; i--) {
        if (lastRandom[i]! < 255) {
          lastRandom[i]!++;
          break;
        }
        lastRandom[i] = 0;
      }
    } else {
      lastTime = timeMs;
      lastRandom = random(10);
    }
    return encodeTime(timeMs) + encodeRandom(lastRandom);
  };
}

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits → 16 base32 characters, 5 bits at a time.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}
