// The outcome of a pass, whether it returned (completed, skipped, cancelled …) or failed: a pass that
// fails for a source-level reason fails its workflow (so a schedule with pause-on-failure pauses)
// and carries its progress in the failure's details.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { PassProgress } from '../common/contracts';

/** The PassProgress carried by a failed pass, if the failure is one. */
export function progressOfFailedPass(error: unknown): PassProgress | undefined {
  if (!(error instanceof WorkflowFailedError)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure)) return undefined;
  const details = cause.details?.[0] as PassProgress | undefined;
  return details && typeof details === 'object' && 'passId' in details ? details : undefined;
}

/** Waits for a pass and returns its progress, also when it failed with one. */
export async function passResult(handle: WorkflowHandle): Promise<PassProgress> {
  try {
    return (await handle.result()) as PassProgress;
  } catch (error) {
    const progress = progressOfFailedPass(error);
    if (progress) return progress;
    throw error;
  }
}
