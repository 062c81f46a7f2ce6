// Pure building blocks of the simulator: opaque ids, page tokens, the rate limiter, dates, the unstable order.
import {
  decodeAttachmentId,
  decodeMessageId,
  encodeAttachmentId,
  encodeMessageId,
} from '../../simulator/opaque-ids';
import { decodePageToken, encodePageToken } from '../../simulator/page-tokens';
import { RateLimiter } from '../../simulator/rate-limiter';
import { defaultListWindow, formatMimecastDate, parseMimecastDate } from '../../simulator/mimecast-date';
import { permuteWithinSecond } from '../../simulator/api-server';

describe('simulator building blocks', () => {
  it('round-trips message and attachment ids and rejects truncated or altered ones', () => {
    const ref = { kind: 'local' as const, mailboxIdx: 7, view: 'SENT' as const, index: 123_456 };
    const id = encodeMessageId(ref);
    expect(id.startsWith('eNpV')).toBe(true);
    expect(id.length).toBeGreaterThan(100);
    expect(decodeMessageId(id)).toEqual(ref);
    expect(decodeMessageId(id.slice(0, -1))).toBeNull();
    expect(decodeMessageId(id.slice(0, 40) + (id[40] === 'A' ? 'B' : 'A') + id.slice(41))).toBeNull();
    const att = encodeAttachmentId(ref, 3);
    expect(decodeAttachmentId(att)).toEqual({ ...ref, attachment: 3 });
    expect(decodeMessageId(att)).toBeNull();
    expect(decodeAttachmentId(id)).toBeNull();
  });

  it('signs page tokens so a tampered token is rejected', () => {
    const t = encodePageToken({ q: 1, o: 200, t: 5, s: 9 });
    expect(decodePageToken(t)).toEqual({ q: 1, o: 200, t: 5, s: 9 });
    expect(decodePageToken(t.replace(/^./, (c) => (c === 'e' ? 'f' : 'e')))).toBeNull();
    expect(decodePageToken('nexttoken')).toBeNull();
    expect(decodePageToken(42)).toBeNull();
  });

  it('rate-limits per key with a reset in milliseconds until one more call is allowed', () => {
    const rl = new RateLimiter(2, 1000);
    expect(rl.take('a', 0)).toMatchObject({ allowed: true, remaining: 1 });
    expect(rl.take('a', 0)).toMatchObject({ allowed: true, remaining: 0 });
    const denied = rl.take('a', 0);
    expect(denied).toMatchObject({ allowed: false, remaining: 0, resetMs: 500 });
    expect(rl.take('b', 0).allowed).toBe(true);
    expect(rl.take('a', 500).allowed).toBe(true);
  });

  it('formats and parses Mimecast dates, and computes the default list window', () => {
    expect(formatMimecastDate(Date.UTC(2015, 10, 16, 14, 49, 18))).toBe('2015-11-16T14:49:18+0000');
    expect(parseMimecastDate('2015-11-16T14:49:18+0000')).toBe(Date.UTC(2015, 10, 16, 14, 49, 18));
    expect(parseMimecastDate('2015-11-16T15:49:18+0100')).toBe(Date.UTC(2015, 10, 16, 14, 49, 18));
    expect(parseMimecastDate('2015-11-16T14:49:18Z')).toBeNull();
    expect(parseMimecastDate('2015-02-30T00:00:00+0000')).toBeNull();
    const w = defaultListWindow(Date.UTC(2024, 0, 15, 10));
    expect(formatMimecastDate(w.start)).toBe('2023-12-01T00:00:00+0000');
    expect(formatMimecastDate(w.end)).toBe('2024-01-15T23:59:59+0000');
  });

  it('permutes only within a run of equal seconds, as a bijection', () => {
    const times = Float64Array.from([1, 2, 2, 2, 2, 2, 2, 3, 4, 4]);
    const out = Array.from(times, (_, i) => permuteWithinSecond(times, i, 12345));
    expect([...out].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    out.forEach((a, i) => expect(times[a]).toBe(times[i]));
  });
});
