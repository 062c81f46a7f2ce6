// Which message a lost worker was processing. A page heartbeats the message in flight; a retry
// whose previous attempt heartbeated one was either a lost worker (no later heartbeat: that
// message is recorded and skipped, it may be what kills workers) or an attempt that failed with an
// error (5xx, throttling over budget, network): that attempt heartbeats `endedWithError` on its
// way out (Temporal keeps a failing attempt's last heartbeat), and its message is simply retried.
import type { ActivityRuntime } from './ports';

export const WORKER_STOPPED_REASON = 'the worker stopped while processing it';

export interface InFlightDetails {
  inFlightId?: string;
  /** Messages earlier attempts were processing when their worker stopped. */
  stoppedIds: string[];
  /** Set by an attempt that ended with an error: its in-flight message was not the cause. */
  endedWithError?: string;
}

/** The messages earlier attempts lost their worker on (to record as failed and skip). */
export function stoppedIdsAfter(previous: InFlightDetails | undefined): Set<string> {
  const ids = new Set(previous?.stoppedIds ?? []);
  if (previous?.inFlightId && previous.endedWithError === undefined) ids.add(previous.inFlightId);
  return ids;
}

/** Runs an attempt; if it throws, heartbeats that it ended with an error before rethrowing. */
export async function markingErrorEnd<T>(
  runtime: ActivityRuntime,
  details: () => object & InFlightDetails,
  attempt: () => Promise<T>,
): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    try {
      runtime.heartbeat({ ...details(), inFlightId: undefined, endedWithError: reason.slice(0, 500) });
    } catch {
      // Heartbeating a cancelled or timed-out attempt may throw: the original error matters.
    }
    throw err;
  }
}
