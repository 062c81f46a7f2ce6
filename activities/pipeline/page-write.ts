// The one bulk write of a page (or of a retry batch), accounting for every item Elasticsearch
// refused: a rejected message or attachment document becomes a failure record of its message (a
// second, small write), and the window's watermark (commitLast) is written only after that, so
// it never vouches for a window with an item neither indexed nor recorded.
import type { MessageCounters } from '../../common/message-counters';
import { indexNames } from '../../common/node/documents';
import { BulkSink, type BulkOp, type FailedBulkItem } from '../elastic/bulk-sink';
import { listedMetadataOf, recordFailedItemOp } from '../elastic/failed-items';
import type { MessageJob, ProcessContext } from './message-job';
import { receivedIsoOf } from './list-dates';

export type ItemOutcome = 'indexed' | 'failed';

/** What the page wrote per message, to turn an index rejection into a failure record. */
export interface WrittenMessage {
  job: MessageJob;
  outcomeIndex: number;
  /** The content problem already recorded for it, if any (it then counted as incomplete). */
  problem?: string;
}

export interface WrittenDocuments {
  /** Message document id → its message. */
  messages: Map<string, WrittenMessage>;
  /** Attachment document id → its message document id and the name to give in a reason. */
  attachments: Map<string, { messageDocId: string; name: string }>;
}

export function emptyWritten(): WrittenDocuments {
  return { messages: new Map(), attachments: new Map() };
}

interface Rejection {
  message: WrittenMessage;
  messageRejected?: string;
  attachments: string[];
}

/**
 * Writes the ops; documents Elasticsearch rejected become failure records, counted. Throws (the
 * page is retried) when anything else, a failure record or the watermark could not be written.
 */
export async function writePage(
  ctx: ProcessContext,
  ops: BulkOp[],
  written: WrittenDocuments,
  counters: MessageCounters,
  outcomes: ItemOutcome[],
): Promise<void> {
  const names = indexNames(ctx.settings.index.prefix);
  const sink = new BulkSink(ctx.deps.elastic, { onThrottled: () => ctx.runtime.heartbeat() });
  const first = await sink.write(ops);
  if (!first.failed.length) return;
  const rejections = new Map<string, Rejection>();
  const rejectionOf = (messageDocId: string) => {
    let r = rejections.get(messageDocId);
    if (!r)
      rejections.set(messageDocId, (r = { message: written.messages.get(messageDocId)!, attachments: [] }));
    return r;
  };
  const unrecoverable: FailedBulkItem[] = [];
  for (const item of first.failed) {
    const attachment = item.index === names.attachments ? written.attachments.get(item.id) : undefined;
    if (item.index === names.messages && written.messages.has(item.id)) {
      rejectionOf(item.id).messageRejected = item.reason;
    } else if (attachment && written.messages.has(attachment.messageDocId)) {
      rejectionOf(attachment.messageDocId).attachments.push(`${attachment.name}: ${item.reason}`);
    } else {
      unrecoverable.push(item);
    }
  }
  if (unrecoverable.length) {
    // Failure records, clears or the reconcile marks were not written: retrying the page is the only safe move.
    const [one] = unrecoverable;
    throw new Error(
      `bulk write failed for ${unrecoverable.length} operations: ${one!.index}/${one!.id}: ${one!.reason}`,
    );
  }
  const at = ctx.now().toISOString();
  const followUp: BulkOp[] = [];
  for (const rejection of rejections.values()) {
    followUp.push(recordRejection(ctx, rejection, at));
    countRejection(rejection, counters, outcomes);
  }
  // The held-back watermark goes last: after every rejected item is recorded.
  const second = await sink.write([...followUp, ...first.deferred]);
  if (second.failed.length) {
    throw new Error(`could not record failed items: ${second.failed[0]!.reason}`);
  }
}

function recordRejection(ctx: ProcessContext, rejection: Rejection, at: string): BulkOp {
  const { job, problem } = rejection.message;
  const reasons = [
    ...(rejection.messageRejected
      ? [`Elasticsearch rejected the document: ${rejection.messageRejected}`]
      : []),
    ...rejection.attachments.map((a) => `Elasticsearch rejected attachment ${a}`),
    ...(problem ? [problem] : []),
  ];
  return recordFailedItemOp(
    ctx.settings.index.prefix,
    {
      source: ctx.settings.sourceId,
      mailbox: ctx.mailbox,
      view: job.view,
      mimecastId: job.record.id,
      received: receivedIsoOf(job.record.received),
      reason: reasons.join('; '),
      kind: 'index-rejected',
      listed: listedMetadataOf(job.record),
    },
    at,
  );
}

function countRejection(rejection: Rejection, counters: MessageCounters, outcomes: ItemOutcome[]): void {
  const { outcomeIndex, problem } = rejection.message;
  if (rejection.messageRejected) {
    counters.indexed -= 1;
    counters.failed += 1;
    if (problem) counters.incomplete -= 1;
    outcomes[outcomeIndex] = 'failed';
  } else if (!problem) {
    counters.incomplete += 1;
  }
  counters.attachmentsIndexed -= rejection.attachments.length;
}
