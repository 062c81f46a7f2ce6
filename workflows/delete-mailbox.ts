// deleteMailbox: removes one out-of-scope mailbox (docs/architecture.md, Registry and deletion guard). Stops
// its mailbox workflow first and waits for it to close, so no page lands after the delete; then deletes that
// source's documents of that mailbox from every index and marks the registry entry.
import {
  proxyActivities,
  setWorkflowOptions,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { mailboxWorkflowId, type DeleteMailboxInput, type DeleteMailboxResult } from '../common/contracts';
import { type CrawlerActivities } from '../common/activity-contracts';
import { CrawlStatus } from '../common/search-attributes';
import { carriedSettings } from '../common/carried-settings';
import { ACTIVITY_OPTIONS } from './activity-options';
import { FAIL_WORKFLOW_ON } from './workflow-failures';

const { stopMailboxWorkflow } = proxyActivities<CrawlerActivities>(ACTIVITY_OPTIONS.stopMailboxWorkflow);
const { deleteMailboxDocuments } = proxyActivities<CrawlerActivities>(
  ACTIVITY_OPTIONS.deleteMailboxDocuments,
);
const { updateRegistryStatus } = proxyActivities<CrawlerActivities>(ACTIVITY_OPTIONS.updateRegistryStatus);

export async function deleteMailbox(input: DeleteMailboxInput): Promise<DeleteMailboxResult> {
  const { settings } = carriedSettings(input);
  const passId = input.passId || workflowInfo().workflowId;
  upsertSearchAttributes([{ key: CrawlStatus, value: 'Deleting' }]);
  await updateRegistryStatus({
    settings,
    address: input.address,
    status: 'Deleting',
    passId,
    at: new Date().toISOString(),
  });
  const { closed } = await stopMailboxWorkflow({
    workflowId: mailboxWorkflowId(settings.sourceId, input.mailboxKey),
    reason: `mailbox ${input.mailboxKey} left the scope of source ${settings.sourceId} (pass ${passId})`,
  });
  // Removes the registry entry last, so a deletion cut short stays a candidate for the next pass.
  const { deleted } = await deleteMailboxDocuments({
    settings,
    address: input.address,
    mailboxKey: input.mailboxKey,
  });
  upsertSearchAttributes([{ key: CrawlStatus, value: 'Completed' }]);
  return { address: input.address, deleted, mailboxWorkflowClosed: closed };
}

setWorkflowOptions(FAIL_WORKFLOW_ON, deleteMailbox);
