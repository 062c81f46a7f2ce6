// The Web UI lines of a mailbox workflow (docs/operations.md, Web UI): its current details
// (setCurrentDetails) and the summary of each activity. Pure formatting; times are workflow time.
import type { MailboxProgress, TimeWindow, View } from '../common/contracts';
import { count, clip } from './current-details';
import type { MailboxStep } from './mailbox-step';

function formatInstant(iso: string, withYear: boolean): string {
  const date = withYear ? iso.slice(0, 10) : iso.slice(5, 10);
  // Adaptive windows may be shorter than a day: show the time then.
  const time = iso.slice(11, 19);
  return time === '' || time === '00:00:00' ? date : `${date} ${iso.slice(11, 16)}`;
}

/** "2024-03-01…03-08" (the end's year only when it differs). */
export function formatWindow(window: TimeWindow): string {
  const sameYear = window.start.slice(0, 4) === window.end.slice(0, 4);
  return `${formatInstant(window.start, true)}…${formatInstant(window.end, !sameYear)}`;
}

/** The summary of a crawlPage call, e.g. "INBOX 2024-03-01…03-08 page 3". */
export function pageSummary(view: View, window: TimeWindow, pageIndex: number): string {
  return `${view} ${formatWindow(window)} page ${pageIndex + 1}`;
}

/** What the workflow is doing now, from its next step. */
function activityLine(p: MailboxProgress, step: MailboxStep | undefined): string {
  if (!p.currentPassId || !step || step.kind === 'idle' || step.kind === 'finish') {
    return `Idle: waiting for the next pass${p.currentPassId ? '' : ` (last: ${p.status})`}`;
  }
  const mode = p.mode ? ` (${p.mode} pass)` : '';
  switch (step.kind) {
    case 'page':
      return `Crawling ${pageSummary(step.view, step.window, step.pageIndex)}${mode}`;
    case 'sweep':
      return `Sweeping ${step.view}: removing messages the archive no longer lists${mode}`;
    case 'retryFailed':
      return 'Retrying failed messages';
  }
}

export function mailboxDetails(
  p: MailboxProgress,
  step: MailboxStep | undefined,
  lastError?: { message: string; at: string },
): string {
  const lines = [activityLine(p, step) + (p.paused ? ', paused' : '')];
  if (p.currentPassId) {
    lines.push(
      `This pass: window ${count(p.windowsDone + 1)} of ${count(p.windowsTotal)}, ${count(p.pagesDone)} pages, ` +
        `${count(p.counters.indexed)} messages indexed, ${count(p.counters.failed)} failed`,
    );
  }
  lines.push(`Messages indexed in all: ${count(p.messagesIndexedTotal)}`);
  if (lastError) lines.push(`Last error at ${lastError.at}: ${clip(lastError.message)}`);
  return lines.join('\n');
}

/** Remembers when the mailbox's last error was first seen (workflow time). */
export class MailboxErrorWatch {
  private last: { message: string; at: string } | undefined;

  observe(lastError: string | undefined, now: string): { message: string; at: string } | undefined {
    if (lastError === undefined) return this.last;
    if (lastError !== this.last?.message) this.last = { message: lastError, at: now };
    return this.last;
  }
}
