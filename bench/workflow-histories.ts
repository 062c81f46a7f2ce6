// History events per workflow run (target: no run over 10,000): every run of a source's workflows,
// continue-as-new runs included, found by the MimecastSource search attribute they all carry.
import type { Client } from '@temporalio/client';

export interface HistoryStats {
  runs: number;
  maxEvents: number;
  maxRun: string;
  totalEvents: number;
  /** Where a page's time goes through Temporal (mailbox runs only). */
  activities: ActivityTimings;
}

/** Averages over every activity of the mailbox runs, in ms. */
export interface ActivityTimings {
  count: number;
  /** Scheduled → started: waiting for a worker slot and the poll. */
  scheduleToStartMs: number;
  /** Started → completed: the activity function itself. */
  runMs: number;
  /** Completed → the next activity scheduled: the workflow task in between. */
  turnaroundMs: number;
}

// temporal.api.enums.v1.EventType values (stable in the proto API).
const ACTIVITY_SCHEDULED = 10;
const ACTIVITY_STARTED = 11;
const ACTIVITY_COMPLETED = 12;

type Event = { eventType?: number | null; eventTime?: { seconds?: unknown; nanos?: number | null } | null };

function ms(e: Event): number {
  const t = e.eventTime;
  return Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);
}

class TimingSum {
  count = 0;
  toStart = 0;
  run = 0;
  turnarounds = 0;
  turnaround = 0;
  add(events: Event[]): void {
    let scheduled: number | undefined;
    let started: number | undefined;
    let completed: number | undefined;
    for (const e of events) {
      if (e.eventType === ACTIVITY_SCHEDULED) {
        if (completed !== undefined) {
          this.turnaround += ms(e) - completed;
          this.turnarounds += 1;
        }
        scheduled = ms(e);
        completed = undefined;
      } else if (e.eventType === ACTIVITY_STARTED) started = ms(e);
      else if (e.eventType === ACTIVITY_COMPLETED && scheduled !== undefined && started !== undefined) {
        completed = ms(e);
        this.count += 1;
        this.toStart += started - scheduled;
        this.run += completed - started;
      }
    }
  }
  result(): ActivityTimings {
    const avg = (total: number, n: number) => (n ? Math.round(total / n) : 0);
    return {
      count: this.count,
      scheduleToStartMs: avg(this.toStart, this.count),
      runMs: avg(this.run, this.count),
      turnaroundMs: avg(this.turnaround, this.turnarounds),
    };
  }
}

export async function historyStats(client: Client, sourceId: string): Promise<HistoryStats> {
  const stats: Omit<HistoryStats, 'activities'> = { runs: 0, maxEvents: 0, maxRun: '', totalEvents: 0 };
  const timings = new TimingSum();
  for await (const execution of client.workflow.list({ query: `MimecastSource = "${sourceId}"` })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const events = history.events?.length ?? 0;
    if (execution.type === 'crawlMailbox') timings.add((history.events ?? []) as Event[]);
    stats.runs += 1;
    stats.totalEvents += events;
    if (events > stats.maxEvents) {
      stats.maxEvents = events;
      stats.maxRun = `${execution.workflowId} (${execution.runId})`;
    }
  }
  return { ...stats, activities: timings.result() };
}

/** Mailbox workflows are long-lived and wait for the next pass: the benchmark ends them. */
export async function terminateSourceWorkflows(client: Client, sourceId: string): Promise<void> {
  for await (const execution of client.workflow.list({
    query: `MimecastSource = "${sourceId}" AND ExecutionStatus = "Running"`,
  })) {
    await client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .terminate('benchmark finished')
      .catch(() => undefined);
  }
}
