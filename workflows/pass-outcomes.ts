// The registry learns each mailbox's outcome of a pass (what `status` shows; what makes it a deletion
// candidate later). Batched: one write in flight at a time, carrying whatever arrived meanwhile, so a
// pass of thousands of mailboxes writes its outcomes in a few activity calls.
import type { MailboxStatus, SteadyCoverage } from '../common/contracts';

/** Registry outcomes written per activity call (a bulk request); shapes the pass's command sequence. */
export const REGISTRY_OUTCOMES_PER_WRITE = 500;

export type MailboxOutcome = { address: string; status: MailboxStatus; steady?: SteadyCoverage };

export class OutcomeBatcher {
  private readonly buffer: MailboxOutcome[] = [];
  private write: Promise<void> | undefined;

  /**
   * @param writeBatch writes one batch (and deals with its own failure);
   * @param onWritten called after each batch, so the pass's main loop wakes up.
   */
  constructor(
    private readonly writeBatch: (outcomes: MailboxOutcome[]) => Promise<void>,
    private readonly onWritten: () => void,
  ) {}

  record(address: string, status: MailboxStatus, steady?: SteadyCoverage): void {
    this.buffer.push({ address, status, ...(steady ? { steady } : {}) });
    this.flush();
  }

  /** Nothing buffered and nothing in flight: the pass may end or continue-as-new. */
  written(): boolean {
    return this.write === undefined && this.buffer.length === 0;
  }

  private flush(): void {
    if (this.write || this.buffer.length === 0) return;
    const outcomes = this.buffer.splice(0, REGISTRY_OUTCOMES_PER_WRITE);
    this.write = this.writeBatch(outcomes).finally(() => {
      this.write = undefined;
      this.onWritten();
      this.flush();
    });
  }
}
