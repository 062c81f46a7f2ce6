// What a workflow does with an error of its own (docs/architecture.md, Error scopes). A plain Error
// thrown from workflow code fails the workflow TASK, which Temporal retries for ever: the workflow
// then waits for ever. So broken invariants throw a typed, non-retryable ApplicationFailure, and the
// JavaScript errors of a programming mistake fail the workflow EXECUTION (failureExceptionTypes):
// either way the workflow closes Failed with the message, the pass's liveness check records the
// mailbox, and the next pass starts it again. A carried state from a newer build is the one error
// left to retry the task (a newer worker will take it; see mailbox-state-migration.ts).
import { ApplicationFailure, type WorkflowDefinitionOptions } from '@temporalio/common';
import { SettingsError } from '../common/settings';

export const WORKFLOW_INVARIANT_FAILURE = 'WorkflowInvariant';

/** A state the workflow's own logic should never reach: fails the workflow with the message. */
export function invariantFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: WORKFLOW_INVARIANT_FAILURE, message, nonRetryable: true });
}

/** Passed to setWorkflowOptions for every workflow type. */
export const FAIL_WORKFLOW_ON: WorkflowDefinitionOptions = {
  failureExceptionTypes: [TypeError, RangeError, ReferenceError, SyntaxError, SettingsError],
};
