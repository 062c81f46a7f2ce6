// The per-credential throttle of one worker process: one 429 pauses every call of that
// credential (the quota is per app, design §2.5), and a low X-RateLimit-Remaining spreads the
// remaining calls over the reset time instead of running into the 429.

/** Below this share of the limit the gate starts spacing calls. */
const LOW_REMAINING_SHARE = 0.05;

export class ThrottleGate {
  private pausedUntil = 0;
  private spacingMs = 0;
  private spacingUntil = 0;
  private nextSlotAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Everyone waits until now + ms (a later pause never shortens an earlier one). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** ms left of the current pause (0 = open). */
  pauseRemaining(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Feeds the X-RateLimit-* headers of a response. */
  noteRateLimit(limit: number | undefined, remaining: number | undefined, resetMs: number | undefined): void {
    if (limit === undefined || remaining === undefined || resetMs === undefined || limit <= 0) return;
    if (remaining < Math.max(1, limit * LOW_REMAINING_SHARE)) {
      this.spacingMs = resetMs / Math.max(1, remaining);
      this.spacingUntil = this.now() + resetMs;
    } else if (this.now() >= this.spacingUntil || remaining >= limit * LOW_REMAINING_SHARE * 2) {
      this.spacingMs = 0;
    }
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
