// Which messages a lost worker was processing. A page heartbeats the messages in flight; a retry
// whose previous attempt heartbeated some was either a lost worker (no later heartbeat: those
// messages are recorded and skipped, one may be what kills workers) or an attempt that failed with
// an error (5xx, throttling over budget, network): that attempt heartbeats `endedWithError` on its
// way out (Temporal keeps a failing attempt's last heartbeat), and its messages are simply retried.
import type { ActivityRuntime } from '../ports';

export const WORKER_STOPPED_REASON = 'the worker stopped while processing it';

export interface InFlightDetails {
  /** The messages in flight, in list order (performance.pageConcurrency of them at most). */
  inFlightIds?: string[];
  /** The first of inFlightIds: what workers from before page concurrency read and write. */
  inFlightId?: string;
  /** Messages earlier attempts were processing when their worker stopped. */
  stoppedIds: string[];
  /** Set by an attempt that ended with an error: its in-flight message was not the cause. */
  endedWithError?: string;
}

/** The messages earlier attempts lost their worker on (to record as failed and skip). */
export function stoppedIdsAfter(previous: InFlightDetails | undefined): Set<string> {
  const ids = new Set(previous?.stoppedIds ?? []);
  if (previous?.endedWithError !== undefined) return ids;
  for (const id of previous?.inFlightIds ?? []) ids.add(id);
  if (previous?.inFlightId) ids.add(previous.inFlightId);
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
      runtime.heartbeat({
        ...details(),
        inFlightId: undefined,
        inFlightIds: [],
        endedWithError: reason.slice(0, 500),
      });
    } catch {
      // Heartbeating a cancelled or timed-out attempt may throw: the original error matters.
    }
    throw err;
  }
}

/** Sets the messages in flight on heartbeat details (both forms). */
export function setInFlight(details: InFlightDetails, ids: string[]): void {
  details.inFlightIds = ids;
  details.inFlightId = ids[0];
}
