// The current details the Temporal Web UI shows for a running workflow (setCurrentDetails; docs/operations.md,
// Web UI): pure formatting, so the lines are unit-tested and the docs quote them. Times are workflow time.
import type { PassProgress } from '../common/contracts';
import type { PassPhase } from './pass-state-data';

export interface LastFailure {
  /** Mailbox key, or 'source' for a failure of the whole pass. */
  what: string;
  reason: string;
  /** ISO time (workflow time) when the pass saw it. */
  at: string;
}

const MAX_REASON_CHARS = 300;

export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function clip(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}

export function passPhaseLine(phase: PassPhase, p: PassProgress): string {
  const settled = p.mailboxes.completed + p.mailboxes.failed;
  switch (phase) {
    case 'start':
      return 'Phase: enumerating mailboxes';
    case 'crawl':
      return `Phase: crawling ${count(settled)} of ${count(p.mailboxes.total)} mailboxes (${count(p.mailboxes.inFlight)} in flight)`;
    case 'delete':
      return `Phase: deleting ${count(p.deletions.performed)} of ${count(p.deletions.candidates)} mailboxes`;
    default:
      return `Phase: done (${p.status})`;
  }
}

export function passDetails(phase: PassPhase, p: PassProgress, lastFailure?: LastFailure): string {
  const m = p.mailboxes;
  const lines = [
    passPhaseLine(phase, p) + (p.paused ? ', paused' : ''),
    `Mailboxes: ${count(m.total)} total, ${count(m.completed)} completed, ${count(m.failed)} failed`,
    `Messages: ${count(p.messages.indexed)} indexed, ${count(p.messages.failed)} failed`,
  ];
  if (lastFailure)
    lines.push(`Last failure: ${lastFailure.what} at ${lastFailure.at}: ${clip(lastFailure.reason)}`);
  return lines.join('\n');
}

/** Notices new mailbox failures (and a source error) between two looks at the pass's progress. */
export class PassFailureWatch {
  private seenFailed = 0;
  private seenError: string | undefined;
  last: LastFailure | undefined;

  observe(p: PassProgress, now: string): LastFailure | undefined {
    if (p.error !== undefined && p.error !== this.seenError) {
      this.seenError = p.error;
      this.last = { what: 'source', reason: p.error, at: now };
    } else if (p.failedMailboxesTotal > this.seenFailed) {
      const newest = p.failedMailboxes[p.failedMailboxes.length - 1];
      // Past the capped list the newest failure is not listed: say how many failed instead.
      this.last =
        newest && p.failedMailboxes.length === p.failedMailboxesTotal
          ? { what: `mailbox ${newest.mailboxKey}`, reason: newest.reason, at: now }
          : {
              what: 'mailboxes',
              reason: `${count(p.failedMailboxesTotal)} failed (see the pass report)`,
              at: now,
            };
    }
    this.seenFailed = p.failedMailboxesTotal;
    return this.last;
  }
}
