// Finds the running pass of a source: by visibility (covers scheduled passes, whose ids carry a
// time), then by the CLI's fixed id (visibility lags a second or so behind a fresh start).
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowTypes, passWorkflowId } from '../common/contracts';

export function runningPassQuery(sourceId: string): string {
  return `WorkflowType='${WorkflowTypes.crawlArchive}' AND MimecastSource='${sourceId}' AND ExecutionStatus='Running'`;
}

export async function findRunningPass(client: Client, sourceId: string): Promise<WorkflowHandle | undefined> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query: runningPassQuery(sourceId), pageSize: 10 })) {
    ids.push(execution.workflowId);
  }
  if (ids.length > 1) {
    // Two passes run only when one was forced; the newest is the one an operator means.
    ids.sort();
  }
  if (ids.length) return client.workflow.getHandle(ids[ids.length - 1]);
  const cliHandle = client.workflow.getHandle(passWorkflowId(sourceId));
  try {
    const description = await cliHandle.describe();
    return description.status.name === 'RUNNING' ? cliHandle : undefined;
  } catch {
    return undefined;
  }
}
