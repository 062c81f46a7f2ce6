// How restart-mailbox and retry-failed become a queued pass: the update's validation and the pass id it reports under.
import type { CrawlRequest, RestartMailboxInput } from '../common/contracts';
import { SETTINGS_SCHEMA_VERSION } from '../common/carried-settings';
import type { SourceSettings } from '../common/settings';
import type { MailboxState } from './mailbox-state-migration';

/** Throws (validator of restartMailboxUpdate) when a restart cannot be accepted. */
export function validateRestart(state: MailboxState, stopping: boolean, input: RestartMailboxInput): void {
  if (stopping) throw new Error('the mailbox workflow is stopping');
  if (!input.settings && !state.lastRequest) {
    throw new Error('this mailbox has never been crawled: give the settings (--config)');
  }
  if (input.mode && !['delta', 'reconcile', 'retryFailed'].includes(input.mode)) {
    throw new Error(`unknown mode ${input.mode}`);
  }
}

/**
 * A restart (restart-mailbox, retry-failed) queues a new pass of this mailbox. It reports to
 * the last request's pass under that pass's id by default, so a still-running pass moves the
 * mailbox from failed to done; with another replyTo it gets its own id.
 */
export function queueRestart(
  state: MailboxState,
  input: RestartMailboxInput,
  settings: SourceSettings | undefined,
  nowMs: number,
): { passId: string; queuedBehind: number } {
  const last = state.lastRequest;
  const replyTo = input.replyTo ?? last?.replyTo ?? '';
  const sameReceiver = last !== undefined && replyTo === last.replyTo;
  let passId = sameReceiver ? last.passId : `restart-${nowMs}`;
  if (state.pass?.request.passId === passId || state.queue.some((r) => r.passId === passId)) {
    passId = `restart-${nowMs}`;
  }
  const request: CrawlRequest = {
    passId,
    replyTo,
    mode: input.mode ?? 'delta',
    refetchContent: input.refetchContent ?? false,
    ...(settings
      ? { settings, settingsVersion: SETTINGS_SCHEMA_VERSION }
      : { settings: last?.settings as SourceSettings, settingsVersion: last?.settingsVersion }),
  };
  const queuedBehind = state.queue.length + (state.pass ? 1 : 0);
  state.recentPassIds = state.recentPassIds.filter((id) => id !== passId);
  state.queue.push(request);
  return { passId, queuedBehind };
}
