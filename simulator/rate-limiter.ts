// One token bucket per credential (the 2.0 quota is per app): X-RateLimit-Limit/Remaining/Reset (ms).

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until at least one more call is allowed (0 when the bucket is full). */
  resetMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  constructor(
    private limit: number,
    private windowMs: number,
  ) {}

  configure(limit: number, windowMs: number): void {
    if (limit !== this.limit || windowMs !== this.windowMs) {
      this.limit = limit;
      this.windowMs = windowMs;
      this.buckets.clear();
    }
  }

  private refill(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.limit, at: now };
      this.buckets.set(key, b);
    }
    const rate = this.limit / this.windowMs;
    b.tokens = Math.min(this.limit, b.tokens + Math.max(0, now - b.at) * rate);
    b.at = now;
    return b;
  }

  private decision(b: Bucket, allowed: boolean): RateDecision {
    const rate = this.limit / this.windowMs;
    const remaining = Math.floor(b.tokens);
    let resetMs = 0;
    if (b.tokens < 1) resetMs = Math.ceil((1 - b.tokens) / rate);
    else if (b.tokens < this.limit) resetMs = Math.ceil((1 - (b.tokens - Math.floor(b.tokens))) / rate);
    return { allowed, limit: this.limit, remaining, resetMs: Math.max(allowed ? 0 : 1, resetMs) };
  }

  take(key: string, now: number): RateDecision {
    const b = this.refill(key, now);
    if (b.tokens < 1) return this.decision(b, false);
    b.tokens -= 1;
    return this.decision(b, true);
  }

  peek(key: string, now: number): RateDecision {
    return this.decision(this.refill(key, now), true);
  }
}
