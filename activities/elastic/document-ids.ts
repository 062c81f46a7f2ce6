// Deterministic Elasticsearch `_id`s (docs/architecture.md, Index contract): sha256 hex of each document's
// business key, so a page indexed twice overwrites the same documents and long Mimecast ids never hit the
// 512-byte cap.
import { createHash } from 'node:crypto';
import type { View } from '../../common/contracts';

// A separator that cannot occur in addresses, ids or part paths, so distinct keys never collide.
const SEP = '\u001f';

function sha256Key(kind: string, parts: string[]): string {
  return createHash('sha256')
    .update([kind, ...parts].join(SEP))
    .digest('hex');
}

export interface MessageKey {
  source: string;
  /** The mailbox as stored in documents (lower-cased address, or its keyed hash). */
  mailbox: string;
  view: View;
  mimecastId: string;
}

export function messageDocId(key: MessageKey): string {
  return sha256Key('message', [key.source, key.mailbox.toLowerCase(), key.view, key.mimecastId]);
}

/** Attachments are keyed by their message document and MIME part path (e.g. `1.2`, `2/winmail.dat/0`). */
export function attachmentDocId(messageId: string, partPath: string): string {
  return sha256Key('attachment', [messageId, partPath]);
}

export function failedDocId(key: MessageKey): string {
  return sha256Key('failed', [key.source, key.mailbox.toLowerCase(), key.view, key.mimecastId]);
}

export function registryDocId(source: string, address: string): string {
  return sha256Key('mailbox', [source, address.toLowerCase()]);
}

export function watermarkDocId(source: string, mailbox: string, view: View): string {
  return sha256Key('watermark', [source, mailbox.toLowerCase(), view]);
}

export function passReportDocId(source: string, passId: string): string {
  return sha256Key('pass', [source, passId]);
}
