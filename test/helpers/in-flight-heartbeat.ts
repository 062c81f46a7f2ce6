// Reads the crawlPage heartbeat the server holds, to act (stop or kill a worker) while a message is
// in flight.
import type { WorkflowHandle } from '@temporalio/client';

/** The in-flight message id the server holds for the running crawlPage, once it has one. */
export async function waitForInFlightHeartbeat(handle: WorkflowHandle, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    for (const activity of raw.pendingActivities ?? []) {
      const payload = activity.heartbeatDetails?.payloads?.[0]?.data;
      if (activity.activityType?.name !== 'crawlPage' || !payload) continue;
      const details = JSON.parse(Buffer.from(payload).toString('utf8')) as { inFlightId?: string };
      if (details.inFlightId) return details.inFlightId;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no crawlPage heartbeat with an in-flight message');
}
