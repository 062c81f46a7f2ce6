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
  // Two passes run only when one was forced; the newest is the one an operator means. Visibility lags
  // behind (a pass that just ended may still be listed), so each candidate is described first.
  ids.sort().reverse();
  if (!ids.includes(passWorkflowId(sourceId))) ids.push(passWorkflowId(sourceId));
  for (const id of ids) {
    const handle = client.workflow.getHandle(id);
    try {
      if ((await handle.describe()).status.name === 'RUNNING') return handle;
    } catch {
      // Not found: not running.
    }
  }
  return undefined;
}
