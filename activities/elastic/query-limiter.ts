// A per-source semaphore: bounds the Elasticsearch queries (id scans, registry pages, sweeps) one
// source runs at once in this worker process to `parallelism.folderQuery`.

export class QueryLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private limit: number) {}

  /** The settings of a later pass may change the limit; waiting queries are admitted at once. */
  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.admit();
  }

  get active(): number {
    return this.running;
  }

  async run<T>(query: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await query();
    } finally {
      this.running--;
      this.admit();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private admit(): void {
    while (this.running < this.limit && this.waiting.length) {
      this.running++;
      this.waiting.shift()!();
    }
  }
}

const limiters = new Map<string, QueryLimiter>();

/** The limiter of `sourceId` in this process, created on first use and resized to `limit`. */
export function queryLimiterFor(sourceId: string, limit: number): QueryLimiter {
  let limiter = limiters.get(sourceId);
  if (!limiter) {
    limiter = new QueryLimiter(limit);
    limiters.set(sourceId, limiter);
  } else {
    limiter.setLimit(limit);
  }
  return limiter;
}
