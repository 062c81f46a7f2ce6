// The messages of one page, several at once (performance.pageConcurrency): each job's content is
// fetched, parsed and extracted in one of a few lanes, and the results are applied in list order, so
// the bulk write, the outcomes (the workflow's consecutive-failure budget) and the counters are what
// the one-at-a-time loop produced. The heartbeat carries every message in flight: a retry after a
// lost worker records each of them as failed and skips it (activities/pipeline/in-flight.ts).
import type { MessageCounters } from '../../common/message-counters';
import { emptyCounters } from '../../common/message-counters';
import { indexNames } from '../../common/node/documents';
import { classifyError } from '../../common/node/errors';
import type { BulkOp } from '../elastic/bulk-sink';
import { messageDocId } from '../elastic/document-ids';
import { clearFailedItemOp, listedMetadataOf, recordFailedItemOp } from '../elastic/failed-items';
import { WORKER_STOPPED_REASON } from './in-flight';
import { keepAliveIntervalMs, withKeepAlive } from './keep-alive';
import { receivedIsoOf as isoOf } from './list-dates';
import { buildMessageContent } from './message-content';
import { emptyWritten, type ItemOutcome, type WrittenDocuments } from './page-write';
import type { MessageJob, ProcessContext } from './message-job';

export interface ProcessResult {
  ops: BulkOp[];
  counters: MessageCounters;
  outcomes: ItemOutcome[];
  /** The documents written, to turn an index rejection into a failure record. */
  written: WrittenDocuments;
}

/** Heartbeat callback: jobs finished in list order so far, and the ids in flight now (list order). */
export type ProgressBeat = (nextIndex: number, inFlightIds: string[]) => void;

/** What one job produced, applied to the page's result in list order. */
interface JobResult {
  ops: BulkOp[];
  outcome: ItemOutcome;
  counters: Partial<MessageCounters>;
  /** Set when a message document is written (with its attachments' ids and names). */
  message?: { docId: string; problem?: string; attachments: [string, string][] };
}

async function processJob(ctx: ProcessContext, job: MessageJob, stopped: boolean): Promise<JobResult> {
  const prefix = ctx.settings.index.prefix;
  const at = ctx.now().toISOString();
  const key = {
    source: ctx.settings.sourceId,
    mailbox: ctx.mailbox,
    view: job.view,
    mimecastId: job.record.id,
  };
  const listed = listedMetadataOf(job.record);
  const received = isoOf(job.record.received);
  const failure = (reason: string, kind: string): JobResult => ({
    ops: [recordFailedItemOp(prefix, { ...key, received, reason, kind, listed }, at)],
    outcome: 'failed',
    counters: { failed: 1 },
  });
  if (stopped) return failure(WORKER_STOPPED_REASON, 'worker-stopped');
  try {
    const content = await buildMessageContent(ctx, job);
    const docId = messageDocId(key);
    const ops: BulkOp[] = [
      { action: 'index', index: indexNames(prefix).messages, id: docId, doc: content.message },
    ];
    const attachments: [string, string][] = [];
    for (const attachment of content.attachments) {
      ops.push({
        action: 'index',
        index: indexNames(prefix).attachments,
        id: attachment.id,
        doc: attachment.doc,
      });
      attachments.push([attachment.id, `${attachment.doc.partPath} (${attachment.doc.filename})`]);
    }
    const counters: Partial<MessageCounters> = {
      indexed: 1,
      attachmentsIndexed: content.attachments.length,
      attachmentsSkipped: content.attachmentsSkipped,
      contentBytes: content.contentBytes,
    };
    if (content.problem) {
      // Indexed, but not completely (oversize, unreadable parts): recorded, counted as
      // incomplete, so it is visible and the next pass retries it.
      if (content.oversize) counters.oversize = 1;
      counters.incomplete = 1;
      ops.push(recordFailedItemOp(prefix, { ...key, received, ...content.problem, listed }, at));
    } else {
      ops.push(clearFailedItemOp(prefix, key));
    }
    return {
      ops,
      outcome: 'indexed',
      counters,
      message: { docId, problem: content.problem?.reason, attachments },
    };
  } catch (err) {
    const c = classifyError(err);
    if (c.kind !== 'item') throw err;
    return failure(c.message, 'item');
  }
}

/**
 * Fetches content and builds documents for the jobs, `pageConcurrency` at a time, heartbeating when
 * a job starts or ends and on a timer between, and recording (not throwing) item failures.
 * Page-level errors (throttled, transient, source) throw once the jobs in flight have settled.
 */
export async function processMessages(
  ctx: ProcessContext,
  jobs: MessageJob[],
  heartbeat: ProgressBeat,
  stoppedIds: Set<string>,
): Promise<ProcessResult> {
  const results: (JobResult | undefined)[] = new Array(jobs.length);
  const inFlight = new Set<number>();
  let finishedInOrder = 0;
  let next = 0;
  let pageError: unknown;
  const beat = () => {
    while (finishedInOrder < jobs.length && results[finishedInOrder]) finishedInOrder += 1;
    heartbeat(
      finishedInOrder,
      [...inFlight].sort((a, b) => a - b).map((i) => jobs[i]!.record.id),
    );
  };
  const lane = async () => {
    while (pageError === undefined && next < jobs.length) {
      const i = next++;
      const job = jobs[i]!;
      const stopped = stoppedIds.has(job.record.id);
      if (!stopped) {
        inFlight.add(i);
        beat();
      }
      try {
        results[i] = await processJob(ctx, job, stopped);
      } catch (err) {
        pageError ??= err;
      } finally {
        inFlight.delete(i);
        if (!stopped) beat();
      }
    }
  };
  const lanes = Math.max(1, Math.min(ctx.settings.performance.pageConcurrency, jobs.length));
  await withKeepAlive(beat, keepAliveIntervalMs(ctx.runtime.heartbeatTimeoutMs?.()), () =>
    Promise.all(Array.from({ length: lanes }, lane)),
  );
  if (pageError !== undefined) throw pageError;
  beat();
  return inListOrder(jobs, results as JobResult[]);
}

function inListOrder(jobs: MessageJob[], results: JobResult[]): ProcessResult {
  const counters = emptyCounters();
  const ops: BulkOp[] = [];
  const outcomes: ItemOutcome[] = [];
  const written = emptyWritten();
  results.forEach((result, i) => {
    ops.push(...result.ops);
    for (const [k, v] of Object.entries(result.counters) as [keyof MessageCounters, number][])
      counters[k] += v;
    if (result.message) {
      const { docId, problem, attachments } = result.message;
      for (const [id, name] of attachments) written.attachments.set(id, { messageDocId: docId, name });
      written.messages.set(docId, { job: jobs[i]!, outcomeIndex: outcomes.length, problem });
    }
    outcomes.push(result.outcome);
  });
  return { ops, counters, outcomes, written };
}
