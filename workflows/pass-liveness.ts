// The pass's liveness check (docs/architecture.md, Mailbox workflows and liveness): every period it
// describes its in-flight mailboxes; one that closed or cannot be found never reports, and one running
// without progress over several checks is stuck, so each is recorded as failed and the pass goes on.
import { sleep } from '@temporalio/workflow';
import { mailboxWorkflowId } from '../common/contracts';
import { type DescribeMailboxesInput, type DescribeMailboxesResult } from '../common/activity-contracts';
import type { PassState } from './pass-state';

// Both shape the pass's command sequence (timers): a new value goes behind patched().
export const DEFAULT_LIVENESS_CHECK_MS = 10 * 60 * 1000;
/** A running mailbox whose progress mark stays the same over this many checks is recorded as failed. */
export const DEFAULT_STALLED_CHECKS = 3;

export interface LivenessDeps {
  state: PassState;
  describeMailboxes: (input: DescribeMailboxesInput) => Promise<DescribeMailboxesResult>;
  /** Starts still in progress: a mailbox not visible yet is left to the next check. */
  pendingStarts: () => number;
  /** Records the mailbox failed (registry included) and wakes the pass. */
  fail: (mailboxKey: string, reason: string) => void;
  /** Wakes the pass's main loop when a check is due. */
  wake: () => void;
}

export class LivenessCheck {
  private timerFired = false;
  private armed = false;

  constructor(
    private readonly deps: LivenessDeps,
    private readonly periodMs: number,
    private readonly stalledChecks: number,
  ) {}

  /** One timer per period (not one per wake-up), so a busy pass does not fill its history with timers. */
  arm(): void {
    if (this.armed) return;
    this.armed = true;
    void sleep(this.periodMs)
      .then(() => {
        this.timerFired = true;
        this.deps.wake();
      })
      .catch(() => undefined)
      .finally(() => {
        this.armed = false;
      });
  }

  /** The timer fired since the last check. */
  get due(): boolean {
    return this.timerFired;
  }

  async run(): Promise<void> {
    this.timerFired = false;
    await this.check();
  }

  private async check(): Promise<void> {
    const { state } = this.deps;
    const d = state.data;
    if (d.phase !== 'crawl') return;
    const byWorkflowId = new Map(
      state.inFlightMailboxes().map((m) => [mailboxWorkflowId(d.sourceId, m.mailboxKey), m.mailboxKey]),
    );
    if (byWorkflowId.size === 0) return;
    const pendingStarts = this.deps.pendingStarts();
    const { notRunning, running = [] } = await this.deps.describeMailboxes({
      workflowIds: [...byWorkflowId.keys()],
    });
    for (const gone of notRunning) {
      const key = byWorkflowId.get(gone.workflowId);
      // A start still in progress may not be visible yet; the next check decides.
      if (key === undefined || pendingStarts > 0) continue;
      this.deps.fail(key, `the mailbox workflow is ${gone.status} and did not report to this pass`);
    }
    // Running but not moving (failing workflow tasks, no worker, no activity progress): the pass
    // records it and goes on, so a schedule's next pass is not buffered behind it for ever.
    const stalledMs = this.stalledChecks * this.periodMs;
    const stalledFor =
      stalledMs < 120_000 ? `${stalledMs / 1000} s` : `${Math.round(stalledMs / 60_000)} min`;
    for (const r of running) {
      const key = byWorkflowId.get(r.workflowId);
      if (key === undefined || state.observeProgress(key, r.progressMark) < this.stalledChecks) continue;
      this.deps.fail(
        key,
        `the mailbox workflow is running but made no progress over ${this.stalledChecks} liveness checks (${stalledFor}): ${r.detail}`,
      );
    }
  }
}
