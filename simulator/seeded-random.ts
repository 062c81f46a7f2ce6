// Deterministic hashing and pseudo-random numbers: the whole corpus is a function of the seed.

// Module-level copies: a global lookup of `Math` per call is very slow inside jest's vm context.
const imul = Math.imul;
const floor = Math.floor;

/** 32-bit FNV-1a over the string forms of the parts, finished with a murmur3 mix. */
export function hash32(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    const s = typeof part === 'string' ? part : '' + part;
    for (let i = 0; i < s.length; i++) h = imul(h ^ s.charCodeAt(i), 0x01000193);
    h = imul(h ^ 0x1f, 0x01000193); // separator, so ('ab','c') differs from ('a','bc')
  }
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for test data. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  static of(...parts: (string | number)[]): SeededRandom {
    return new SeededRandom(hash32(...parts));
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** Bytes derived from a hash of the parts, for opaque id filler. */
export function hashBytes(n: number, ...parts: (string | number)[]): Buffer {
  const out = Buffer.alloc(n);
  const rnd = new SeededRandom(hash32(...parts));
  for (let i = 0; i < n; i += 4) {
    const v = (rnd.next() * 4294967296) >>> 0;
    for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
  }
  return out;
}
