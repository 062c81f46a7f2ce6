// Real MIME for a message spec, built with nodemailer's MailComposer/MimeNode and serialized synchronously
// (deterministic boundaries, Message-ID and Date), so the same id always yields the same bytes.
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import { attachmentPayload, type AttachmentKind } from './attachment-factory';
import { SeededRandom, hash32 } from './seeded-random';
import { rfc2822Date } from './mimecast-date';
import type { MessageSpec } from './message-spec';

/* eslint-disable @typescript-eslint/no-require-imports */
const base64: {
  encode(b: Buffer): string;
  wrap(s: string, n: number): string;
} = require('nodemailer/lib/base64');
const qp: { encode(b: Buffer): string; wrap(s: string, n: number): string } = require('nodemailer/lib/qp');
/* eslint-enable @typescript-eslint/no-require-imports */

export type Context = 'RECEIVED' | 'DELIVERED';

export interface BuiltAttachment {
  filename: string | null;
  extension: string;
  contentType: string;
  contentId: string;
  bytes: Buffer;
  sha256: string;
}

type AnyNode = any;

/** Serializes a MimeNode tree the way MimeNode#stream does, but synchronously. */
export function serializeMimeNode(node: AnyNode): Buffer {
  const out: Buffer[] = [];
  const walk = (n: AnyNode) => {
    if (n._raw) {
      out.push(Buffer.isBuffer(n._raw) ? n._raw : Buffer.from(String(n._raw)));
      return;
    }
    out.push(Buffer.from(n.buildHeaders() + '\r\n\r\n'));
    if (n.content) {
      const enc = n.getTransferEncoding();
      const buf: Buffer = typeof n.content === 'string' ? Buffer.from(n.content) : n.content;
      if (enc === 'base64') out.push(Buffer.from(base64.wrap(base64.encode(buf), 76)));
      else if (enc === 'quoted-printable') out.push(Buffer.from(qp.wrap(qp.encode(buf), 76)));
      else out.push(buf);
    }
    if (n.multipart) {
      n.childNodes.forEach((child: AnyNode, i: number) => {
        out.push(Buffer.from((i > 0 ? '\r\n' : '') + '--' + n.boundary + '\r\n'));
        walk(child);
      });
      out.push(Buffer.from('\r\n--' + n.boundary + '--\r\n'));
    }
  };
  walk(node);
  const last = out.length ? out[out.length - 1] : Buffer.alloc(0);
  const lastByte = last.length ? last[last.length - 1] : -1;
  if (lastByte === 0x0d) out.push(Buffer.from('\n'));
  else if (lastByte !== 0x0a) out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

const INTRANET = 'https://intranet.example.com/';
const REWRITTEN = 'https://protect-eu.mimecast.com/s/intranet.example.com/';

export function bodies(
  spec: MessageSpec,
  context: Context = 'RECEIVED',
): { text: string | null; html: string | null } {
  const greet = spec.to[0]?.displayableName || 'there';
  const link = `${INTRANET}docs/${spec.ref.index}`;
  const subject = spec.subject || '(no subject)';
  let text: string | null =
    `Hello ${greet},\r\n\r\nThis is message ${spec.marker} about "${subject}".\r\n` +
    `Details: ${link}\r\nGrüße — ünïcödé ✓\r\n\r\nRegards,\r\n${spec.from.displayableName}\r\n`;
  let html: string | null =
    `<html><head><style>p{margin:0}</style></head><body><p>Hello ${escapeHtml(greet)},</p>` +
    `<p>This is message <b>${spec.marker}</b> about &quot;${escapeHtml(subject)}&quot;.</p>` +
    `<p><a href="${link}">Details</a> Grüße — ünïcödé ✓</p><p>Regards,<br>${escapeHtml(spec.from.displayableName)}</p></body></html>`;
  if (spec.body === 'text') html = null;
  if (spec.body === 'html') text = null;
  if (context === 'DELIVERED') {
    text = text && text.split(INTRANET).join(REWRITTEN);
    html = html && html.split(INTRANET).join(REWRITTEN);
  }
  return { text, html };
}

/** The PLAIN part get-message-part serves: the text body, or the HTML reduced to text. */
export function plainPart(spec: MessageSpec, context: Context): string {
  const { text, html } = bodies(spec, context);
  if (text !== null) return text;
  return (html ?? '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<br>|<\/p>/g, '\r\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function escapeHtml(s: string): string {
  return s.replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string,
  );
}

function extensionOf(filename: string | null): string {
  if (!filename) return '';
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}

function innerMessage(spec: MessageSpec, variant: number): Buffer {
  const composer = new MailComposer({
    from: 'Original Sender <original@vendor.test>',
    to: spec.from.emailAddress,
    subject: `Original message ${variant}`,
    text: `Forwarded original ${spec.marker}-inner with attachment.\r\n`,
    attachments: [
      {
        filename: 'inner-note.txt',
        content: Buffer.from(`inner attachment ${spec.marker}-inner\r\n`),
        contentType: 'text/plain',
      },
    ],
    messageId: `<inner-${spec.marker}@vendor.test>`,
    date: new Date((spec.receivedSec - 86400) * 1000),
    baseBoundary: `inner${hash32(spec.id).toString(16)}`,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return serializeMimeNode(composer.compile());
}

function dummyDer(length: number, ...salt: (string | number)[]): Buffer {
  const b = SeededRandom.of('der', ...salt).bytes(length);
  b[0] = 0x30;
  b[1] = 0x82;
  b.writeUInt16BE(length - 4, 2);
  return b;
}

/** The attachments as get-message-detail lists them and get-file serves them (decoded bytes). */
export function attachmentsOf(spec: MessageSpec): BuiltAttachment[] {
  return spec.attachments.map((a, i) => {
    let filename: string | null;
    let contentType: string;
    let bytes: Buffer;
    if (a.kind === 'eml') {
      filename = 'forwarded message.eml';
      contentType = 'message/rfc822';
      bytes = innerMessage(spec, a.variant);
    } else if (a.kind === 'p7s') {
      filename = 'smime.p7s';
      contentType = 'application/pkcs7-signature';
      bytes = dummyDer(420, spec.id, 'p7s');
    } else if (a.kind === 'p7m') {
      filename = 'smime.p7m';
      contentType = 'application/pkcs7-mime';
      bytes = dummyDer(2048, spec.id, 'p7m');
    } else {
      const p = attachmentPayload(a.kind as AttachmentKind, a.variant);
      filename = p.filename;
      contentType = p.contentType;
      bytes = p.bytes;
    }
    return {
      filename,
      extension: extensionOf(filename),
      contentType,
      contentId: a.kind === 'png' ? `<img${i}.${spec.marker}@sim>` : '',
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  });
}

function addressHeader(a: { emailAddress: string; displayableName: string }) {
  return { name: a.displayableName, address: a.emailAddress };
}

/** The full RFC 822 message for a context (DELIVERED rewrites links). */
export function buildRfc822(spec: MessageSpec, context: Context = 'RECEIVED'): Buffer {
  const { text, html } = bodies(spec, context);
  const atts = attachmentsOf(spec);
  const date = new Date((spec.receivedSec - 7) * 1000);
  const messageId = `<${spec.marker}@mail.${spec.from.emailAddress.split('@')[1]}>`;
  const baseBoundary = hash32(spec.id, 'boundary').toString(16).padStart(8, '0');
  const headers: Record<string, string> = { 'X-Mailer': 'Mimecast Simulator' };
  if (context === 'DELIVERED') headers['X-Mimecast-Spam-Score'] = '0';
  if (spec.structure === 'mixed') {
    const composer = new MailComposer({
      from: addressHeader(spec.from),
      to: spec.to.map(addressHeader),
      cc: spec.cc.map(addressHeader),
      replyTo: spec.replyTo ? addressHeader(spec.replyTo) : undefined,
      subject: spec.subject,
      text: text ?? undefined,
      html: html ?? undefined,
      attachments: atts.map((a) => ({
        filename: a.filename ?? false,
        content: a.bytes,
        contentType: a.contentType,
        cid: a.contentId ? a.contentId.slice(1, -1) : undefined,
        contentDisposition: 'attachment' as const,
      })),
      messageId,
      date,
      headers,
      baseBoundary,
      disableFileAccess: true,
      disableUrlAccess: true,
    } as ConstructorParameters<typeof MailComposer>[0]);
    return serializeMimeNode(composer.compile());
  }
  const rootType =
    spec.structure === 'smime-signed'
      ? 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256'
      : 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m';
  const root: AnyNode = new MimeNode(rootType, {
    baseBoundary,
    disableFileAccess: true,
    disableUrlAccess: true,
  } as never);
  root.setHeader('From', addressHeader(spec.from));
  root.setHeader('To', spec.to.map(addressHeader));
  if (spec.cc.length) root.setHeader('Cc', spec.cc.map(addressHeader));
  root.setHeader('Subject', spec.subject);
  root.setHeader('Message-ID', messageId);
  root.setHeader('Date', rfc2822Date(date.getTime()));
  root.setHeader('X-Mailer', headers['X-Mailer']);
  if (spec.structure === 'smime-signed') {
    const content: AnyNode = root.createChild('text/plain; charset=utf-8');
    content.setContent(text ?? plainPart(spec, context));
    const sig: AnyNode = root.createChild('application/pkcs7-signature', { filename: 'smime.p7s' });
    sig.setHeader('Content-Disposition', 'attachment');
    sig.setContent(atts[0].bytes);
  } else {
    root.setHeader('Content-Disposition', 'attachment; filename=smime.p7m');
    root.setContent(atts[0].bytes);
  }
  return serializeMimeNode(root);
}

/** A small LRU of built messages keyed by id and context. */
export class MessageCache {
  private map = new Map<string, Buffer>();
  constructor(private readonly capacity = 256) {}
  get(key: string, build: () => Buffer): Buffer {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const value = build();
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
    return value;
  }
}
