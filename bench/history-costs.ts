// What the workflows of a source cost Temporal, counted from their histories: events, workflow
// tasks, activities and search-attribute upserts, per workflow type. A pass's cost is the difference
// of two snapshots (mailbox workflows are long-lived: one run spans many passes).
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const EventType = temporal.api.enums.v1.EventType;

export interface HistoryCost {
  runs: number;
  events: number;
  workflowTasks: number;
  activities: number;
  upserts: number;
  /** Summed ms: workflow task scheduled → started (waiting for a poller), started → completed. */
  taskWaitMs: number;
  taskRunMs: number;
}

export type HistoryCosts = Record<'crawlMailbox' | 'crawlArchive' | 'other', HistoryCost>;

const empty = (): HistoryCost => ({
  runs: 0,
  events: 0,
  workflowTasks: 0,
  activities: 0,
  upserts: 0,
  taskWaitMs: 0,
  taskRunMs: 0,
});

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;
const ms = (t: Timestamp) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

/** Every run of the source's workflows (continue-as-new runs included), fetched 16 at a time. */
export async function historyCosts(client: Client, sourceId: string): Promise<HistoryCosts> {
  const costs: HistoryCosts = { crawlMailbox: empty(), crawlArchive: empty(), other: empty() };
  const executions: { workflowId: string; runId: string; type: string }[] = [];
  for await (const e of client.workflow.list({ query: `MimecastSource = "${sourceId}"` }))
    executions.push({ workflowId: e.workflowId, runId: e.runId, type: e.type });
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < executions.length; i = next++) {
      const e = executions[i]!;
      const events = (await client.workflow.getHandle(e.workflowId, e.runId).fetchHistory()).events ?? [];
      const cost = e.type === 'crawlMailbox' || e.type === 'crawlArchive' ? costs[e.type] : costs.other;
      cost.runs += 1;
      cost.events += events.length;
      let scheduled = 0;
      let started = 0;
      for (const event of events) {
        if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) scheduled = ms(event.eventTime);
        else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
          started = ms(event.eventTime);
          cost.taskWaitMs += started - scheduled;
        }
        if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
          cost.workflowTasks += 1;
          cost.taskRunMs += ms(event.eventTime) - started;
        } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) cost.activities += 1;
        else if (event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
          cost.upserts += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return costs;
}

/** What happened between two snapshots (runs: runs started in between). */
export function costBetween(before: HistoryCosts, after: HistoryCosts): HistoryCosts {
  const diff = (a: HistoryCost, b: HistoryCost): HistoryCost => ({
    runs: b.runs - a.runs,
    events: b.events - a.events,
    workflowTasks: b.workflowTasks - a.workflowTasks,
    activities: b.activities - a.activities,
    upserts: b.upserts - a.upserts,
    taskWaitMs: b.taskWaitMs - a.taskWaitMs,
    taskRunMs: b.taskRunMs - a.taskRunMs,
  });
  return {
    crawlMailbox: diff(before.crawlMailbox, after.crawlMailbox),
    crawlArchive: diff(before.crawlArchive, after.crawlArchive),
    other: diff(before.other, after.other),
  };
}
