// History events per workflow run (target: no run over 10,000): every run of a source's workflows,
// continue-as-new runs included, found by the MimecastSource search attribute they all carry.
import type { Client } from '@temporalio/client';

export interface HistoryStats {
  runs: number;
  maxEvents: number;
  maxRun: string;
  totalEvents: number;
}

export async function historyStats(client: Client, sourceId: string): Promise<HistoryStats> {
  const stats: HistoryStats = { runs: 0, maxEvents: 0, maxRun: '', totalEvents: 0 };
  for await (const execution of client.workflow.list({ query: `MimecastSource = "${sourceId}"` })) {
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const events = history.events?.length ?? 0;
    stats.runs += 1;
    stats.totalEvents += events;
    if (events > stats.maxEvents) {
      stats.maxEvents = events;
      stats.maxRun = `${execution.workflowId} (${execution.runId})`;
    }
  }
  return stats;
}

/** Mailbox workflows are long-lived and wait for the next pass: the benchmark ends them. */
export async function terminateSourceWorkflows(client: Client, sourceId: string): Promise<void> {
  for await (const execution of client.workflow.list({ query: `MimecastSource = "${sourceId}" AND ExecutionStatus = "Running"` })) {
    await client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .terminate('benchmark finished')
      .catch(() => undefined);
  }
}
