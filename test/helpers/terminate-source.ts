// Test cleanup: terminates every running workflow of a source (its passes and mailboxes).
import type { Client } from '@temporalio/client';

export async function terminateSource(client: Client, sourceId: string): Promise<void> {
  const query = `(MimecastSource='${sourceId}' OR WorkflowId STARTS_WITH 'mailbox:${sourceId}:' OR WorkflowId STARTS_WITH 'crawl:${sourceId}') AND ExecutionStatus='Running'`;
  for await (const wf of client.workflow.list({ query })) {
    await client.workflow
      .getHandle(wf.workflowId)
      .terminate('test cleanup')
      .catch(() => undefined);
  }
}
