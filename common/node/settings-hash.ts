// One fingerprint of a source's settings: the pass report keeps it, and the registry keeps the one a
// mailbox last completed under, so the idle screen can tell when settings changed (docs/architecture.md,
// The steady state).
import { createHash } from 'node:crypto';
import type { SourceSettings } from '../settings';

export function settingsHash(settings: SourceSettings): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex');
}
