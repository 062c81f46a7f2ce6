// Pure parts of the Mimecast client: throttle maths, fail[] parsing, record normalisation,
// dates, the throttle gate, the single-flight token cache and redaction in traces.
import { throttleWaitMs } from '../../activities/mimecast/throttle-wait';
import { toMimecastDate } from '../../activities/mimecast/mimecast-date';
import { failDetails, MimecastMessageRecordSchema, parseResponse } from '../../activities/mimecast/responses';
import { ThrottleGate } from '../../activities/mimecast/throttle-gate';
import { TokenCache } from '../../activities/mimecast/token-cache';
import { ApiTracer, redactUrl } from '../../activities/mimecast/trace';
import { MimecastResponseError } from '../../activities/mimecast/errors';

describe('throttleWaitMs', () => {
  it('takes the larger of Retry-After (s) and X-RateLimit-Reset (ms → s), times the multiplier', () => {
    expect(throttleWaitMs({ 'retry-after': '2', 'x-ratelimit-reset': '500' }, 1000)).toBe(2000);
    expect(throttleWaitMs({ 'retry-after': '1', 'x-ratelimit-reset': '3500' }, 1000)).toBe(3500);
    expect(throttleWaitMs({ 'x-ratelimit-reset': '3500' }, 10)).toBe(35);
    expect(throttleWaitMs({ 'retry-after': '7' }, 10)).toBe(70);
  });
  it('waits one second (× multiplier) when neither header is present', () => {
    expect(throttleWaitMs({}, 1000)).toBe(1000);
  });
});

describe('failDetails (docs/architecture.md, Mimecast API facts)', () => {
  it('reads nested fail[].errors[]', () => {
    expect(
      failDetails({
        fail: [
          {
            key: { id: 'x' },
            errors: [{ code: 'err_validation_null', message: 'm', retryable: false, field: 'id' }],
          },
        ],
      }),
    ).toEqual([{ code: 'err_validation_null', message: 'm', retryable: false, field: 'id' }]);
  });
  it('reads flat fail[].code, a dict, a string and OAuth bodies', () => {
    expect(failDetails({ fail: [{ code: 'c1', message: 'm1' }] })).toMatchObject([
      { code: 'c1', message: 'm1' },
    ]);
    expect(failDetails({ fail: { errors: [{ code: 'c2', message: 'm2' }] } })).toMatchObject([
      { code: 'c2' },
    ]);
    expect(failDetails({ fail: 'just text' })).toMatchObject([{ message: 'just text' }]);
    expect(failDetails({ error: 'invalid_token', error_description: 'expired' })).toEqual([
      { code: 'invalid_token', message: 'expired' },
    ]);
  });
  it('finds nothing in a successful envelope', () => {
    expect(failDetails({ meta: { status: 200 }, data: [], fail: [] })).toEqual([]);
  });
});

describe('message records', () => {
  const record = {
    id: 'm1',
    received: '2024-01-03T09:12:44+0000',
    to: { emailAddress: 'a@x.com', displayableName: 'A' },
  };
  it('normalises `to` to an array and a missing subject to ""', () => {
    const r = parseResponse('/api/archive/get-message-list', MimecastMessageRecordSchema, record);
    expect(r.to).toEqual([{ emailAddress: 'a@x.com', displayableName: 'A' }]);
    expect(r.subject).toBe('');
    expect(r.expired).toBe(false);
  });
  it('names the endpoint and the field on a mismatch', () => {
    const bad = () =>
      parseResponse('/api/archive/get-message-list', MimecastMessageRecordSchema, { id: 'm1' }, 'data[3]');
    expect(bad).toThrow(MimecastResponseError);
    expect(bad).toThrow(/\/api\/archive\/get-message-list: data\[3\]\.received: /);
  });
});

describe('toMimecastDate', () => {
  it('formats as yyyy-MM-ddTHH:mm:ss+0000 in UTC, truncated to the second', () => {
    expect(toMimecastDate(new Date('2024-01-31T23:59:59.999Z'))).toBe('2024-01-31T23:59:59+0000');
    expect(toMimecastDate('2024-01-01T01:00:00+01:00')).toBe('2024-01-01T00:00:00+0000');
    expect(toMimecastDate('2024-01-01T00:00:00+0000')).toBe('2024-01-01T00:00:00+0000');
  });
});

describe('ThrottleGate', () => {
  it('pauses everyone until the latest advised time', () => {
    let now = 1000;
    const gate = new ThrottleGate(() => now);
    gate.pause(500);
    gate.pause(200);
    expect(gate.pauseRemaining()).toBe(500);
    now += 500;
    expect(gate.pauseRemaining()).toBe(0);
    // Released one at a time, not as a herd.
    expect([gate.reserveSlot(), gate.reserveSlot(), gate.reserveSlot()]).toEqual([0, 500, 1000]);
    gate.noteRateLimit(100, 90, 1000);
    expect(gate.reserveSlot()).toBe(0);
  });
  it('spaces calls over the reset time when the remaining quota runs low', () => {
    let now = 0;
    const gate = new ThrottleGate(() => now);
    gate.noteRateLimit(100, 50, 1000);
    expect(gate.reserveSlot()).toBe(0);
    // 2 calls left for the next second: one call per 500 ms, counted from this response.
    gate.noteRateLimit(100, 2, 1000);
    const waits = [gate.reserveSlot(), gate.reserveSlot(), gate.reserveSlot()];
    expect(waits).toEqual([500, 1000, 1500]);
    // A response showing the quota recovered ends the spacing.
    now = 2000;
    gate.noteRateLimit(100, 80, 1000);
    expect(gate.reserveSlot()).toBe(0);
  });

  it('stops spacing by itself when no fresh headers renew it', () => {
    let now = 0;
    const gate = new ThrottleGate(() => now);
    gate.noteRateLimit(100, 1, 100);
    expect(gate.reserveSlot()).toBe(100);
    now = 60_000;
    expect(gate.reserveSlot()).toBe(0);
  });
});

describe('TokenCache', () => {
  it('makes one request however many callers wait, and refreshes at expiry + offset', async () => {
    let now = 0;
    let fetches = 0;
    const cache = new TokenCache(
      async () => {
        fetches += 1;
        await new Promise((r) => setTimeout(r, 10));
        return { accessToken: `t${fetches}`, expiresInSeconds: 1799 };
      },
      () => now,
    );
    const tokens = await Promise.all(Array.from({ length: 20 }, () => cache.get(-60)));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(fetches).toBe(1);
    now = (1799 - 61) * 1000;
    expect(await cache.get(-60)).toBe('t1');
    now = (1799 - 60) * 1000;
    expect(await cache.get(-60)).toBe('t2');
  });
  it('drops only the token a 401 proved dead', async () => {
    let n = 0;
    const cache = new TokenCache(async () => ({ accessToken: `t${++n}`, expiresInSeconds: 1799 }));
    const t1 = await cache.get(0);
    cache.invalidate('someone-elses');
    expect(await cache.get(0)).toBe(t1);
    cache.invalidate(t1);
    expect(await cache.get(0)).toBe('t2');
  });
});

describe('ApiTracer redaction', () => {
  const lines: unknown[] = [];
  const logger = { debug: () => {}, info: (o: object) => lines.push(o), warn: () => {}, error: () => {} };
  it('drops query strings of links and masks secret-named keys and known secret values', () => {
    const tracer = new ApiTracer(logger, 'All', () => ['SECRETVALUE123', 'TOKENVALUE456']);
    tracer.call({
      method: 'GET',
      url: 'https://bucket.example/obj?X-Amz-Signature=abc',
      endpoint: 'link',
      status: 200,
      ms: 1,
      requestBody: {
        client_secret: 'zzz',
        nested: { access_token: 'yyy', note: 'has SECRETVALUE123 inside' },
      },
      responseBody: { data: [{ url: 'https://bucket.example/o?sig=1' }], echo: 'TOKENVALUE456' },
    });
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/X-Amz-Signature|sig=1|zzz|yyy|SECRETVALUE123|TOKENVALUE456/);
    expect(text).toContain('[REDACTED]');
    expect(redactUrl('https://h/p?q=1')).toBe('https://h/p?[REDACTED]');
  });
  it('logs nothing at level None and no bodies at level Calls', () => {
    lines.length = 0;
    new ApiTracer(logger, 'None', () => []).call({
      method: 'POST',
      url: 'u',
      endpoint: 'e',
      status: 200,
      ms: 1,
    });
    expect(lines).toHaveLength(0);
    new ApiTracer(logger, 'Calls', () => []).call({
      method: 'POST',
      url: 'u',
      endpoint: 'e',
      status: 200,
      ms: 1,
      requestBody: { a: 1 },
    });
    expect(JSON.stringify(lines)).not.toContain('request');
  });
  it('cuts bodies at about 2 KB', () => {
    lines.length = 0;
    new ApiTracer(logger, 'All', () => []).call({
      method: 'POST',
      url: 'u',
      endpoint: 'e',
      status: 200,
      ms: 1,
      responseBody: { big: 'x'.repeat(10_000) },
    });
    const line = (lines[0] as { mimecastTrace: { response: string } }).mimecastTrace;
    expect(line.response.length).toBeLessThan(2200);
  });
});
