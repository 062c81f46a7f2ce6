// Bulk operations for the documents of one message: index it with its attachments and clear its recorded
// failure (one request per page, docs/architecture.md, Index contract), or only mark it seen by a pass
// (reconcile).
import { indexNames, type AttachmentDocument, type MessageDocument } from '../../common/node/documents';
import type { BulkOp } from './bulk-sink';
import { clearFailedItemOp } from './failed-items';

export function indexMessageOps(
  prefix: string,
  message: { id: string; doc: MessageDocument },
  attachments: { id: string; doc: AttachmentDocument }[],
): BulkOp[] {
  const names = indexNames(prefix);
  return [
    { action: 'index', index: names.messages, id: message.id, doc: message.doc },
    ...attachments.map((a): BulkOp => ({ action: 'index', index: names.attachments, id: a.id, doc: a.doc })),
    clearFailedItemOp(prefix, message.doc),
  ];
}

/** A message already indexed and listed again: only its lastSeenPass moves (content not refetched). */
export function markSeenOp(prefix: string, messageDocId: string, passId: string): BulkOp {
  return {
    action: 'update',
    index: indexNames(prefix).messages,
    id: messageDocId,
    doc: { lastSeenPass: passId },
  };
}

export function deleteMessageOp(prefix: string, messageDocId: string): BulkOp {
  return { action: 'delete', index: indexNames(prefix).messages, id: messageDocId };
}
