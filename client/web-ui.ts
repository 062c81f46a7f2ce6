// Links into the Temporal Web UI that the CLI and the demo print.
import { WorkflowTypes } from '../common/contracts';
import type { CliEnvironment } from './environment';

type UiEnv = Pick<CliEnvironment, 'temporalUiUrl' | 'namespace'>;

export function workflowUrl(env: UiEnv, workflowId: string): string {
  return `${env.temporalUiUrl}/namespaces/${encodeURIComponent(env.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function workflowListUrl(env: UiEnv, query: string): string {
  return `${env.temporalUiUrl}/namespaces/${encodeURIComponent(env.namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** The current run of each mailbox (they continue-as-new after every pass and always show Running). */
export function mailboxWorkflowsQuery(sourceId: string): string {
  return `WorkflowType="${WorkflowTypes.crawlMailbox}" AND MimecastSource="${sourceId}" AND ExecutionStatus="Running"`;
}

/** Passes without the intermediate runs that continued as new. */
export function passWorkflowsQuery(sourceId: string): string {
  return `WorkflowType="${WorkflowTypes.crawlArchive}" AND MimecastSource="${sourceId}" AND ExecutionStatus!="ContinuedAsNew"`;
}
