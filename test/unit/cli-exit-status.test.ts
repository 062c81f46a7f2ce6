import { passExitStatus } from '../../client/exit-status';
import type { PassProgress } from '../../common/contracts';

type Verdict = Pick<PassProgress, 'status' | 'failedMailboxesTotal' | 'deletions'>;
const pass = (over: Partial<Verdict>): Verdict => ({
  status: 'Completed',
  failedMailboxesTotal: 0,
  deletions: { candidates: 0, performed: 0, withheld: 0 },
  ...over,
});

describe('exit status of crawl --wait (docs/architecture.md, Commands and environment)', () => {
  it('is 0 for a completed pass, even with item failures (they are not in this verdict)', () => {
    expect(passExitStatus(pass({}))).toBe(0);
  });
  it('is 2 when mailboxes failed', () => {
    expect(passExitStatus(pass({ status: 'CompletedWithFailures', failedMailboxesTotal: 1 }))).toBe(2);
    expect(passExitStatus(pass({ failedMailboxesTotal: 3 }))).toBe(2);
  });
  it('is 3 when deletions were withheld', () => {
    expect(passExitStatus(pass({ deletions: { candidates: 9, performed: 0, withheld: 9 } }))).toBe(3);
  });
  it('prefers 2 over 3 when both happened', () => {
    expect(
      passExitStatus(
        pass({
          status: 'CompletedWithFailures',
          failedMailboxesTotal: 1,
          deletions: { candidates: 9, performed: 0, withheld: 9 },
        }),
      ),
    ).toBe(2);
  });
  it.each(['Failed', 'Cancelled', 'Skipped'] as const)('is 1 for %s', (status) => {
    expect(passExitStatus(pass({ status, failedMailboxesTotal: 2 }))).toBe(1);
  });
});
