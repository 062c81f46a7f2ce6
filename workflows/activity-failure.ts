// How a failed activity reads for the mailbox pass: its message, and whether the source or the mailbox is at fault.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { ErrorKind } from '../common/contracts';
import { FailureTypes } from '../common/contracts';

export function failureOf(err: unknown): { message: string; kind: ErrorKind } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const kind: ErrorKind =
    cause instanceof ApplicationFailure && cause.type === FailureTypes.source ? 'source' : 'mailbox';
  const message = cause instanceof Error ? cause.message : String(cause);
  return { message, kind };
}
