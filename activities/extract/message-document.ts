// Pure builders of the message and attachment documents (docs/architecture.md, Settings; Index contract):
// settings applied here — blank subject / attachment name defaults (stored only: filters see the raw value),
// excluded attachment names, body cap, acl = the mailbox owner, context RECEIVED, lastSeenPass, indexedAt.
import type { View } from '../../common/contracts';
import type { AddressDocument, AttachmentDocument, MessageDocument } from '../../common/node/documents';
import { ItemError } from '../../common/node/errors';
import type { SourceSettings } from '../../common/settings';
import { attachmentDocId, messageDocId } from '../elastic/document-ids';
import { mimecastDateToIso } from '../mimecast/mimecast-date';
import type { ExtractedPart, ParsedMessage } from './mime-parser';
import { capText, DEFAULT_MAX_TEXT_CHARS, type ExtractionResult } from './text-extractors';

/** The fields of a get-message-list record this module needs (MimecastMessageRecord fits). */
export interface MessageListRecord {
  id: string;
  subject: string;
  from?: { emailAddress: string; displayableName: string };
  to: { emailAddress: string; displayableName: string }[];
  received: string;
  size: number;
  attachmentCount: number;
  expired?: boolean;
  recalled?: boolean;
}

export interface MessageContext {
  settings: Pick<SourceSettings, 'sourceId' | 'messages' | 'attachments'>;
  domain: string;
  /** The mailbox as stored (lower-cased address, or its keyed hash under privacy.hashAddresses). */
  mailbox: string;
  /** The identity allowed to read the documents (the mailbox owner's address), for acl[]. */
  owner: string;
  view: View;
  passId: string;
  /** ISO-8601 time of indexing. */
  now: string;
}

export type MetadataOnlyReason = 'oversize' | 'content-refused' | 'unparseable';

export interface BuiltDocument<T> {
  id: string;
  doc: T;
}

function toAddress(
  a: { emailAddress: string; displayableName: string } | undefined,
): AddressDocument | undefined {
  if (!a || !a.emailAddress) return undefined;
  return a.displayableName
    ? { address: a.emailAddress.toLowerCase(), name: a.displayableName }
    : { address: a.emailAddress.toLowerCase() };
}

/**
 * `received` as ISO-8601 UTC to the second (Mimecast writes `2024-01-03T09:12:44+0000`). A value
 * that is not a date is this message's problem (an ItemError, recorded), never its page's.
 */
export function receivedIso(received: string): string {
  const iso = mimecastDateToIso(received);
  if (iso === undefined) throw new ItemError(`received is not a date: ${JSON.stringify(received)}`);
  return iso;
}

/** Compiled once per page: JavaScript regexes, case-insensitive, searched anywhere in the raw name. */
export function attachmentNameFilter(patterns: string[]): (rawName: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(p, 'i'));
  return (rawName) => regexes.some((re) => re.test(rawName));
}

export function selectAttachments(
  parts: ExtractedPart[],
  settings: Pick<SourceSettings, 'attachments'>,
): { kept: ExtractedPart[]; excluded: ExtractedPart[] } {
  if (!settings.attachments.extract) return { kept: [], excluded: [] };
  const isExcluded = attachmentNameFilter(settings.attachments.excludedNames);
  const kept: ExtractedPart[] = [];
  const excluded: ExtractedPart[] = [];
  for (const part of parts) (isExcluded(part.filename) ? excluded : kept).push(part);
  return { kept, excluded };
}

export function storedAttachmentName(rawName: string, settings: Pick<SourceSettings, 'attachments'>): string {
  return rawName.trim() ? rawName : settings.attachments.blankNameDefault;
}

/**
 * The message document. `parsed` undefined = metadata only (oversize, content refused,
 * unparseable): the list record's fields, an empty body and `metadataOnly: true`.
 */
export function buildMessageDocument(
  record: MessageListRecord,
  parsed: ParsedMessage | undefined,
  ctx: MessageContext,
  extra: { metadataOnlyReason?: MetadataOnlyReason } = {},
): BuiltDocument<MessageDocument> {
  const source = ctx.settings.sourceId;
  const id = messageDocId({ source, mailbox: ctx.mailbox, view: ctx.view, mimecastId: record.id });
  const rawSubject = record.subject || parsed?.subject || '';
  const attachmentNames = parsed
    ? selectAttachments(parsed.attachments, {
        attachments: { ...ctx.settings.attachments, extract: true },
      }).kept.map((p) => storedAttachmentName(p.filename, ctx.settings))
    : [];
  const flags = [...(parsed?.flags ?? []), ...(extra.metadataOnlyReason ? [extra.metadataOnlyReason] : [])];
  const listTo = record.to.map(toAddress).filter((a): a is AddressDocument => !!a);
  const doc: MessageDocument = {
    source,
    domain: ctx.domain.toLowerCase(),
    mailbox: ctx.mailbox,
    view: ctx.view,
    mimecastId: record.id,
    subject: rawSubject.trim() ? rawSubject : ctx.settings.messages.blankSubjectDefault,
    to: parsed?.to.length ? parsed.to : listTo,
    cc: parsed?.cc ?? [],
    received: receivedIso(record.received),
    size: record.size,
    body: parsed?.text ?? '',
    bodyTruncated: parsed?.textTruncated ?? false,
    attachmentCount: parsed ? parsed.attachments.length : record.attachmentCount,
    attachmentNames,
    context: 'RECEIVED',
    acl: [ctx.owner.toLowerCase()],
    metadataOnly: !parsed,
    lastSeenPass: ctx.passId,
    indexedAt: ctx.now,
  };
  const from = toAddress(record.from) ?? parsed?.from;
  if (from) doc.from = from;
  if (parsed?.messageId) doc.internetMessageId = parsed.messageId;
  if (flags.length) doc.contentFlags = [...new Set(flags)];
  if (record.expired) doc.expired = true;
  if (record.recalled) doc.recalled = true;
  return { id, doc };
}

/**
 * One document per kept attachment, keyed by (message document, part path). `texts` maps a part
 * path to its extraction; a part without one (no bytes: oversize) is stored as metadata.
 */
export function buildAttachmentDocuments(
  message: BuiltDocument<MessageDocument>,
  kept: ExtractedPart[],
  texts: Map<string, ExtractionResult>,
  ctx: MessageContext,
): BuiltDocument<AttachmentDocument>[] {
  return kept.map((part) => {
    const extracted = texts.get(part.partPath);
    const doc: AttachmentDocument = {
      source: message.doc.source,
      mailbox: message.doc.mailbox,
      messageDocId: message.id,
      mimecastId: message.doc.mimecastId,
      partPath: part.partPath,
      filename: storedAttachmentName(part.filename, ctx.settings),
      contentType: part.contentType,
      size: part.size,
      sha256: part.sha256,
      content: extracted?.text ?? '',
      contentTruncated: extracted?.truncated ?? false,
      extraction: extracted?.extraction ?? (part.flags.includes('oversize') ? 'oversize' : 'binary'),
      received: message.doc.received,
      acl: message.doc.acl,
      lastSeenPass: ctx.passId,
      indexedAt: ctx.now,
    };
    return { id: attachmentDocId(message.id, part.partPath), doc };
  });
}

/** Extracts the text of every kept part that has bytes; a failing file never rejects the page. */
export async function extractAttachmentTexts(
  extractor: {
    extractText(req: { bytes: Uint8Array; filename: string; contentType: string }): Promise<ExtractionResult>;
  },
  kept: ExtractedPart[],
): Promise<Map<string, ExtractionResult>> {
  const results = await Promise.all(
    kept.map(async (part) =>
      part.text !== undefined
        ? ([part.partPath, { ...capText(part.text, DEFAULT_MAX_TEXT_CHARS), extraction: 'text' }] as const)
        : part.bytes
          ? ([
              part.partPath,
              await extractor.extractText({
                bytes: part.bytes,
                filename: part.filename,
                contentType: part.contentType,
              }),
            ] as const)
          : undefined,
    ),
  );
  return new Map(results.filter((r): r is NonNullable<typeof r> => !!r));
}

/** A failed-item reason for the attachments whose text could not be extracted, or undefined. */
export function describeExtractionProblems(
  kept: ExtractedPart[],
  texts: Map<string, ExtractionResult>,
): string | undefined {
  const problems = kept
    .map((part) => ({ part, outcome: texts.get(part.partPath)?.extraction }))
    .filter(({ outcome }) => outcome === 'timeout' || outcome?.startsWith('error'))
    .map(({ part, outcome }) => `attachment ${part.partPath} (${part.filename || 'nameless'}): ${outcome}`);
  return problems.length ? problems.join('; ') : undefined;
}
