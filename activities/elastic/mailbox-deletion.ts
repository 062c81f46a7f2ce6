// Removes one source's mailbox from every index (design §2.3): delete-by-query filtered on source
// AND mailbox, run as a task and polled with heartbeats; the registry entry goes last, so a crash
// midway leaves the mailbox a deletion candidate and the next attempt finishes the job.
import type { Client } from '@elastic/elasticsearch';
import { indexNames } from '../../common/documents';
import { deleteRegistryEntry } from './registry';
import { deleteByQueryAsTask, type TaskPollOptions } from './task-poller';

export interface MailboxDeletionRequest {
  prefix: string;
  source: string;
  /** The mailbox as stored in documents (lower-cased address or its keyed hash). */
  mailbox: string;
  /** The registry's address, when it differs from `mailbox` (hashed addresses). */
  address?: string;
  /** Also remove the registry entry (default true). */
  removeRegistryEntry?: boolean;
}

export async function deleteMailboxDocuments(
  es: Client,
  request: MailboxDeletionRequest,
  options: TaskPollOptions = {},
): Promise<{ deleted: number }> {
  const names = indexNames(request.prefix);
  const status = await deleteByQueryAsTask(
    es,
    {
      index: [names.messages, names.attachments, names.failed, names.state],
      query: {
        bool: { filter: [{ term: { source: request.source } }, { term: { mailbox: request.mailbox } }] },
      },
    },
    options,
  );
  if (request.removeRegistryEntry !== false) {
    await deleteRegistryEntry(es, {
      prefix: request.prefix,
      source: request.source,
      address: request.address ?? request.mailbox,
    });
  }
  return { deleted: status.deleted };
}
