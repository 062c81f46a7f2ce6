// Fingerprints of a source's settings: the pass report keeps the whole settings' one, and the registry
// keeps, per mailbox, the one of what decides what a mailbox lists and keeps, so the idle screen can tell
// when a change needs every mailbox woken (docs/architecture.md, The steady state).
import { createHash } from 'node:crypto';
import type { SourceSettings } from '../settings';

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Of the whole settings (the pass report). */
export function settingsHash(settings: SourceSettings): string {
  return sha256(settings);
}

/**
 * Of what decides what a mailbox's pass lists and keeps: the source and its API, the messages' range
 * and filters, the overlap, the index and privacy. Tuning (parallelism, page sizes, timeouts, logging)
 * and what is extracted from new messages leave it unchanged, so a pass at another parallelism still
 * leaves idle mailboxes asleep.
 */
export function mailboxCrawlSettingsHash(settings: SourceSettings): string {
  return sha256({
    sourceId: settings.sourceId,
    connection: settings.connection,
    messages: settings.messages,
    deltaTokenOffsetMinutes: settings.performance.deltaTokenOffsetMinutes,
    index: settings.index,
    privacy: settings.privacy,
  });
}
