// Where a mailbox's time goes through Temporal, from the histories of a source's mailbox runs: from the
// run's start to its report to the pass, split into activity run time (per activity type), waiting for
// a worker (scheduled → started) and the workflow tasks between activities; plus the pass's gap
// between a mailbox's report and the start of the next mailbox (dispatch). Averages per mailbox, ms.
import type { Client } from '@temporalio/client';

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;
type Event = {
  eventType?: number | null;
  eventTime?: Timestamp;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
  eventId?: unknown;
};

// temporal.api.enums.v1.EventType values (stable in the proto API).
const STARTED = 1;
const ACTIVITY_SCHEDULED = 10;
const ACTIVITY_STARTED = 11;
const ACTIVITY_COMPLETED = 12;
const SIGNAL_EXTERNAL = 37;
const CHILD_INITIATED = 29;
const SIGNALED = 26;

const ms = (t: Timestamp) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

export interface MailboxTimeline {
  mailboxes: number;
  /** Run start → report to the pass, mean. */
  wallMs: number;
  /** Per activity type: calls per mailbox and mean run time (started → completed). */
  activities: Record<string, { perMailbox: number; runMs: number }>;
  /** Per mailbox: summed scheduled → started, and summed time with no activity scheduled or running. */
  waitMs: number;
  betweenMs: number;
  /** Run start → its first activity scheduled, and its last activity completed → its report. */
  startMs: number;
  finishMs: number;
  /** Mean gap between one mailbox's report and the next mailbox's start, over the pass (dispatch). */
  dispatchGapMs: number;
  /** In the pass: a report signal received → the next child initiated; child initiated → its run started. */
  passSignalToChildMs: number;
  childInitiatedToStartMs: number;
}

/** In the pass's history: each child start after the first round, against the report signal just before it. */
async function passDispatch(client: Client, sourceId: string, mailboxStarts: number[]) {
  const query = `MimecastSource = "${sourceId}" AND WorkflowType = "crawlArchive"`;
  let toPass = 0;
  let toChild = 0;
  let n = 0;
  for await (const e of client.workflow.list({ query })) {
    const events = ((await client.workflow.getHandle(e.workflowId, e.runId).fetchHistory()).events ??
      []) as Event[];
    let lastSignal: number | undefined;
    const initiated: number[] = [];
    for (const ev of events) {
      if (ev.eventType === SIGNALED) lastSignal = ms(ev.eventTime);
      else if (ev.eventType === CHILD_INITIATED && lastSignal !== undefined) {
        toPass += ms(ev.eventTime) - lastSignal;
        initiated.push(ms(ev.eventTime));
        n += 1;
        lastSignal = undefined;
      }
    }
    for (const at of initiated) {
      const started = mailboxStarts.find((s) => s >= at);
      if (started !== undefined) toChild += started - at;
    }
  }
  return { signalToChildMs: n ? Math.round(toPass / n) : 0, childStartMs: n ? Math.round(toChild / n) : 0 };
}

export async function mailboxTimeline(client: Client, sourceId: string): Promise<MailboxTimeline> {
  const runs: { start: number; end: number; events: Event[] }[] = [];
  const query = `MimecastSource = "${sourceId}" AND WorkflowType = "crawlMailbox"`;
  for await (const e of client.workflow.list({ query })) {
    const events = ((await client.workflow.getHandle(e.workflowId, e.runId).fetchHistory()).events ??
      []) as Event[];
    const start = ms(events.find((ev) => ev.eventType === STARTED)?.eventTime);
    const report = events.find((ev) => ev.eventType === SIGNAL_EXTERNAL);
    if (report) runs.push({ start, end: ms(report.eventTime), events });
  }
  const byType: Record<string, { n: number; run: number }> = {};
  let wall = 0;
  let wait = 0;
  let busy = 0;
  let startup = 0;
  let finish = 0;
  for (const run of runs) {
    wall += run.end - run.start;
    const firstScheduled = run.events.find((ev) => ev.eventType === ACTIVITY_SCHEDULED);
    const lastCompleted = run.events.filter((ev) => ev.eventType === ACTIVITY_COMPLETED).at(-1);
    startup += (firstScheduled ? ms(firstScheduled.eventTime) : run.end) - run.start;
    finish += run.end - (lastCompleted ? ms(lastCompleted.eventTime) : run.end);
    const scheduled = new Map<string, { at: number; type: string }>();
    const started = new Map<string, number>();
    for (const ev of run.events) {
      const id = String(ev.eventId);
      if (ev.eventType === ACTIVITY_SCHEDULED)
        scheduled.set(id, {
          at: ms(ev.eventTime),
          type: ev.activityTaskScheduledEventAttributes?.activityType?.name ?? '?',
        });
      else if (ev.eventType === ACTIVITY_STARTED) {
        const s = String(ev.activityTaskStartedEventAttributes?.scheduledEventId);
        started.set(s, ms(ev.eventTime));
        wait += ms(ev.eventTime) - (scheduled.get(s)?.at ?? ms(ev.eventTime));
      } else if (ev.eventType === ACTIVITY_COMPLETED) {
        const s = String(ev.activityTaskCompletedEventAttributes?.scheduledEventId);
        const sched = scheduled.get(s);
        const t0 = started.get(s);
        if (!sched || t0 === undefined) continue;
        const entry = (byType[sched.type] ??= { n: 0, run: 0 });
        entry.n += 1;
        entry.run += ms(ev.eventTime) - t0;
        busy += ms(ev.eventTime) - sched.at;
      }
    }
  }
  const n = Math.max(1, runs.length);
  // Each start after the first round was made possible by an earlier report: pair them in time order.
  const ends = runs.map((r) => r.end).sort((a, b) => a - b);
  const starts = runs.map((r) => r.start).sort((a, b) => a - b);
  let gaps = 0;
  let gapCount = 0;
  let e = 0;
  for (const start of starts) {
    if (e >= ends.length || ends[e]! > start) continue;
    gaps += start - ends[e]!;
    gapCount += 1;
    e += 1;
  }
  const pass = await passDispatch(client, sourceId, starts);
  return {
    mailboxes: runs.length,
    wallMs: Math.round(wall / n),
    activities: Object.fromEntries(
      Object.entries(byType).map(([type, e]) => [
        type,
        { perMailbox: Math.round((e.n / n) * 10) / 10, runMs: Math.round(e.run / e.n) },
      ]),
    ),
    waitMs: Math.round(wait / n),
    betweenMs: Math.round((wall - busy) / n),
    startMs: Math.round(startup / n),
    finishMs: Math.round(finish / n),
    dispatchGapMs: gapCount ? Math.round(gaps / gapCount) : 0,
    passSignalToChildMs: pass.signalToChildMs,
    childInitiatedToStartMs: pass.childStartMs,
  };
}
