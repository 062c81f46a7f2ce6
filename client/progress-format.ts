// Text of the live progress (bar payload and plain lines) and of the final summary of a pass.
import type { PassProgress } from '../common/contracts';

export interface ProgressFigures {
  status: string;
  mailboxesDone: number;
  mailboxesTotal: number;
  inFlight: number;
  indexed: number;
  rate: string;
  throttled: number;
  failedMailboxes: number;
  failedItems: number;
  paused: string;
}

export function progressFigures(progress: PassProgress, ratePerSecond: number): ProgressFigures {
  const { mailboxes, messages } = progress;
  return {
    status: progress.status,
    mailboxesDone: mailboxes.completed + mailboxes.failed,
    mailboxesTotal: mailboxes.total,
    inFlight: mailboxes.inFlight,
    indexed: messages.indexed,
    rate: ratePerSecond.toFixed(1),
    throttled: messages.throttled,
    failedMailboxes: mailboxes.failed,
    failedItems: messages.failed,
    paused: progress.paused ? ' PAUSED' : '',
  };
}

/** One line for logs and non-TTY output. */
export function progressLine(figures: ProgressFigures): string {
  return (
    `[${figures.status}${figures.paused}] mailboxes ${figures.mailboxesDone}/${figures.mailboxesTotal}` +
    ` (in flight ${figures.inFlight}) · messages indexed ${figures.indexed} · ${figures.rate} msg/s` +
    ` · 429s ${figures.throttled} · failed mailboxes ${figures.failedMailboxes} · failed items ${figures.failedItems}`
  );
}

/** cli-progress format string; the {tokens} are the fields of ProgressFigures. */
export const BAR_FORMAT =
  '{bar} {mailboxesDone}/{mailboxesTotal} mailboxes | {indexed} indexed | {rate} msg/s | 429s {throttled} | failed {failedMailboxes} mbx, {failedItems} items | {status}{paused}';

function seconds(from: string, to: Date): string {
  const ms = to.getTime() - Date.parse(from);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '?';
}

/** The summary printed when a pass ends. */
export function passSummary(progress: PassProgress, finishedAt: Date): string[] {
  const m = progress.messages;
  const lines = [
    `Pass ${progress.passId} of source ${progress.sourceId}: ${progress.status} (${progress.mode}) in ${seconds(progress.startedAt, finishedAt)}`,
    `  mailboxes: ${progress.mailboxes.completed} completed` +
      (progress.mailboxes.idle ? ` (${progress.mailboxes.idle} with nothing new, not woken)` : '') +
      `, ${progress.mailboxes.failed} failed, ${progress.mailboxes.total} in scope`,
    `  messages:  ${m.indexed} indexed, ${m.listed} listed, ${m.skippedExisting} already indexed, ` +
      `${m.skippedBySubject} excluded by subject, ${m.deleted} deleted, ${m.failed} failed items`,
    `  attachments: ${m.attachmentsIndexed} indexed, ${m.attachmentsSkipped} skipped; oversize messages: ${m.oversize}; ` +
      `indexed incompletely (recorded, retried next pass): ${m.incomplete ?? 0}`,
    `  Mimecast API calls: ${m.apiCalls} (+${m.linkGets} link downloads), 429s: ${m.throttled}, ` +
      `throttle wait ${(m.throttleWaitMs / 1000).toFixed(1)} s` +
      (m.indexed > 0 ? `, ${(m.apiCalls / m.indexed).toFixed(2)} calls per message` : ''),
  ];
  const d = progress.deletions;
  if (d.candidates || d.performed || d.withheld) {
    lines.push(
      `  deletions: ${d.performed} performed, ${d.withheld} withheld of ${d.candidates} candidates` +
        (d.reason ? ` (${d.reason})` : ''),
    );
  }
  for (const overflow of progress.boundaryOverflow ?? [])
    lines.push(
      `  more than 500 records in one second (view not swept): ${overflow.address} ${overflow.seconds.join(', ')}`,
    );
  if (progress.failedMailboxesTotal > 0) {
    lines.push(`  failed mailboxes (${progress.failedMailboxesTotal}):`);
    for (const failed of progress.failedMailboxes)
      lines.push(`    ${failed.address}: [${failed.kind}] ${failed.reason}`);
    const hidden = progress.failedMailboxesTotal - progress.failedMailboxes.length;
    if (hidden > 0) lines.push(`    … and ${hidden} more (see: status --source ${progress.sourceId})`);
  }
  if (progress.error) lines.push(`  error: ${progress.error}`);
  return lines;
}
