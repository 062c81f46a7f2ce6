// Attachment payloads built deterministically by kind and variant (cached): PDF, DOCX, XLSX, TNEF, calendar,
// binary, and — only for the hostile option — decompression bombs and a PDF that makes naive parsers spin.
import {
  buildPdf,
  buildDocx,
  buildXlsx,
  buildTnef,
  buildZipBomb,
  buildGzipBomb,
  buildHostilePdf,
} from './document-builders';
import { SeededRandom } from './seeded-random';

export type AttachmentKind =
  | 'pdf'
  | 'docx'
  | 'xlsx'
  | 'csv'
  | 'txt'
  | 'binary'
  | 'png'
  | 'ics'
  | 'tnef'
  | 'nameless'
  | 'zip-bomb'
  | 'gzip-bomb'
  | 'pdf-hostile';

export const HOSTILE_KINDS: readonly AttachmentKind[] = ['zip-bomb', 'gzip-bomb', 'pdf-hostile'];

export interface AttachmentPayload {
  filename: string | null;
  contentType: string;
  bytes: Buffer;
  /** A phrase an extractor should find in the attachment's text (empty for binary kinds). */
  marker: string;
}

const WORDS = ['quarterly', 'budget', 'roadmap', 'invoice', 'contract', 'forecast', 'minutes', 'audit'];

export function attachmentMarker(kind: AttachmentKind, variant: number): string {
  return `${kind}marker${variant} ${WORDS[variant % WORDS.length]}`;
}

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

function buildIcs(variant: number): string {
  const day = String(10 + variant).padStart(2, '0');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//mimecast-archive-crawler//simulator//EN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:sim-event-${variant}@example.com`,
    `DTSTAMP:202401${day}T090000Z`,
    `DTSTART:202402${day}T100000Z`,
    `DTEND:202402${day}T110000Z`,
    `SUMMARY:${attachmentMarker('ics', variant)} review meeting`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

let zipBomb: Buffer | undefined;
let gzipBomb: Buffer | undefined;

const cache = new Map<string, AttachmentPayload>();

export function attachmentPayload(kind: AttachmentKind, variant: number): AttachmentPayload {
  const key = `${kind}:${variant}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const marker = attachmentMarker(kind, variant);
  const word = WORDS[variant % WORDS.length];
  let p: AttachmentPayload;
  switch (kind) {
    case 'pdf':
      p = {
        filename: `${word}-report-${variant}.pdf`,
        contentType: 'application/pdf',
        bytes: buildPdf([`Simulator PDF ${marker}`, `The ${word} figures for variant ${variant}.`]),
        marker,
      };
      break;
    case 'docx':
      p = {
        filename: `${word}-notes-${variant}.docx`,
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        bytes: buildDocx([`Simulator DOCX ${marker}`, `Second paragraph about the ${word}.`]),
        marker,
      };
      break;
    case 'xlsx':
      p = {
        filename: `${word}-sheet-${variant}.xlsx`,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        bytes: buildXlsx([
          ['Item', 'Amount'],
          [marker, 100 + variant],
          [word, 42],
        ]),
        marker,
      };
      break;
    case 'csv':
      p = {
        filename: `export-${variant}.csv`,
        contentType: 'text/csv',
        bytes: Buffer.from(`name,value\r\n${marker},${variant}\r\n`),
        marker,
      };
      break;
    case 'txt':
      p = {
        filename: `readme-ünïcödé-${variant}.txt`,
        contentType: 'text/plain',
        bytes: Buffer.from(`Plain text attachment ${marker}\r\nZweite Zeile — ünïcödé ✓\r\n`),
        marker,
      };
      break;
    case 'binary': {
      const rnd = SeededRandom.of('binary', variant);
      p = {
        filename: `blob-${variant}.bin`,
        contentType: 'application/octet-stream',
        bytes: rnd.bytes(2048 + rnd.int(16_384)),
        marker: '',
      };
      break;
    }
    case 'png':
      p = { filename: `pixel-${variant}.png`, contentType: 'image/png', bytes: PNG_1X1, marker: '' };
      break;
    case 'ics':
      p = {
        filename: 'invite.ics',
        contentType: 'text/calendar',
        bytes: Buffer.from(buildIcs(variant)),
        marker,
      };
      break;
    case 'tnef':
      p = {
        filename: 'winmail.dat',
        contentType: 'application/ms-tnef',
        bytes: buildTnef(`tnef-inner-${variant}.txt`, Buffer.from(`TNEF inner file ${marker}\r\n`)),
        marker,
      };
      break;
    case 'nameless': {
      const rnd = SeededRandom.of('nameless', variant);
      p = {
        filename: null,
        contentType: 'application/octet-stream',
        bytes: rnd.bytes(512 + rnd.int(1024)),
        marker: '',
      };
      break;
    }
    case 'zip-bomb':
      zipBomb ??= buildZipBomb();
      p = { filename: 'archive.zip', contentType: 'application/zip', bytes: zipBomb, marker: '' };
      break;
    case 'gzip-bomb':
      gzipBomb ??= buildGzipBomb();
      p = { filename: 'logs.txt.gz', contentType: 'application/gzip', bytes: gzipBomb, marker: '' };
      break;
    case 'pdf-hostile':
      p = { filename: 'statement.pdf', contentType: 'application/pdf', bytes: buildHostilePdf(), marker: '' };
      break;
  }
  cache.set(key, p);
  return p;
}
