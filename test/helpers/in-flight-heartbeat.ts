// Reads the crawlPage heartbeat the server holds, to act (stop or kill a worker) while a message is
// in flight.
import type { WorkflowHandle } from '@temporalio/client';

/** The in-flight message id the server holds for the running crawlPage, once it has one. */
export async function waitForInFlightHeartbeat(handle: WorkflowHandle, timeoutMs: number): Promise<string> {
  return (await waitForInFlightSet(handle, timeoutMs, 1))[0]!;
}

/** The in-flight message ids the server holds for the running crawlPage, once there are `atLeast`. */
export async function waitForInFlightSet(
  handle: WorkflowHandle,
  timeoutMs: number,
  atLeast: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    for (const activity of raw.pendingActivities ?? []) {
      const payload = activity.heartbeatDetails?.payloads?.[0]?.data;
      if (activity.activityType?.name !== 'crawlPage' || !payload) continue;
      const details = JSON.parse(Buffer.from(payload).toString('utf8')) as {
        inFlightId?: string;
        inFlightIds?: string[];
      };
      const ids = details.inFlightIds ?? (details.inFlightId ? [details.inFlightId] : []);
      if (ids.length >= atLeast) return ids;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no crawlPage heartbeat with ${atLeast} messages in flight`);
}
