/**
 * Monotonic ULID generator: 48-bit millisecond time + 80 random bits,
 * Crockford base32. Within one millisecond the random part is incremented,
 * so ids from one generator sort in creation order.
 */
import crypto from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The last two characters of an id, by its last 10 bits (the low 2 bits of byte 8, then byte 9). */
const TAIL = Array.from({ length: 1024 }, (_, v) => ALPHABET[v >> 5]! + ALPHABET[v & 31]!);

export type UlidFactory = (timeMs?: number) => string;

export function createUlidFactory(random: (n: number) => Uint8Array = (n) => crypto.randomBytes(n)): UlidFactory {
  let lastTime = -1;
  let lastRandom: Uint8Array = new Uint8Array(10);
  // The id but its last two characters (the time and the first 70 random bits): within one millisecond
  // (a whole batch shares its `now`) it changes only when the increment carries out of the last byte.
  let head = '';
  return (timeMs = Date.now()) => {
    if (timeMs <= lastTime) {
      // Same (or earlier, clock went back) millisecond: increment the random part.
      let i = 9;
      while (i >= 0 && lastRandom[i] === 255) lastRandom[i--] = 0;
      if (i >= 0) lastRandom[i]!++;
      if (i < 9) head = headOf(lastTime, lastRandom); // carried out of the last byte
    } else {
      lastTime = timeMs;
      lastRandom = random(10);
      head = headOf(lastTime, lastRandom);
    }
    return head + TAIL[((lastRandom[8]! & 3) << 8) | lastRandom[9]!];
  };
}

/** The first 24 characters of the id of `timeMs` and `bytes`: all but the random part's last 10 bits. */
function headOf(timeMs: number, bytes: Uint8Array): string {
  return encodeTime(timeMs) + encodeRandom(bytes).slice(0, 14);
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
