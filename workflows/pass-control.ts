// What the pass does when a message arrives: a mailbox report (its outcome goes to the pass state, the
// registry and the search attributes; a source error fails the whole pass), and an operator's pause,
// resume or cancel, forwarded to every in-flight mailbox as signals.
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { mailboxWorkflowId, type MailboxReport, type PassProgress } from '../common/contracts';
import { cancelMailboxSignal, pauseMailboxSignal, resumeMailboxSignal } from '../common/messages';
import type { OutcomeBatcher } from './pass-outcomes';
import type { PassSearchAttributes } from './pass-search-attributes';
import type { PassState } from './pass-state';

export class PassControl {
  constructor(
    private readonly state: PassState,
    private readonly outcomes: OutcomeBatcher,
    private readonly attributes: PassSearchAttributes,
    private readonly wake: () => void,
  ) {}

  onReport(report: MailboxReport): void {
    const { state } = this;
    if (!state.applyReport(report)) {
      log.info('ignored a mailbox report', { passId: report.passId, mailboxKey: report.mailboxKey });
      return;
    }
    this.outcomes.record(report.address, report.status, report.steady);
    this.attributes.reportApplied();
    this.wake();
    // A source error seen by one mailbox (403, 401 after a fresh token, ES read-only) fails the whole pass.
    if (report.errorKind === 'source' && state.data.status !== 'Failed') {
      const message = report.error ?? `a source error stopped mailbox ${report.mailboxKey}`;
      state.failSource(message);
      void this.cancelMailboxes(message);
    }
  }

  refuseWhenDone(): void {
    const d = this.state.data;
    if (d.phase === 'done') throw new Error(`the pass has already ended (${d.status})`);
  }

  async pause(): Promise<PassProgress> {
    this.state.pause();
    this.wake();
    await this.forward((id) =>
      getExternalWorkflowHandle(id).signal(pauseMailboxSignal, { passId: this.passId }),
    );
    return this.state.progress();
  }

  async resume(): Promise<PassProgress> {
    this.state.resume();
    this.wake();
    await this.forward((id) =>
      getExternalWorkflowHandle(id).signal(resumeMailboxSignal, { passId: this.passId }),
    );
    return this.state.progress();
  }

  async cancel(reason: string): Promise<PassProgress> {
    await this.cancelInFlight(reason);
    return this.state.progress();
  }

  async cancelInFlight(reason: string): Promise<void> {
    this.state.requestCancel(reason);
    this.wake();
    await this.cancelMailboxes(reason);
  }

  cancelMailboxes(reason: string): Promise<void> {
    return this.forward((id) =>
      getExternalWorkflowHandle(id).signal(cancelMailboxSignal, { passId: this.passId, reason }),
    );
  }

  private get passId(): string {
    return this.state.data.passId;
  }

  /** Signals every in-flight mailbox; a mailbox that is gone is the liveness check's business. */
  private async forward(send: (workflowId: string) => Promise<void>): Promise<void> {
    const d = this.state.data;
    if (d.phase !== 'crawl') return;
    await Promise.allSettled(
      this.state.inFlightMailboxes().map((m) => send(mailboxWorkflowId(d.sourceId, m.mailboxKey))),
    );
  }
}
