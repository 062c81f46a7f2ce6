// Admission of one call: a slot of the app's concurrency budget and the credential's throttle gate, with
// waits that heartbeat through the call's scope.
import type { ApiBudget, BudgetSlot } from './api-budget';
import type { CallContext } from './call-context';
import { throttledFor } from './errors';
import { numericHeader, type ResponseHeaders } from './http-body';
import { sleep } from './retry-policy';
import { throttleWaitMs } from './throttle-wait';
import type { TransportParts } from './transport-parts';

export class CallAdmission {
  private readonly parts: TransportParts;

  constructor(parts: TransportParts) {
    this.parts = parts;
  }

  /** Sleeps in slices, calling the scope's onWait between them (heartbeats). */
  async wait(ms: number, ctx: CallContext, throttling: boolean): Promise<void> {
    let left = Math.max(0, ms);
    while (left > 0) {
      const slice = Math.min(left, this.parts.retry.waitSliceMs);
      await sleep(slice, ctx.signal);
      left -= slice;
      ctx.scope.waited(slice, throttling);
      if (throttling) this.parts.metrics?.throttleWait(slice);
    }
  }

  /** Waits while the credential is paused, then for its call slot; throws past the scope's budget. */
  async passGate(ctx: CallContext): Promise<void> {
    const gate = this.parts.gate;
    for (;;) {
      const paused = gate.pauseRemaining();
      if (paused > 0) {
        if (paused > ctx.scope.throttleBudgetLeft()) throw throttledFor(paused, this.parts.credential.name);
        await this.wait(paused, ctx, true);
        continue;
      }
      const slot = gate.reserveSlot();
      if (slot > ctx.scope.throttleBudgetLeft()) throw throttledFor(slot, this.parts.credential.name);
      if (slot > 0) await this.wait(slot, ctx, true);
      return;
    }
  }

  /** A slot of the app's concurrency budget, heartbeating while queued for one. */
  async takeSlot(ctx: CallContext): Promise<BudgetSlot> {
    const budget = this.parts.budget;
    const slot = budget.tryAcquire() ?? (await this.queueForSlot(budget, ctx));
    this.reportBudget();
    return slot;
  }

  private async queueForSlot(budget: ApiBudget, ctx: CallContext): Promise<BudgetSlot> {
    const queued = budget.acquire(ctx.signal);
    const slice = this.parts.retry.waitSliceMs;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), slice)));
      const slot = await Promise.race([queued, tick]).finally(() => clearTimeout(timer));
      if (slot) return slot;
      ctx.scope.waited(slice, false);
    }
  }

  releaseSlot(slot: BudgetSlot | undefined): void {
    if (!slot) return;
    slot.release();
    this.reportBudget();
  }

  private reportBudget(): void {
    this.parts.metrics?.apiBudget?.(this.parts.credential.name, this.parts.budget.snapshot());
  }

  /** Tells the budget what a response said about the quota. */
  noteBudget(slot: BudgetSlot, status: number, headers: ResponseHeaders): void {
    if (status === 429) slot.throttled();
    else
      slot.answered(
        numericHeader(headers, 'x-ratelimit-limit'),
        numericHeader(headers, 'x-ratelimit-remaining'),
      );
  }

  noteRateLimit(headers: ResponseHeaders): void {
    this.parts.gate.noteRateLimit(
      numericHeader(headers, 'x-ratelimit-limit'),
      numericHeader(headers, 'x-ratelimit-remaining'),
      numericHeader(headers, 'x-ratelimit-reset'),
    );
  }

  onThrottled(headers: ResponseHeaders, ctx: CallContext, endpoint: string): number {
    const waitMs = throttleWaitMs(headers, ctx.retryAfterMultiplier);
    this.parts.gate.pause(waitMs);
    ctx.scope.counters.throttled += 1;
    this.parts.logger.debug(
      { endpoint, waitMs, credential: this.parts.credential.name },
      'mimecast throttled (429): pausing the credential',
    );
    return waitMs;
  }
}
