// The API concurrency budget of one app (client id) in one worker process: how many calls may be
// in flight at once, shared by every mailbox and page of the worker. The quota is per app, so the
// budget adapts to it by AIMD, as TCP does to a link: +1 slot per round of calls while the budget
// is the limit, and a cut (×0.5 after a 429, ×0.8 when X-RateLimit-Remaining runs low) at most
// once per round — calls already in flight when it was cut carry no news about the new budget.

export interface BudgetOptions {
  initial: number;
  min: number;
  max: number;
  /** Below this share of X-RateLimit-Limit, the remaining quota counts as running low. */
  lowRemainingShare: number;
  /** Budget × this after a 429. */
  throttledFactor: number;
  /** Budget × this when the remaining quota runs low. */
  lowRemainingFactor: number;
}

export const DEFAULT_BUDGET_OPTIONS: BudgetOptions = {
  initial: 8,
  min: 1,
  max: 64,
  lowRemainingShare: 0.2,
  throttledFactor: 0.5,
  lowRemainingFactor: 0.8,
};

/** One slot: note what the response said (if it came), then release it exactly once. */
export interface BudgetSlot {
  /** The call was answered (not 429); the numbers are X-RateLimit-Limit and -Remaining. */
  answered(limit?: number, remaining?: number): void;
  /** The call was answered 429. */
  throttled(): void;
  /** Frees the slot and applies the news noted (none after a network error or an abort). */
  release(): void;
}

export interface BudgetSnapshot {
  limit: number;
  inFlight: number;
  waiting: number;
  increases: number;
  decreases: number;
}

type Waiter = (slot: BudgetSlot) => void;

export class ApiBudget {
  private limitValue: number;
  private inFlightCount = 0;
  private readonly queue: Waiter[] = [];
  /** Sequence number of the next slot handed out; slots below `cutAt` predate the last cut. */
  private seq = 0;
  private cutAt = 0;
  private credit = 0;
  /** Times the budget was found full (a grant took the last slot, or a caller queued). */
  private fills = 0;
  /** Doubling per round until the quota first shows strain (TCP's slow start). */
  private slowStart = true;
  private increases = 0;
  private decreases = 0;
  readonly options: BudgetOptions;

  constructor(options: Partial<BudgetOptions> = {}) {
    this.options = { ...DEFAULT_BUDGET_OPTIONS, ...options };
    this.limitValue = clamp(this.options.initial, this.options.min, this.options.max);
  }

  /** The whole number of calls allowed in flight now. */
  get limit(): number {
    return Math.floor(this.limitValue);
  }

  snapshot(): BudgetSnapshot {
    return {
      limit: this.limit,
      inFlight: this.inFlightCount,
      waiting: this.queue.length,
      increases: this.increases,
      decreases: this.decreases,
    };
  }

  /** A slot if one is free and nobody is queued for one. */
  tryAcquire(): BudgetSlot | undefined {
    return this.inFlightCount < this.limit && !this.queue.length ? this.grant() : undefined;
  }

  /** A slot now if one is free, else the next one freed (first come, first served). */
  acquire(signal?: AbortSignal): Promise<BudgetSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    return new Promise<BudgetSlot>((resolve, reject) => {
      const waiter: Waiter = (slot) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(slot);
      };
      const onAbort = () => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.fills += 1;
    });
  }

  private grant(): BudgetSlot {
    const fillsAtGrant = this.fills;
    this.inFlightCount += 1;
    if (this.inFlightCount >= this.limit) this.fills += 1;
    const seq = this.seq++;
    let news: 'none' | 'grow' | 'low' | 'throttled' | 'slow-start-over' = 'none';
    let released = false;
    return {
      answered: (limit, remaining) => {
        const share = limit !== undefined && remaining !== undefined && limit > 0 ? remaining / limit : 1;
        if (share < this.options.lowRemainingShare) news = 'low';
        // A quarter of the quota gone while doubling: the round in flight is already twice too big.
        else if (share < 0.75 && this.slowStart) news = 'slow-start-over';
        else news = 'grow';
      },
      throttled: () => {
        news = 'throttled';
      },
      release: () => {
        if (released) return;
        released = true;
        // Only a budget found full while the call was out shows that a bigger one would be used.
        const saturated = this.fills > fillsAtGrant;
        this.inFlightCount -= 1;
        if (seq < this.cutAt) news = 'none';
        if (news === 'grow' && saturated) this.grow();
        else if (news === 'low') this.cut(this.options.lowRemainingFactor);
        else if (news === 'throttled') this.cut(this.options.throttledFactor);
        else if (news === 'slow-start-over') this.cut(0.5);
        this.drain();
      },
    };
  }

  /**
   * Additive increase: one slot per `limit` answered calls, i.e. about one per round. Until the
   * first cut, one slot per answered call (doubling per round, TCP's slow start), so a big quota
   * is found in a few rounds rather than hundreds.
   */
  private grow(): void {
    if (this.limitValue >= this.options.max) return;
    this.credit += this.slowStart ? this.limit : 1;
    if (this.credit >= this.limit) {
      this.credit = 0;
      this.limitValue = Math.min(this.options.max, this.limitValue + 1);
      this.increases += 1;
    }
  }

  /** Multiplicative decrease, once per round (release ignores slots granted before the last cut). */
  private cut(factor: number): void {
    this.limitValue = Math.max(this.options.min, this.limitValue * factor);
    this.credit = 0;
    this.slowStart = false;
    this.cutAt = this.seq;
    this.decreases += 1;
  }

  private drain(): void {
    while (this.queue.length && this.inFlightCount < this.limit) this.queue.shift()!(this.grant());
  }
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
