// Exit statuses of `crawl --wait` (docs/architecture.md, Commands and environment). When a pass both failed
// mailboxes and withheld deletions, 2 wins: missing data needs attention before extra data does (the summary
// lists both).
import type { PassProgress } from '../common/contracts';

export const ExitStatus = {
  completed: 0,
  failedOrCancelled: 1,
  failedMailboxes: 2,
  deletionsWithheld: 3,
} as const;
export type ExitStatusCode = (typeof ExitStatus)[keyof typeof ExitStatus];

export function passExitStatus(
  progress: Pick<PassProgress, 'status' | 'failedMailboxesTotal' | 'deletions'>,
): ExitStatusCode {
  switch (progress.status) {
    case 'Failed':
    case 'Cancelled':
    case 'Skipped':
      return ExitStatus.failedOrCancelled;
    default:
  }
  if (progress.status === 'CompletedWithFailures' || progress.failedMailboxesTotal > 0)
    return ExitStatus.failedMailboxes;
  if (progress.deletions.withheld > 0) return ExitStatus.deletionsWithheld;
  return ExitStatus.completed;
}

export function describeExitStatus(code: number): string {
  switch (code) {
    case ExitStatus.completed:
      return 'completed';
    case ExitStatus.failedMailboxes:
      return 'completed with failed mailboxes';
    case ExitStatus.deletionsWithheld:
      return 'deletions withheld (run crawl --confirm-deletions to perform them)';
    default:
      return 'failed, cancelled or skipped';
  }
}
