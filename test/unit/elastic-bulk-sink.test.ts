// BulkSink against a tiny HTTP stand-in speaking the _bulk protocol, for what a healthy real node
// will not do on demand: throttle items with 429, or refuse the whole request. (The integration
// suite runs the sink against the real Elasticsearch.)
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { BulkSink, backoffDelay, type BulkOp } from '../../activities/elastic/bulk-sink';

interface FakeNode {
  url: string;
  requests: { action: string; id: string }[][];
  /** id → how many more times it is throttled. */
  throttle: Map<string, number>;
  failRequests: number;
  close(): Promise<void>;
}

async function startFakeNode(): Promise<FakeNode> {
  const node: Omit<FakeNode, 'url' | 'close'> = { requests: [], throttle: new Map(), failRequests: 0 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.setHeader('x-elastic-product', 'Elasticsearch');
      res.setHeader('content-type', 'application/json');
      if (node.failRequests > 0) {
        node.failRequests--;
        res.statusCode = 400;
        res.end(
          JSON.stringify({ error: { type: 'illegal_argument_exception', reason: 'refused' }, status: 400 }),
        );
        return;
      }
      const lines = body
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const seen: { action: string; id: string }[] = [];
      const items: object[] = [];
      for (let i = 0; i < lines.length; i++) {
        const action = Object.keys(lines[i])[0]!;
        const { _id: id, _index: index } = lines[i][action];
        if (action !== 'delete') i++;
        seen.push({ action, id });
        const left = node.throttle.get(id) ?? 0;
        if (left > 0) {
          node.throttle.set(id, left - 1);
          items.push({
            [action]: {
              _index: index,
              _id: id,
              status: 429,
              error: { type: 'es_rejected_execution_exception', reason: 'queue full' },
            },
          });
        } else {
          items.push({ [action]: { _index: index, _id: id, status: 200, result: 'updated' } });
        }
      }
      node.requests.push(seen);
      res.end(
        JSON.stringify({
          took: 1,
          errors: items.some((it) => JSON.stringify(it).includes('"status":429')),
          items,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(node, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const doc = (id: string, extra: Partial<BulkOp> = {}): BulkOp =>
  ({ action: 'index', index: 'i', id, doc: { n: id }, ...extra }) as BulkOp;

let node: FakeNode;
let es: Client;
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

beforeEach(async () => {
  node = await startFakeNode();
  es = new Client({ node: node.url, maxRetries: 0 });
  sleeps.length = 0;
});
afterEach(async () => {
  await es.close();
  await node.close();
});

test('throttled items are retried alone, with growing delays, until they pass', async () => {
  node.throttle.set('b', 2);
  const result = await new BulkSink(es, { sleep, baseDelayMs: 100 }).write([doc('a'), doc('b'), doc('c')]);
  expect(result).toEqual({ failed: [], succeeded: 3, throttledRetries: 2, deferred: [] });
  expect(node.requests.map((r) => r.map((x) => x.id))).toEqual([['a', 'b', 'c'], ['b'], ['b']]);
  expect(sleeps).toHaveLength(2);
  expect(sleeps[0]!).toBeGreaterThanOrEqual(50);
  expect(sleeps[0]!).toBeLessThanOrEqual(100);
  expect(sleeps[1]!).toBeGreaterThanOrEqual(100);
  expect(sleeps[1]!).toBeLessThanOrEqual(200);
});

test('an item still throttled after the last retry is returned as failed, never dropped', async () => {
  node.throttle.set('b', 99);
  const throttledRounds: number[] = [];
  const result = await new BulkSink(es, {
    sleep,
    throttleRetries: 2,
    onThrottled: (t) => throttledRounds.push(t.round),
  }).write([doc('a'), doc('b')]);
  expect(result.succeeded).toBe(1);
  expect(result.failed).toEqual([
    {
      index: 'i',
      id: 'b',
      action: 'index',
      status: 429,
      reason: expect.stringMatching(/throttled by Elasticsearch after 3 attempts/),
    },
  ]);
  expect(throttledRounds).toEqual([0, 1]);
});

test('commitLast operations are sent only after the others were acknowledged', async () => {
  node.throttle.set('a', 1);
  await new BulkSink(es, { sleep }).write([doc('watermark', { commitLast: true }), doc('a'), doc('b')]);
  expect(node.requests.map((r) => r.map((x) => x.id))).toEqual([['a', 'b'], ['a'], ['watermark']]);
});

test('commitLast operations are held back, not written, when another operation failed', async () => {
  node.throttle.set('a', 99);
  const watermark = doc('watermark', { commitLast: true });
  const result = await new BulkSink(es, { sleep, throttleRetries: 0 }).write([watermark, doc('a'), doc('b')]);
  expect(result.failed.map((f) => f.id)).toEqual(['a']);
  expect(result.deferred).toEqual([watermark]);
  expect(node.requests.flat().map((r) => r.id)).not.toContain('watermark');
});

test('a refused request rejects the write (the activity retries the batch) and commitLast ops are not sent', async () => {
  node.failRequests = 1;
  await expect(
    new BulkSink(es, { sleep }).write([doc('a'), doc('watermark', { commitLast: true })]),
  ).rejects.toThrow(/illegal_argument_exception/);
  expect(node.requests).toEqual([]);
});

test('bytes bound each request: a large batch goes out in several', async () => {
  const ops = Array.from({ length: 50 }, (_, i) => ({
    action: 'index' as const,
    index: 'i',
    id: `d${i}`,
    doc: { body: 'x'.repeat(1000) },
  }));
  const result = await new BulkSink(es, { sleep, flushBytes: 10_000, concurrency: 1 }).write(ops);
  expect(result.succeeded).toBe(50);
  expect(node.requests.length).toBeGreaterThanOrEqual(5);
  expect(
    node.requests
      .flat()
      .map((r) => r.id)
      .sort(),
  ).toEqual(ops.map((o) => o.id).sort());
});

test('backoffDelay grows exponentially up to the cap, with jitter in the upper half', () => {
  for (let i = 0; i < 20; i++) {
    expect(backoffDelay(0, 100, 1000)).toBeGreaterThanOrEqual(50);
    expect(backoffDelay(3, 100, 1000)).toBeGreaterThanOrEqual(400);
    expect(backoffDelay(10, 100, 1000)).toBeLessThanOrEqual(1000);
  }
});
