// The per-credential throttle of one worker process: one 429 pauses every call of that credential (the quota
// is per app, docs/architecture.md, Error scopes), and a low X-RateLimit-Remaining spreads the remaining
// calls over the reset time instead of running into the 429. After a pause the waiting callers are released
// one slot at a time, not as a herd that would meet another 429.

/** Below this share of the limit the gate starts spacing calls; above twice of it, it stops. */
const LOW_REMAINING_SHARE = 0.05;
/** Spacing never outlives this many of its own intervals without fresh headers renewing it. */
const SPACING_HORIZON_SLOTS = 20;

export class ThrottleGate {
  private pausedUntil = 0;
  private spacingMs = 0;
  private spacingUntil = 0;
  private nextSlotAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** After a 429: everyone waits until now + ms, then calls go one per `ms` until the quota recovers. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.space(ms, this.pausedUntil, this.pausedUntil + ms * SPACING_HORIZON_SLOTS);
  }

  /** ms left of the current pause (0 = open). */
  pauseRemaining(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Feeds the X-RateLimit-* headers of a response. */
  noteRateLimit(limit: number | undefined, remaining: number | undefined, resetMs: number | undefined): void {
    if (limit === undefined || remaining === undefined || resetMs === undefined || limit <= 0) return;
    if (remaining < Math.max(1, limit * LOW_REMAINING_SHARE)) {
      const interval = resetMs / Math.max(1, remaining);
      const now = this.now();
      this.space(interval, now + interval, now + Math.max(resetMs, interval * SPACING_HORIZON_SLOTS));
    } else if (remaining >= limit * LOW_REMAINING_SHARE * 2) {
      this.spacingMs = 0;
    }
  }

  /** Calls go one per `intervalMs`, the next no earlier than `firstAt`, until `until`. */
  private space(intervalMs: number, firstAt: number, until: number): void {
    if (this.now() >= this.spacingUntil) this.spacingMs = 0;
    this.spacingMs = Math.max(this.spacingMs, intervalMs);
    this.spacingUntil = Math.max(this.spacingUntil, until);
    this.nextSlotAt = Math.max(this.nextSlotAt, firstAt);
  }

  /** Reserves the next call slot; returns how long the caller must wait before calling. */
  reserveSlot(): number {
    const now = this.now();
    if (this.spacingMs <= 0 || now >= this.spacingUntil) {
      this.spacingMs = 0;
      return 0;
    }
    const slot = Math.max(now, this.nextSlotAt);
    this.nextSlotAt = slot + this.spacingMs;
    return slot - now;
  }
}
