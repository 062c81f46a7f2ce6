// Test seam for "a mailbox whose workflow never progresses": the mailbox workflow of an address is
// started before the pass dispatches it, in a way that keeps it RUNNING without ever moving. The
// pass then finds it running (its start fails as already started, its signal is accepted) and must
// notice through its liveness check that nothing happens.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { mailboxWorkflowId, type CrawlMailboxInput } from '../../common/contracts';

export type StuckKind =
  /** Its carried state is from a newer build: every workflow task fails and is retried. */
  | 'failing-workflow-task'
  /** On a task queue no worker polls: its first workflow task is never picked up. */
  | 'no-worker';

/** Started on the harness's source and task queue (or one no worker polls). */
export async function startStuckMailbox(
  h: { client: Client; sourceId: string; taskQueue: string },
  address: string,
  kind: StuckKind,
): Promise<WorkflowHandle> {
  const o = { sourceId: h.sourceId, address, taskQueue: h.taskQueue, kind };
  const mailboxKey = o.address.toLowerCase();
  const input: CrawlMailboxInput = {
    sourceId: o.sourceId,
    address: o.address,
    mailboxKey,
    domain: o.address.split('@')[1]!,
    ...(o.kind === 'failing-workflow-task' ? { state: { version: 99 } } : {}),
  };
  return h.client.workflow.start('crawlMailbox', {
    taskQueue: o.kind === 'no-worker' ? `${o.taskQueue}-nobody-polls` : o.taskQueue,
    workflowId: mailboxWorkflowId(o.sourceId, mailboxKey),
    args: [input],
  });
}
