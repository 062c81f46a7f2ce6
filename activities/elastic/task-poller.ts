// Runs a long Elasticsearch by-query operation as a task (`wait_for_completion: false`) and polls
// it, calling a heartbeat between polls so a Temporal activity stays alive however long it takes.
import type { Client } from '@elastic/elasticsearch';

export interface ByQueryStatus {
  total: number;
  deleted: number;
  updated: number;
  versionConflicts: number;
}

export interface TaskPollOptions {
  heartbeat?: (status: ByQueryStatus) => void;
  pollMs?: number;
  signal?: AbortSignal;
}

export class TaskFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskFailedError';
  }
}

export async function pollTask(
  es: Client,
  taskId: string,
  options: TaskPollOptions = {},
): Promise<ByQueryStatus> {
  const pollMs = options.pollMs ?? 1000;
  for (;;) {
    if (options.signal?.aborted) {
      // Cancel the server-side work too: a cancelled activity must not keep deleting.
      await es.tasks.cancel({ task_id: taskId }).catch(() => undefined);
      throw new TaskFailedError(`task ${taskId} cancelled`);
    }
    const task = await es.tasks.get(
      { task_id: taskId, wait_for_completion: true, timeout: `${pollMs}ms` },
      { ignore: [408] },
    );
    const raw = (task.completed ? (task.response ?? task.task.status) : task.task?.status) as
      Record<string, any> | undefined;
    const status: ByQueryStatus = {
      total: raw?.total ?? 0,
      deleted: raw?.deleted ?? 0,
      updated: raw?.updated ?? 0,
      versionConflicts: raw?.version_conflicts ?? 0,
    };
    options.heartbeat?.(status);
    if (task.completed) {
      if (task.error) throw new TaskFailedError(`task ${taskId} failed: ${JSON.stringify(task.error)}`);
      const failures = (task.response as { failures?: unknown[] } | undefined)?.failures ?? [];
      if (failures.length)
        throw new TaskFailedError(`task ${taskId} had failures: ${JSON.stringify(failures.slice(0, 3))}`);
      return status;
    }
  }
}

export async function deleteByQueryAsTask(
  es: Client,
  request: { index: string[]; query: object },
  options: TaskPollOptions = {},
): Promise<ByQueryStatus> {
  const started = await es.deleteByQuery({
    index: request.index,
    query: request.query,
    conflicts: 'proceed',
    ignore_unavailable: true,
    wait_for_completion: false,
  });
  if (!started.task) throw new TaskFailedError('delete_by_query did not return a task id');
  return pollTask(es, String(started.task), options);
}
