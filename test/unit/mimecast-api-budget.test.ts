import { ApiBudget, type BudgetSlot } from '../../activities/mimecast/api-budget';

/** Takes every free slot (as many callers would). */
function fill(budget: ApiBudget): BudgetSlot[] {
  const slots: BudgetSlot[] = [];
  for (let slot = budget.tryAcquire(); slot; slot = budget.tryAcquire()) slots.push(slot);
  return slots;
}

/** One round: every slot taken, answered with the given quota headers, released. */
function round(budget: ApiBudget, limit?: number, remaining?: number): void {
  for (const slot of fill(budget)) {
    slot.answered(limit, remaining);
    slot.release();
  }
}

describe('ApiBudget (AIMD concurrency per app)', () => {
  test('doubles per round until a quarter of the quota is gone, then grows by one slot per round', () => {
    const budget = new ApiBudget({ initial: 4, max: 64 });
    round(budget, 1000, 900);
    expect(budget.limit).toBe(8);
    round(budget, 1000, 900);
    expect(budget.limit).toBe(16);
    // Strain while doubling: the round in flight was already twice too big.
    round(budget, 1000, 700);
    expect(budget.limit).toBe(8);
    for (let i = 0; i < 10; i++) round(budget, 1000, 900);
    expect(budget.limit).toBe(18);
  });

  test('does not grow when the callers do not use the whole budget', () => {
    const budget = new ApiBudget({ initial: 8 });
    for (let i = 0; i < 100; i++) {
      const slot = budget.tryAcquire()!;
      slot.answered(1000, 900);
      slot.release();
    }
    expect(budget.limit).toBe(8);
  });

  test('halves on a 429, once per round, never below the minimum', () => {
    const budget = new ApiBudget({ initial: 16, min: 2 });
    const slots = fill(budget);
    expect(slots).toHaveLength(16);
    // Every call of the round was throttled: one cut, not sixteen.
    for (const slot of slots) {
      slot.throttled();
      slot.release();
    }
    expect(budget.limit).toBe(8);
    for (let i = 0; i < 10; i++) {
      const round = fill(budget);
      round[0]!.throttled();
      for (const slot of round) slot.release();
    }
    expect(budget.limit).toBe(2);
    expect(budget.snapshot().inFlight).toBe(0);
  });

  test('cuts by a fifth when X-RateLimit-Remaining runs low', () => {
    const budget = new ApiBudget({ initial: 20, lowRemainingShare: 0.2 });
    round(budget, 100, 10);
    expect(budget.limit).toBe(16);
    round(budget, 100, 50);
    expect(budget.limit).toBe(17);
  });

  test('queues callers past the budget and hands freed slots out in order', async () => {
    const budget = new ApiBudget({ initial: 2 });
    const first = fill(budget);
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => budget.acquire().then((slot) => (order.push(n), slot)));
    expect(budget.snapshot().waiting).toBe(3);
    first[0]!.release();
    first[1]!.release();
    const [a, b] = await Promise.all(waiting.slice(0, 2));
    expect(order).toEqual([1, 2]);
    a!.release();
    (await waiting[2]!).release();
    b!.release();
    expect(budget.snapshot()).toMatchObject({ inFlight: 0, waiting: 0 });
  });

  test('an aborted wait leaves the queue', async () => {
    const budget = new ApiBudget({ initial: 1 });
    const [held] = fill(budget);
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(budget.snapshot().waiting).toBe(0);
    held!.release();
    expect(budget.tryAcquire()).toBeDefined();
  });

  test.each([
    [1, 100, 100],
    [1, 200, 100],
    [2, 100, 100],
    [2, 300, 100],
  ])('%i worker(s) hold a token-bucket quota of %i/s at %i ms per call', (workers, Q, latencyMs) => {
    const { perSecond, throttledShare } = simulateQuota(workers, Q, latencyMs);
    expect(perSecond).toBeGreaterThanOrEqual(0.9 * Q);
    expect(throttledShare).toBeLessThanOrEqual(0.01);
  });
});

/**
 * A discrete simulation in 1 ms steps: `workers` budgets share one token bucket of Q calls per
 * second (capacity Q, as the simulator's quota switch); each call takes `latencyMs` and reports
 * the bucket as the server saw it. Throughput is measured after a 5 s warm-up, 429s over all.
 */
function simulateQuota(workers: number, Q: number, latencyMs: number) {
  const budgets = Array.from({ length: workers }, () => new ApiBudget());
  const inFlight: { slot: BudgetSlot; doneAt: number; remaining: number; ok: boolean }[] = [];
  let tokens = Q;
  let calls = 0;
  let throttled = 0;
  let answered = 0;
  const endMs = 25_000;
  for (let t = 0; t < endMs; t++) {
    tokens = Math.min(Q, tokens + Q / 1000);
    for (let i = inFlight.length - 1; i >= 0; i--) {
      const call = inFlight[i]!;
      if (call.doneAt > t) continue;
      if (call.ok) call.slot.answered(Q, call.remaining);
      else call.slot.throttled();
      call.slot.release();
      inFlight.splice(i, 1);
    }
    // Workers take turns first, and latency varies a little, as on a real network.
    for (let w = 0; w < workers; w++) {
      const budget = budgets[(w + t) % workers]!;
      for (let slot = budget.tryAcquire(); slot; slot = budget.tryAcquire()) {
        calls += 1;
        const ok = tokens >= 1;
        if (ok) tokens -= 1;
        else throttled += 1;
        if (ok && t >= 5_000) answered += 1;
        const jitter = ((calls * 7919) % 41) - 20;
        inFlight.push({ slot, doneAt: t + latencyMs + jitter, remaining: Math.floor(tokens), ok });
      }
    }
  }
  return { perSecond: answered / ((endMs - 5_000) / 1000), throttledShare: throttled / calls };
}
