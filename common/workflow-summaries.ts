// The one-line static summaries the Temporal Web UI shows for each workflow (docs/operations.md, Web UI).
// Set where the workflow is started (CLI, schedule action, child start). Mailboxes are named by their key
// (a keyed hash when privacy.hashAddresses is on), never by an address or a subject.
import type { PassMode } from './contracts';

export function passWorkflowSummary(sourceId: string, mode: PassMode): string {
  return `Pass of source ${sourceId} (${mode})`;
}

export function mailboxWorkflowSummary(sourceId: string, mailboxKey: string): string {
  return `Mailbox ${mailboxKey} of source ${sourceId}`;
}

export function deletionWorkflowSummary(sourceId: string, mailboxKey: string): string {
  return `Deletion of mailbox ${mailboxKey} of source ${sourceId}`;
}
