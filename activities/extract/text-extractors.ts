// Text extraction per file type (runs inside the extraction worker threads): plain text, HTML
// (html-to-text), calendars, PDF (pdf-parse 2), DOCX (mammoth), XLSX (exceljs); everything else
// is a binary kept as metadata only. Output is capped and flagged when truncated.
import { convert as htmlToText } from 'html-to-text';
import { checkZipDeclaredSize } from './zip-guard';

export type ExtractionOutcome = 'text' | 'binary' | 'timeout' | `error: ${string}`;

export interface ExtractionRequest {
  bytes: Uint8Array;
  filename: string;
  contentType: string;
}

export interface ExtractionResult {
  text: string;
  truncated: boolean;
  extraction: ExtractionOutcome;
}

/** Declared uncompressed size above which a DOCX/XLSX is refused unparsed. */
export const MAX_ZIP_UNCOMPRESSED_BYTES = 200 * 1024 * 1024;

/** 1 MB of text per file: enough to search, small enough for one bulk request of a page. */
export const DEFAULT_MAX_TEXT_CHARS = 1_000_000;

export type FileKind = 'text' | 'html' | 'calendar' | 'pdf' | 'docx' | 'xlsx' | 'binary';

const byExtension: Record<string, FileKind> = {
  txt: 'text',
  csv: 'text',
  log: 'text',
  md: 'text',
  json: 'text',
  xml: 'text',
  htm: 'html',
  html: 'html',
  ics: 'calendar',
  pdf: 'pdf',
  docx: 'docx',
  xlsx: 'xlsx',
};

/** Decides from content type, then extension, then magic bytes (senders often say octet-stream). */
export function detectFileKind(req: { bytes: Uint8Array; filename: string; contentType: string }): FileKind {
  const type = req.contentType.toLowerCase().split(';')[0]!.trim();
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'text/calendar') return 'calendar';
  if (type === 'application/pdf') return 'pdf';
  if (type === 'application/vnd.openxmlformats-officedocument.wordprocessingml.document') return 'docx';
  if (type === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') return 'xlsx';
  if (type.startsWith('text/') || type === 'application/json' || type === 'application/xml') return 'text';
  const ext = /\.([a-z0-9]+)$/i.exec(req.filename)?.[1]?.toLowerCase();
  if (ext && byExtension[ext]) return byExtension[ext]!;
  if (startsWith(req.bytes, '%PDF-')) return 'pdf';
  return 'binary';
}

function startsWith(bytes: Uint8Array, magic: string): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

export function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  const clean = text.replace(/\u0000/g, '').trim();
  if (clean.length <= maxChars) return { text: clean, truncated: false };
  return { text: clean.slice(0, maxChars), truncated: true };
}

function charsetOf(contentType: string): string {
  return /charset="?([^";\s]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
}

export function decodeText(bytes: Uint8Array, contentType: string): string {
  try {
    return new TextDecoder(charsetOf(contentType)).decode(bytes);
  } catch {
    // Unknown charset label: UTF-8 with replacement characters beats losing the text.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

export function htmlToPlainText(html: string): string {
  return htmlToText(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}

/** The readable fields of an iCalendar file (folded lines joined, escapes undone). */
export function calendarToText(ics: string): string {
  const unfolded = ics.replace(/\r?\n[ \t]/g, '');
  const wanted = new Set([
    'SUMMARY',
    'DESCRIPTION',
    'LOCATION',
    'ORGANIZER',
    'ATTENDEE',
    'DTSTART',
    'DTEND',
    'COMMENT',
  ]);
  const lines: string[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const match = /^([A-Z-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    if (!match || !wanted.has(match[1]!)) continue;
    const value = match[3]!
      .replace(/\\n/gi, '\n')
      .replace(/\\([,;\\])/g, '$1')
      .replace(/^mailto:/i, '');
    const cn = /;CN="?([^;:"]+)"?/i.exec(match[2]!)?.[1];
    lines.push(`${match[1]}: ${cn ? `${cn} <${value}>` : value}`);
  }
  return lines.join('\n');
}

async function pdfToText(bytes: Uint8Array): Promise<string> {
  const { PDFParse } = await import('pdf-parse');
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText({ pageJoiner: '' });
    return result.text;
  } finally {
    await parser.destroy();
  }
}

async function docxToText(bytes: Uint8Array): Promise<string> {
  const imported = await import('mammoth');
  const mammoth = (imported as Partial<typeof imported>).extractRawText
    ? imported
    : (imported as unknown as { default: typeof imported }).default;
  const result = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
  return result.value;
}

async function xlsxToText(bytes: Uint8Array, maxChars: number): Promise<string> {
  const excel = await import('exceljs');
  // Loaded through tsx (sources) the CommonJS exports sit under `default`; compiled, at the top.
  const Workbook =
    (excel as Partial<typeof excel>).Workbook ??
    (excel as unknown as { default: typeof excel }).default.Workbook;
  const workbook = new Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as any);
  const out: string[] = [];
  let length = 0;
  for (const sheet of workbook.worksheets) {
    out.push(`# ${sheet.name}`);
    sheet.eachRow({ includeEmpty: false }, (row) => {
      if (length > maxChars) return;
      const cells: string[] = [];
      row.eachCell({ includeEmpty: false }, (cell) => {
        cells.push(cell.text);
      });
      const line = cells.join('\t');
      length += line.length + 1;
      out.push(line);
    });
  }
  return out.join('\n');
}

/**
 * Loads the parser libraries and runs pdf.js once (its first document sets up fonts and a fake
 * worker: seconds), so a thread is warm before it is given files with a timeout.
 */
export async function preloadParsers(): Promise<void> {
  await Promise.all([import('mammoth'), import('exceljs')]);
  await pdfToText(tinyPdf('warm-up'));
}

/** A one-page PDF with a correct xref table. */
export function tinyPdf(text: string): Uint8Array {
  const content = `BT /F1 12 Tf 72 720 Td (${text.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** Extracts text from one file. Throws on a parser error (the pool turns it into `error: …`). */
export async function extractTextInProcess(
  req: ExtractionRequest,
  maxChars = DEFAULT_MAX_TEXT_CHARS,
): Promise<ExtractionResult> {
  const kind = detectFileKind(req);
  let raw: string;
  switch (kind) {
    case 'text':
      raw = decodeText(req.bytes, req.contentType);
      break;
    case 'html':
      raw = htmlToPlainText(decodeText(req.bytes, req.contentType));
      break;
    case 'calendar':
      raw = calendarToText(decodeText(req.bytes, req.contentType));
      break;
    case 'pdf':
      raw = await pdfToText(req.bytes);
      break;
    case 'docx':
      checkZipDeclaredSize(req.bytes, MAX_ZIP_UNCOMPRESSED_BYTES);
      raw = await docxToText(req.bytes);
      break;
    case 'xlsx':
      checkZipDeclaredSize(req.bytes, MAX_ZIP_UNCOMPRESSED_BYTES);
      raw = await xlsxToText(req.bytes, maxChars);
      break;
    case 'binary':
      return { text: '', truncated: false, extraction: 'binary' };
  }
  return { ...capText(raw, maxChars), extraction: 'text' };
}
