// Messages per second over the last few samples, so the bar shows the current speed and not the
// average since the start (which hides a stall behind an early burst).
export class RateMeter {
  private readonly samples: { at: number; value: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Records a cumulative value observed at `at` (ms) and returns the rate per second. */
  observe(value: number, at: number): number {
    this.samples.push({ at, value });
    while (this.samples.length > 2 && at - this.samples[0].at > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, (value - first.value) / seconds) : 0;
  }
}
