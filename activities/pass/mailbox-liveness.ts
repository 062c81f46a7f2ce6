// What the pass's liveness check learns about its in-flight mailbox workflows (docs/architecture.md,
// Mailbox workflows and liveness): closed or missing ones, and for running ones a progress mark the
// pass compares between checks, so a workflow that runs but never moves (failing workflow tasks, no
// worker, an activity that is never picked up) is found as surely as one that closed.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import type { DescribeMailboxesResult, RunningMailboxDescription } from '../../common/activity-contracts';

/** Describe calls in flight at once during a liveness check. */
const DESCRIBE_CONCURRENCY = 16;

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;
const stamp = (t: Timestamp) => (t ? `${String(t.seconds ?? 0)}.${t.nanos ?? 0}` : '-');

/** The progress mark and a readable account of a running workflow (pure, from its description). */
export function describeProgress(
  workflowId: string,
  description: Pick<WorkflowExecutionDescription, 'historyLength' | 'raw'>,
): RunningMailboxDescription {
  const activities = [...(description.raw.pendingActivities ?? [])].sort((a, b) =>
    String(a.activityId).localeCompare(String(b.activityId)),
  );
  const progressMark = [
    `events=${description.historyLength}`,
    ...activities.map(
      (a) => `${a.activityId}:${a.attempt}:${stamp(a.lastStartedTime)}:${stamp(a.lastHeartbeatTime)}`,
    ),
  ].join('|');
  const task = description.raw.pendingWorkflowTask;
  const parts: string[] = [`${description.historyLength} history events`];
  if (task && (task.attempt ?? 0) > 1) parts.push(`its workflow task has failed ${task.attempt! - 1} times`);
  else if (task && !task.startedTime) parts.push('its workflow task waits for a worker');
  for (const a of activities) {
    const failure = a.lastFailure?.message ? `, last failure: ${a.lastFailure.message}` : '';
    parts.push(`${a.activityType?.name ?? 'activity'} attempt ${a.attempt}${failure}`);
  }
  if (!task && activities.length === 0) parts.push('nothing pending');
  return { workflowId, progressMark, detail: parts.join('; ') };
}

export async function describeMailboxWorkflows(
  client: Client,
  workflowIds: string[],
): Promise<Required<DescribeMailboxesResult>> {
  const result: Required<DescribeMailboxesResult> = { notRunning: [], running: [] };
  const queue = [...workflowIds];
  const describeNext = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let description: WorkflowExecutionDescription;
      try {
        description = await client.workflow.getHandle(id).describe();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        result.notRunning.push({ workflowId: id, status: 'NOT_FOUND' });
        continue;
      }
      if (description.status.name === 'RUNNING') result.running.push(describeProgress(id, description));
      else result.notRunning.push({ workflowId: id, status: description.status.name });
    }
  };
  await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, queue.length) }, describeNext));
  return result;
}
