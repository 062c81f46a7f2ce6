// Opaque page tokens: they carry the offset, the query they belong to, when they were issued and the
// shuffle seed of an 'unstable' listing, signed so a tampered token is rejected.
import { hash32 } from './seeded-random';

export interface PageTokenState {
  /** Hash of the query (endpoint, mailbox, view, start, end, pageSize, flags). */
  q: number;
  /** Offset of the first record of the page the token points to. */
  o: number;
  /** Issue time, ms of the simulator clock. */
  t: number;
  /** Shuffle seed for the 'unstable' order. */
  s: number;
}

export function encodePageToken(state: PageTokenState): string {
  const body = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${body}.${hash32('page-token', body).toString(36)}`;
}

export function decodePageToken(token: unknown): PageTokenState | null {
  if (typeof token !== 'string') return null;
  const dot = token.lastIndexOf('.');
  if (dot < 1) return null;
  const body = token.slice(0, dot);
  if (hash32('page-token', body).toString(36) !== token.slice(dot + 1)) return null;
  try {
    const s = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as PageTokenState;
    if (![s.q, s.o, s.t, s.s].every((n) => typeof n === 'number' && Number.isFinite(n)) || s.o < 0)
      return null;
    return s;
  } catch {
    return null;
  }
}
