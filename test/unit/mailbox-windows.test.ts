// Window maths of docs/architecture.md, Tokens and windows: [S, E], 7-day windows oldest first, halving,
// effective token.
import {
  effectiveToken,
  halveWindow,
  isoSecond,
  missingEarlierRange,
  passRange,
  splitWindows,
} from '../../workflows/mailbox-windows';

const now = Date.parse('2024-03-01T12:00:00.750Z');

describe('passRange', () => {
  it('covers startDate to now on a first pass, at one-second resolution', () => {
    expect(
      passRange({ startDate: '2024-01-01T00:00:00Z', deltaTokenOffsetMinutes: -60, nowMs: now }),
    ).toEqual({
      start: '2024-01-01T00:00:00Z',
      end: '2024-03-01T12:00:00Z',
    });
  });

  it('ends at endDate when it is before now', () => {
    expect(
      passRange({
        startDate: '2024-01-01T00:00:00Z',
        endDate: '2024-02-01T23:59:59Z',
        deltaTokenOffsetMinutes: 0,
        nowMs: now,
      }),
    ).toEqual({ start: '2024-01-01T00:00:00Z', end: '2024-02-01T23:59:59Z' });
  });

  it('starts at the token plus the (negative) offset', () => {
    expect(
      passRange({
        startDate: '2024-01-01T00:00:00Z',
        token: '2024-02-20T10:00:00Z',
        deltaTokenOffsetMinutes: -60,
        nowMs: now,
      }),
    ).toEqual({ start: '2024-02-20T09:00:00Z', end: '2024-03-01T12:00:00Z' });
  });

  it('never starts before startDate even when the overlap reaches back further', () => {
    expect(
      passRange({
        startDate: '2024-02-20T09:30:00Z',
        token: '2024-02-20T10:00:00Z',
        deltaTokenOffsetMinutes: -60,
        nowMs: now,
      }),
    ).toEqual({ start: '2024-02-20T09:30:00Z', end: '2024-03-01T12:00:00Z' });
  });

  it('is empty when the start lies after the end', () => {
    expect(
      passRange({ startDate: '2024-04-01T00:00:00Z', deltaTokenOffsetMinutes: 0, nowMs: now }),
    ).toBeUndefined();
  });
});

describe('splitWindows', () => {
  it('splits into 7-day windows, oldest first, sharing boundary seconds and ending exactly at E', () => {
    const windows = splitWindows({ start: '2024-01-01T00:00:00Z', end: '2024-01-20T06:00:00Z' });
    expect(windows).toEqual([
      { start: '2024-01-01T00:00:00Z', end: '2024-01-08T00:00:00Z' },
      { start: '2024-01-08T00:00:00Z', end: '2024-01-15T00:00:00Z' },
      { start: '2024-01-15T00:00:00Z', end: '2024-01-20T06:00:00Z' },
    ]);
  });

  it('keeps a one-second range as one window', () => {
    expect(splitWindows({ start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:00:00Z' })).toEqual([
      { start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:00:00Z' },
    ]);
  });

  it('honours another window length', () => {
    expect(splitWindows({ start: '2024-01-01T00:00:00Z', end: '2024-01-03T00:00:00Z' }, 1)).toHaveLength(2);
  });
});

describe('halveWindow', () => {
  it('splits at the middle second, both halves sharing it', () => {
    expect(halveWindow({ start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:00:10Z' })).toEqual([
      { start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:00:05Z' },
      { start: '2024-01-01T00:00:05Z', end: '2024-01-01T00:00:10Z' },
    ]);
  });

  it('cannot halve a window shorter than two seconds', () => {
    expect(halveWindow({ start: '2024-01-01T00:00:00Z', end: '2024-01-01T00:00:01Z' })).toBeUndefined();
  });
});

describe('effectiveToken', () => {
  it('is the lower of token and watermark', () => {
    expect(effectiveToken('2024-02-01T00:00:00Z', '2024-01-15T00:00:00Z')).toBe('2024-01-15T00:00:00Z');
    expect(effectiveToken('2024-01-10T00:00:00Z', '2024-01-15T00:00:00Z')).toBe('2024-01-10T00:00:00Z');
  });
  it('is absent without a watermark (a dropped index is re-filled) or without a token', () => {
    expect(effectiveToken('2024-02-01T00:00:00Z', undefined)).toBeUndefined();
    expect(effectiveToken(undefined, '2024-02-01T00:00:00Z')).toBeUndefined();
  });
});

describe('missingEarlierRange', () => {
  it('is the range between an earlier startDate and where coverage began', () => {
    expect(missingEarlierRange('2023-12-01T00:00:00Z', '2024-01-01T00:00:00Z')).toEqual({
      start: '2023-12-01T00:00:00Z',
      end: '2024-01-01T00:00:00Z',
    });
  });
  it('is absent when startDate did not move earlier', () => {
    expect(missingEarlierRange('2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')).toBeUndefined();
    expect(missingEarlierRange('2024-01-01T00:00:00Z', undefined)).toBeUndefined();
  });
});

it('isoSecond truncates milliseconds', () => {
  expect(isoSecond(Date.parse('2024-01-01T00:00:00.999Z'))).toBe('2024-01-01T00:00:00Z');
});
