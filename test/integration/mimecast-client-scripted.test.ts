// The client against a scripted loopback server, for what needs exact headers and timings:
// measured 429 waits with the multiplier, the throttle budget (ThrottledError with
// nextRetryDelay), bounded 5xx retries, malformed JSON, and single-use links re-requested.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallScope } from '../../activities/mimecast/call-scope';
import { MimecastClientProvider } from '../../activities/mimecast/client-provider';
import { MimecastHttpError, ThrottledError, TransientError } from '../../activities/mimecast/errors';
import type { RetryPolicy } from '../../activities/mimecast/retry-policy';
import { parseSettingsLenient } from '../../common/settings';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
interface Arrival {
  at: number;
  path: string;
  authorization?: string;
}

let server: Server;
let base: string;
let handler: Handler;
const arrivals: Arrival[] = [];
const providers: MimecastClientProvider[] = [];

const OK_DOMAINS = JSON.stringify({
  meta: { status: 200 },
  data: [{ id: 'd1', domain: 'example.com', local: false }],
  fail: [],
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/oauth/token')
        return json(res, 200, { access_token: 'scripted-token-xyz', token_type: 'Bearer', expires_in: 1799 });
      arrivals.push({ at: performance.now(), path, authorization: req.headers.authorization });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(providers.map((p) => p.close()));
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  arrivals.length = 0;
});

/** A client of the scripted server (or of `endpoint`), with short retries and a silent logger. */
function client(
  performance: { retryAfterMultiplier?: number } = {},
  o: { endpoint?: string; sourceId?: string; retry?: Partial<RetryPolicy> } = {},
) {
  const endpoint = o.endpoint ?? base;
  const provider = new MimecastClientProvider({
    env: {
      MIMECAST_CLIENT_ID: 'id',
      MIMECAST_CLIENT_SECRET: 'scripted-secret',
      MIMECAST_DEV_HOSTS: 'loopback',
    },
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    retry: o.retry ?? { transientRetries: 2, baseDelayMs: 10, maxDelayMs: 40, waitSliceMs: 50 },
  });
  providers.push(provider);
  return provider.forSettings(
    parseSettingsLenient({
      sourceId: o.sourceId ?? 'scripted',
      messages: { startDate: '2024-01-01' },
      connection: { apiEndpoint: endpoint, authEndpoint: `${endpoint}/oauth/token` },
      performance,
    }),
  );
}

/** Answers 429 with the given headers `times` times, then the domain list. */
function throttleThenOk(times: number, headers: Record<string, string>): Handler {
  let left = times;
  return (_req, res) => {
    if (left-- > 0) return json(res, 429, { meta: { status: 429 }, data: [], fail: [] }, headers);
    json(res, 200, OK_DOMAINS);
  };
}

describe('429 handling', () => {
  it('waits X-RateLimit-Reset (ms → s) × multiplier when it is the larger value', async () => {
    handler = throttleThenOk(1, { 'Retry-After': '1', 'X-RateLimit-Reset': '3000' });
    const scope = new CallScope();
    await client({ retryAfterMultiplier: 100 }).withCallScope(scope).listInternalDomains();
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1].at - arrivals[0].at).toBeGreaterThanOrEqual(300);
    expect(scope.counters).toMatchObject({ apiCalls: 2, throttled: 1 });
    // The counter holds the time actually slept after the 429 arrived (a few ms already passed).
    expect(scope.counters.throttleWaitMs).toBeGreaterThanOrEqual(280);
  });

  it('waits Retry-After (s) × multiplier when it is the larger value', async () => {
    handler = throttleThenOk(1, { 'Retry-After': '4', 'X-RateLimit-Reset': '500' });
    await client({ retryAfterMultiplier: 100 }).listInternalDomains();
    expect(arrivals[1].at - arrivals[0].at).toBeGreaterThanOrEqual(400);
  });

  it('heartbeats through onWait while it waits', async () => {
    handler = throttleThenOk(1, { 'X-RateLimit-Reset': '3000' });
    const waits: number[] = [];
    await client({ retryAfterMultiplier: 100 })
      .withCallObserver({ onWait: (ms) => waits.push(ms) })
      .listInternalDomains();
    // 300 ms in slices of at most 50 ms.
    expect(waits.length).toBeGreaterThanOrEqual(6);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(280);
  });

  it('throws ThrottledError with nextRetryDelay once the wait would exceed the scope budget', async () => {
    handler = throttleThenOk(1, { 'X-RateLimit-Reset': '90000' });
    const scope = new CallScope({ maxThrottleWaitMs: 1000 });
    const started = performance.now();
    const err = await client({ retryAfterMultiplier: 1000 })
      .withCallScope(scope)
      .listInternalDomains()
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(ThrottledError);
    expect((err as ThrottledError).nextRetryDelayMs).toBeGreaterThan(80_000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(arrivals).toHaveLength(1);
  });
});

describe('transient failures', () => {
  it('retries 5xx a bounded number of times with backoff, then throws a transient error', async () => {
    handler = (_req, res) => json(res, 503, '');
    const err = await client()
      .listInternalDomains()
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(MimecastHttpError);
    expect(err).toMatchObject({ kind: 'transient', httpStatus: 503 });
    expect(arrivals).toHaveLength(3);
  });

  it('recovers when a 5xx is followed by success', async () => {
    let n = 0;
    handler = (_req, res) =>
      n++ === 0 ? json(res, 502, '<html>bad gateway</html>') : json(res, 200, OK_DOMAINS);
    await expect(client().listInternalDomains()).resolves.toHaveLength(1);
  });

  it('retries a malformed JSON body', async () => {
    let n = 0;
    handler = (_req, res) => (n++ === 0 ? json(res, 200, '{"meta": {"stat') : json(res, 200, OK_DOMAINS));
    await expect(client().listInternalDomains()).resolves.toEqual([
      expect.objectContaining({ domain: 'example.com' }),
    ]);
    expect(arrivals).toHaveLength(2);
  });

  it('names endpoint and field when a response does not match the schema', async () => {
    handler = (_req, res) =>
      json(res, 200, { meta: { status: 200 }, data: [{ id: 'd1', domain: 42 }], fail: [] });
    await expect(client().listInternalDomains()).rejects.toThrow(
      /\/api\/domain\/get-internal-domain: data\[0\]\.domain: /,
    );
  });
});

describe('item-scoped responses', () => {
  it('makes a malformed message detail an item error, so the page goes on', async () => {
    handler = (_req, res) =>
      json(res, 200, { meta: { status: 200 }, data: [{ subject: 'no id' }], fail: [] });
    const err = await client()
      .getMessageDetail('m1')
      .catch((e: Error) => e);
    expect(err).toMatchObject({ kind: 'item', endpoint: '/api/archive/get-message-detail' });
    expect((err as Error).message).toMatch(/data\[0\]\.id/);
  });
});

describe('network errors', () => {
  it('retries a refused connection a bounded number of times, then throws a transient error', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const c = client(
      {},
      {
        endpoint: `http://127.0.0.1:${port}`,
        sourceId: 'dead',
        retry: { transientRetries: 2, baseDelayMs: 5, maxDelayMs: 10 },
      },
    );
    const err = await c.listInternalDomains().catch((e: Error) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    expect((err as Error).message).not.toContain('scripted-secret');
  });
});

describe('download links', () => {
  it('re-requests a failed link from the API instead of retrying it, and sends no token to a foreign origin', async () => {
    const foreign = createServer((req, res) => {
      arrivals.push({
        at: performance.now(),
        path: `foreign:${req.url}`,
        authorization: req.headers.authorization,
      });
      // The first link is "used up"; the second works.
      if (req.url?.includes('link-1')) return json(res, 410, { fail: [{ code: 'gone', message: 'used' }] });
      res.writeHead(200, { 'content-type': 'message/rfc822' });
      res.end('Subject: hi\r\n\r\nbody');
    });
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', () => r()));
    const foreignBase = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    let n = 0;
    handler = (_req, res) =>
      json(res, 200, {
        meta: { status: 200 },
        data: [{ url: `${foreignBase}/link-${++n}?X-Sig=abc` }],
        fail: [],
      });
    try {
      const scope = new CallScope();
      const bytes = await client().withCallScope(scope).getMessagePart({
        id: 'm1',
        mailbox: 'a@example.com',
        type: 'RFC822',
        context: 'RECEIVED',
        maxBytes: 1000,
      });
      expect(bytes.toString()).toBe('Subject: hi\r\n\r\nbody');
      expect(arrivals.map((a) => a.path)).toEqual([
        '/api/archive/get-message-part',
        'foreign:/link-1?X-Sig=abc',
        '/api/archive/get-message-part',
        'foreign:/link-2?X-Sig=abc',
      ]);
      expect(
        arrivals.filter((a) => a.path.startsWith('foreign:')).every((a) => a.authorization === undefined),
      ).toBe(true);
      expect(scope.counters).toMatchObject({ apiCalls: 2, linkGets: 2 });
    } finally {
      foreign.closeAllConnections();
      await new Promise((r) => foreign.close(r));
    }
  });

  it('sends the token to a link on the API origin', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/files/')) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(Buffer.from([1, 2, 3]));
      }
      json(res, 200, { meta: { status: 200 }, data: [{ urls: [`${base}/files/f1`] }], fail: [] });
    };
    const bytes = await client().getFile({ id: 'f1', maxBytes: 10 });
    expect([...bytes]).toEqual([1, 2, 3]);
    expect(arrivals[1]).toMatchObject({ path: '/files/f1', authorization: 'Bearer scripted-token-xyz' });
  });

  it('gives up with a transient error after three failed links', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/gone')) return json(res, 404, '');
      json(res, 200, { meta: { status: 200 }, data: [{ url: `${base}/gone/${arrivals.length}` }], fail: [] });
    };
    const err = await client()
      .getFile({ id: 'f1', maxBytes: 10 })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(new Set(arrivals.filter((a) => a.path.startsWith('/gone')).map((a) => a.path)).size).toBe(3);
  });
});
