// Heartbeats on a timer while one slow step runs (a download that trickles in, text extraction in
// the pool): the step is bounded by its own timeouts (transport body timeout, per-file extraction
// timeout, the activity's start-to-close), so a missed heartbeat can only mean a lost worker.

/** Heartbeat period for a heartbeat timeout: a few beats per timeout, never busier than 200 ms. */
export function keepAliveIntervalMs(heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs || heartbeatTimeoutMs <= 0) return 5_000;
  return Math.min(10_000, Math.max(200, Math.floor(heartbeatTimeoutMs / 4)));
}

/** Runs `step`, calling `beat` every `intervalMs` until it settles. */
export async function withKeepAlive<T>(
  beat: () => void,
  intervalMs: number,
  step: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(beat, intervalMs);
  try {
    return await step();
  } finally {
    clearInterval(timer);
  }
}
