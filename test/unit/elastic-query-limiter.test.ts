// The per-source query semaphore: never more than the limit at once, per source, resizable.
import { QueryLimiter, queryLimiterFor } from '../../activities/elastic/query-limiter';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('runs at most `limit` queries at once and admits waiting ones as others finish', async () => {
  const limiter = new QueryLimiter(2);
  const gates = [deferred(), deferred(), deferred()];
  let peak = 0;
  let running = 0;
  const runs = gates.map((gate, i) =>
    limiter.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await gate.promise;
      running--;
      return i;
    }),
  );
  await new Promise((r) => setImmediate(r));
  expect(limiter.active).toBe(2);
  gates[0]!.resolve();
  await runs[0];
  await new Promise((r) => setImmediate(r));
  expect(limiter.active).toBe(2);
  gates[1]!.resolve();
  gates[2]!.resolve();
  expect(await Promise.all(runs)).toEqual([0, 1, 2]);
  expect(peak).toBe(2);
  expect(limiter.active).toBe(0);
});

test('a failing query frees its slot', async () => {
  const limiter = new QueryLimiter(1);
  await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  expect(await limiter.run(async () => 'next')).toBe('next');
});

test('one limiter per source in the process, resized by later settings', async () => {
  const a = queryLimiterFor('limiter-test-a', 1);
  expect(queryLimiterFor('limiter-test-a', 3)).toBe(a);
  expect(queryLimiterFor('limiter-test-b', 1)).not.toBe(a);
  const gate = deferred();
  const held = [a.run(() => gate.promise), a.run(() => gate.promise), a.run(() => gate.promise)];
  await new Promise((r) => setImmediate(r));
  expect(a.active).toBe(3);
  gate.resolve();
  await Promise.all(held);
});
