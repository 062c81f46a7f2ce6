// The content of one message for the page activity (docs/architecture.md, Index contract): one
// get-message-part (RFC822, RECEIVED) parsed into headers, body and attachments; when RFC822 is refused,
// detail + PLAIN/HTML + get-file; above maxMessageBytes, metadata only (recorded). Attachment text comes from
// the pool.
import { createHash } from 'node:crypto';
import type { AttachmentDocument, MessageDocument } from '../../common/node/documents';
import { ItemError, OversizeError } from '../../common/node/errors';
import type { ProcessContext, MessageJob } from './message-job';
import type { ExtractedPart, ParsedMessage } from '../extract/mime-parser';
import { parseRfc822 } from '../extract/mime-parser';
import {
  buildAttachmentDocuments,
  buildMessageDocument,
  extractAttachmentTexts,
  selectAttachments,
  type BuiltDocument,
  type MessageContext,
  type MetadataOnlyReason,
} from '../extract/message-document';
import { DEFAULT_MAX_TEXT_CHARS, capText, htmlToPlainText } from '../extract/text-extractors';
import { MimecastFunctionError } from '../mimecast/errors';

export interface MessageContent {
  message: MessageDocument;
  attachments: BuiltDocument<AttachmentDocument>[];
  attachmentsSkipped: number;
  contentBytes: number;
  oversize: boolean;
  /** Indexed incompletely: recorded in `<prefix>-failed` as well. */
  problem?: { reason: string; kind: string };
}

/** A function failure (fail[]) that no retry changes: the API refuses this content. */
function isRefusal(err: unknown): err is MimecastFunctionError {
  return err instanceof MimecastFunctionError && !err.retryable;
}

async function fetchRfc822(ctx: ProcessContext, id: string): Promise<Buffer> {
  const fetch = () =>
    ctx.client.getMessagePart({
      id,
      mailbox: ctx.address,
      type: 'RFC822',
      context: 'RECEIVED',
      maxBytes: ctx.settings.messages.maxMessageBytes,
    });
  return ctx.deps.contentCache ? ctx.deps.contentCache.getOrFetch(id, fetch) : fetch();
}

/** RFC822 refused: detail + a body part + every attachment with get-file, shaped like a parse. */
async function fetchWithoutRfc822(
  ctx: ProcessContext,
  id: string,
): Promise<{ parsed: ParsedMessage; bytes: number }> {
  const detail = await ctx.client.getMessageDetail(id);
  const maxBytes = ctx.settings.messages.maxMessageBytes;
  let text = '';
  let bytes = 0;
  const bodyTypes: ('PLAIN' | 'HTML')[] =
    detail.hasHtmlBody && !detail.hasTextBody ? ['HTML', 'PLAIN'] : ['PLAIN', 'HTML'];
  for (const type of bodyTypes) {
    try {
      const body = await ctx.client.getMessagePart({
        id,
        mailbox: ctx.address,
        type,
        context: 'RECEIVED',
        maxBytes,
      });
      bytes += body.length;
      text = type === 'HTML' ? htmlToPlainText(body.toString('utf8')) : body.toString('utf8');
      break;
    } catch (err) {
      if (!isRefusal(err)) throw err;
    }
  }
  const attachments: ExtractedPart[] = [];
  for (const [i, a] of detail.attachments.entries()) {
    const part: ExtractedPart = {
      partPath: `file/${i + 1}`,
      filename: a.filename ?? '',
      contentType: (a.contentType ?? 'application/octet-stream').toLowerCase(),
      size: a.size ?? 0,
      sha256: a.sha256 ?? '',
      flags: [],
    };
    try {
      const content = await ctx.client.getFile({ id: a.id, maxBytes });
      bytes += content.length;
      part.bytes = content;
      part.size = content.length;
      part.sha256 = createHash('sha256').update(content).digest('hex');
    } catch (err) {
      if (!(err instanceof OversizeError) && !isRefusal(err)) throw err;
      part.flags.push(err instanceof OversizeError ? 'oversize' : 'unavailable');
    }
    attachments.push(part);
  }
  const capped = capText(text, DEFAULT_MAX_TEXT_CHARS);
  const toDoc = (x: { emailAddress: string; displayableName: string }) =>
    x.displayableName
      ? { address: x.emailAddress.toLowerCase(), name: x.displayableName }
      : { address: x.emailAddress.toLowerCase() };
  return {
    bytes,
    parsed: {
      messageId: detail.mimeMessageId,
      subject: detail.subject,
      from: detail.from?.emailAddress ? toDoc(detail.from) : undefined,
      to: detail.to.filter((a) => a.emailAddress).map(toDoc),
      cc: detail.cc.filter((a) => a.emailAddress).map(toDoc),
      text: capped.text,
      textTruncated: capped.truncated,
      attachments,
      flags: ['rfc822-refused'],
    },
  };
}

/**
 * Fetches and builds the documents of one message. Item problems throw ItemError (recorded by the
 * caller); page-level errors (throttled, transient, source) propagate.
 */
export async function buildMessageContent(ctx: ProcessContext, job: MessageJob): Promise<MessageContent> {
  const messageCtx: MessageContext = {
    settings: ctx.settings,
    domain: ctx.domain,
    mailbox: ctx.mailbox,
    owner: ctx.address,
    view: job.view,
    passId: ctx.passId,
    now: ctx.now().toISOString(),
  };
  const metadataOnly = (reason: MetadataOnlyReason, why: string, kind: string): MessageContent => {
    const built = buildMessageDocument(job.record, undefined, messageCtx, { metadataOnlyReason: reason });
    return {
      message: built.doc,
      attachments: [],
      attachmentsSkipped: job.record.attachmentCount,
      contentBytes: 0,
      oversize: reason === 'oversize',
      problem: { reason: why, kind },
    };
  };

  let parsed: ParsedMessage;
  let contentBytes: number;
  let problem: MessageContent['problem'];
  try {
    const raw = await fetchRfc822(ctx, job.record.id);
    contentBytes = raw.length;
    try {
      parsed = await parseRfc822(raw, { decodeTnef: (b) => ctx.deps.extraction.decodeTnef(b) });
    } catch (err) {
      return metadataOnly('unparseable', `malformed MIME: ${(err as Error).message}`, 'item');
    }
  } catch (err) {
    if (err instanceof OversizeError) return metadataOnly('oversize', err.message, 'oversize');
    if (!isRefusal(err)) throw err;
    // RFC822 refused for this message: the slower path of detail + body + files.
    try {
      const fallback = await fetchWithoutRfc822(ctx, job.record.id);
      parsed = fallback.parsed;
      contentBytes = fallback.bytes;
    } catch (inner) {
      if (inner instanceof OversizeError) return metadataOnly('oversize', inner.message, 'oversize');
      if (isRefusal(inner))
        throw new ItemError(`content refused: ${err.message}; fallback: ${inner.message}`);
      throw inner;
    }
  }

  const message = buildMessageDocument(job.record, parsed, messageCtx);
  const { kept, excluded } = selectAttachments(parsed.attachments, ctx.settings);
  const texts = await extractAttachmentTexts(ctx.deps.extraction, kept);
  const attachments = buildAttachmentDocuments(message, kept, texts, messageCtx);
  const unreadable = attachments.filter(
    (a) => a.doc.extraction === 'timeout' || a.doc.extraction.startsWith('error'),
  );
  if (unreadable.length) {
    problem = {
      reason: `attachment text not extracted: ${unreadable.map((a) => `${a.doc.filename} (${a.doc.extraction})`).join(', ')}`,
      kind: 'extraction',
    };
  }
  return {
    message: message.doc,
    attachments,
    attachmentsSkipped: excluded.length + (ctx.settings.attachments.extract ? 0 : parsed.attachments.length),
    contentBytes,
    oversize: false,
    problem,
  };
}
