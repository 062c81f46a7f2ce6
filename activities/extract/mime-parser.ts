// Parses one RFC822 message (get-message-part, RECEIVED) into headers, body text and attachments
// with mailparser's streaming MailParser (not simpleParser): each attachment is read as a stream,
// hashed on the fly and kept only under a size cap, so a large message is never held twice.
// Defined behaviour for special parts (docs/architecture.md, Index contract):
// - nested message/rfc822: its text is appended (with its headers) by mailparser, its attachments
//   are extracted with a nested part path (`3.2`);
// - text/calendar body parts: SUMMARY/DESCRIPTION/… appended to the body (attached .ics files stay attachments);
// - S/MIME signed: the signed content is used, the signature part dropped (flag `smime-signed`);
//   S/MIME encrypted (application/pkcs7-mime): headers only, flag `smime-encrypted`;
// - TNEF (winmail.dat): inner files extracted through the given decoder (`<part>/<n>`), else
//   kept as a binary attachment (flag `tnef-undecodable`).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MailParser, type AddressObject } from 'mailparser';
import type { AddressDocument } from '../../common/node/documents';
import { calendarToText, capText, DEFAULT_MAX_TEXT_CHARS, htmlToPlainText } from './text-extractors';
import type { TnefFile } from './tnef-decoder';

export interface ExtractedPart {
  /** MIME part path (IMAP numbering, `1.2`); TNEF inner files add `/<n>`. */
  partPath: string;
  /** As the message names it ('' for nameless parts: filters see the raw name). */
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Absent when the part exceeded `maxAttachmentBytes` (metadata only). */
  bytes?: Buffer;
  /** `oversize`, `tnef-undecodable`, `nested-message`, … */
  flags: string[];
  /** Text already known without the extraction pool (an attached message's own body). */
  text?: string;
}

export interface ParsedMessage {
  messageId?: string;
  subject?: string;
  from?: AddressDocument;
  to: AddressDocument[];
  cc: AddressDocument[];
  /** Date header, ISO-8601 UTC. */
  date?: string;
  text: string;
  textTruncated: boolean;
  attachments: ExtractedPart[];
  /** `smime-signed`, `smime-encrypted`, `tnef`, `calendar`. */
  flags: string[];
}

export interface ParseOptions {
  maxTextChars?: number;
  /** Attachment bytes kept for extraction up to this size; larger parts are metadata only. */
  maxAttachmentBytes?: number;
  /** Unpacks winmail.dat (ExtractionPool.decodeTnef); without it TNEF stays one binary attachment. */
  decodeTnef?: (bytes: Buffer) => Promise<TnefFile[]>;
  /** Nesting depth of attached messages that are opened (deeper ones stay opaque attachments). */
  maxNestedDepth?: number;
}

const DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

interface AttachmentStreamLike {
  content: Readable;
  contentType: string;
  filename?: string;
  partId?: string | null;
  contentDisposition?: string;
  release: (() => void) | null;
}

export async function parseRfc822(bytes: Buffer, opts: ParseOptions = {}, depth = 0): Promise<ParsedMessage> {
  const maxText = opts.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS;
  const maxAttachment = opts.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
  const parser = new MailParser({
    // We convert HTML ourselves only when there is no plain part; links and images are noise here.
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
  } as ConstructorParameters<typeof MailParser>[0]);

  const raw: ExtractedPart[] = [];
  let text = '';
  let html = '';
  let partCounter = 0;

  const done = new Promise<void>((resolve, reject) => {
    parser.on(
      'data',
      (data: { type: string; text?: string; html?: string | false } & Partial<AttachmentStreamLike>) => {
        if (data.type === 'text') {
          text = data.text || '';
          html = typeof data.html === 'string' ? data.html : '';
          return;
        }
        const attachment = data as unknown as AttachmentStreamLike;
        const hash = createHash('sha256');
        const chunks: Buffer[] = [];
        let size = 0;
        attachment.content.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          size += chunk.length;
          if (size <= maxAttachment) chunks.push(chunk);
          else chunks.length = 0;
        });
        attachment.content.on('end', () => {
          partCounter++;
          raw.push({
            partPath: attachment.partId || String(partCounter),
            filename: attachment.filename ?? '',
            contentType: (attachment.contentType || 'application/octet-stream').toLowerCase(),
            size,
            sha256: hash.digest('hex'),
            bytes: size <= maxAttachment ? Buffer.concat(chunks) : undefined,
            flags: size <= maxAttachment ? [] : ['oversize'],
            inline: attachment.contentDisposition !== 'attachment',
          } as ExtractedPart & { inline: boolean });
          attachment.release?.();
        });
        attachment.content.on('error', reject);
      },
    );
    parser.on('end', () => resolve());
    parser.on('error', reject);
  });
  parser.end(bytes);
  await done;

  const flags = new Set<string>();
  const calendarTexts: string[] = [];
  const nestedTexts: string[] = [];
  const attachments: ExtractedPart[] = [];
  for (const part of raw as (ExtractedPart & { inline: boolean })[]) {
    const { inline, ...clean } = part;
    if (
      part.contentType === 'application/pkcs7-signature' ||
      part.contentType === 'application/x-pkcs7-signature'
    ) {
      flags.add('smime-signed');
      continue;
    }
    if (isPkcs7Mime(part)) {
      // Encrypted or opaque-signed: the content cannot be read without the recipient's key.
      flags.add('smime-encrypted');
      continue;
    }
    if (part.contentType === 'text/calendar' && inline && !part.filename) {
      flags.add('calendar');
      if (part.bytes) calendarTexts.push(calendarToText(part.bytes.toString('utf8')));
      continue;
    }
    if (part.contentType === 'message/rfc822' && part.bytes && depth < (opts.maxNestedDepth ?? 3)) {
      // An attached message (disposition attachment: mailparser leaves it closed): open it here.
      const nested = await parseRfc822(part.bytes, opts, depth + 1);
      const heading = [
        `--- Attached message: ${nested.subject ?? ''}`,
        nested.from ? `From: ${nested.from.address}` : '',
      ]
        .filter(Boolean)
        .join('\n');
      nestedTexts.push(`${heading}\n${nested.text}`);
      attachments.push({ ...clean, flags: [...clean.flags, 'nested-message'], text: nested.text });
      for (const inner of nested.attachments)
        attachments.push({ ...inner, partPath: `${part.partPath}.${inner.partPath}` });
      for (const flag of nested.flags) flags.add(flag);
      continue;
    }
    if (isTnef(part)) {
      flags.add('tnef');
      attachments.push(...(await expandTnef(clean, opts)));
      continue;
    }
    attachments.push(clean);
  }

  let body = text || (html ? htmlToPlainText(html) : '');
  if (calendarTexts.length || nestedTexts.length)
    body = [body, ...calendarTexts, ...nestedTexts].filter(Boolean).join('\n\n');
  const capped = capText(body, maxText);
  return {
    messageId: parser.messageId || undefined,
    subject: parser.subject,
    from: firstAddress(parser.from),
    to: flattenAddresses(parser.to),
    cc: flattenAddresses(parser.cc),
    date: parser.date && !Number.isNaN(parser.date.getTime()) ? parser.date.toISOString() : undefined,
    text: capped.text,
    textTruncated: capped.truncated,
    attachments,
    flags: [...flags],
  };
}

function isPkcs7Mime(part: ExtractedPart): boolean {
  return (
    part.contentType === 'application/pkcs7-mime' ||
    part.contentType === 'application/x-pkcs7-mime' ||
    /\.p7m$/i.test(part.filename)
  );
}

function isTnef(part: ExtractedPart): boolean {
  return (
    part.contentType === 'application/ms-tnef' ||
    part.contentType === 'application/vnd.ms-tnef' ||
    part.filename.toLowerCase() === 'winmail.dat'
  );
}

async function expandTnef(part: ExtractedPart, opts: ParseOptions): Promise<ExtractedPart[]> {
  if (!opts.decodeTnef || !part.bytes) return [{ ...part, flags: [...part.flags, 'tnef-undecodable'] }];
  try {
    const files = await opts.decodeTnef(part.bytes);
    if (!files.length) return [{ ...part, flags: [...part.flags, 'tnef-empty'] }];
    return files.map((file, i) => {
      const bytes = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
      return {
        partPath: `${part.partPath}/${i}`,
        filename: file.filename,
        contentType: 'application/octet-stream',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes,
        flags: ['from-tnef'],
      };
    });
  } catch {
    return [{ ...part, flags: [...part.flags, 'tnef-undecodable'] }];
  }
}

function flattenAddresses(value: AddressObject | AddressObject[] | undefined): AddressDocument[] {
  if (!value) return [];
  const out: AddressDocument[] = [];
  const visit = (entries: { address?: string; name?: string; group?: unknown[] }[]) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group as typeof entries);
      else if (entry.address)
        out.push(
          entry.name
            ? { address: entry.address.toLowerCase(), name: entry.name }
            : { address: entry.address.toLowerCase() },
        );
    }
  };
  for (const object of Array.isArray(value) ? value : [value]) visit(object.value);
  return out;
}

function firstAddress(value: AddressObject | undefined): AddressDocument | undefined {
  return flattenAddresses(value)[0];
}
