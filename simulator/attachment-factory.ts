// Attachment payloads built deterministically by kind and variant (cached): PDF, DOCX, XLSX, TNEF, calendar,
// binary, and — only for the hostile option — decompression bombs and a PDF that makes naive parsers spin.
import { deflateRawSync, gzipSync } from 'node:zlib';
import { buildZip, crc32 } from './zip-writer';
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

function pdfEscape(s: string): string {
  return s.replace(/[\\()]/g, (c) => '\\' + c);
}

/** A small valid PDF (one page, Helvetica text) with a correct xref table. */
export function buildPdf(lines: string[], extraObjects: string[] = []): Buffer {
  const content = ['BT', '/F1 12 Tf', '72 720 Td', '14 TL']
    .concat(lines.map((l) => `(${pdfEscape(l)}) '`))
    .concat(['ET'])
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    ...extraObjects,
  ];
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function xmlEscape(s: string): string {
  return s.replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string,
  );
}

export function buildDocx(paragraphs: string[]): Buffer {
  const body = paragraphs
    .map((p) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`)
    .join('');
  return buildZip([
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
        '</Relationships>',
    },
    {
      name: 'word/document.xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
        `<w:body>${body}</w:body></w:document>`,
    },
  ]);
}

export function buildXlsx(rows: (string | number)[][]): Buffer {
  const colName = (i: number) => String.fromCharCode(65 + i);
  const sheetRows = rows
    .map(
      (row, r) =>
        `<row r="${r + 1}">` +
        row
          .map((v, c) =>
            typeof v === 'number'
              ? `<c r="${colName(c)}${r + 1}"><v>${v}</v></c>`
              : `<c r="${colName(c)}${r + 1}" t="inlineStr"><is><t>${xmlEscape(v)}</t></is></c>`,
          )
          .join('') +
        '</row>',
    )
    .join('');
  return buildZip([
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
        '</Relationships>',
    },
    {
      name: 'xl/workbook.xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
        '</Relationships>',
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
        `<sheetData>${sheetRows}</sheetData></worksheet>`,
    },
  ]);
}

/** A minimal TNEF (winmail.dat) stream carrying one attachment. */
export function buildTnef(innerName: string, innerData: Buffer): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0, 0);
    return b;
  };
  const u16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(n & 0xffff, 0);
    return b;
  };
  const attr = (level: number, id: number, data: Buffer) => {
    let sum = 0;
    for (const byte of data) sum = (sum + byte) & 0xffff;
    parts.push(Buffer.from([level]), u32(id), u32(data.length), data, u16(sum));
  };
  parts.push(u32(0x223e9f78), u16(0x0001));
  attr(1, 0x00089006, u32(0x00010000)); // attTnefVersion
  attr(1, 0x00069007, Buffer.concat([u32(1252), u32(0)])); // attOemCodepage
  attr(1, 0x00078008, Buffer.from('IPM.Microsoft Mail.Note\0', 'latin1')); // attMessageClass
  attr(2, 0x00069002, Buffer.concat([u16(1), u32(0xffffffff), u16(0xffff), u16(0xffff), u32(0)])); // attAttachRendData
  attr(2, 0x00018010, Buffer.from(innerName + '\0', 'latin1')); // attAttachTitle
  attr(2, 0x0006800f, innerData); // attAttachData
  return Buffer.concat(parts);
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

/** 50 entries × 20 MiB of zeros: about 1 GiB inflated from about 1 MB. */
function buildZipBomb(): Buffer {
  const chunk = Buffer.alloc(20 * 1024 * 1024);
  const deflated = deflateRawSync(chunk, { level: 9 });
  const crc = crc32(chunk);
  const entries = Array.from({ length: 50 }, (_, i) => ({
    name: `part-${String(i).padStart(2, '0')}.txt`,
    precompressed: { deflated, size: chunk.length, crc },
  }));
  return buildZip(entries);
}

/** 25 concatenated gzip members × 20 MiB of zeros: 500 MiB inflated from about 500 KB. */
function buildGzipBomb(): Buffer {
  const member = gzipSync(Buffer.alloc(20 * 1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: 25 }, () => member));
}

/** A valid-looking PDF whose resources hold an array nested 50,000 deep and a self-referencing page tree. */
function buildHostilePdf(): Buffer {
  const depth = 50_000;
  const nested = '['.repeat(depth) + ']'.repeat(depth);
  const base = buildPdf(
    ['hostile pdf: deeply nested objects follow'],
    [nested, '<< /Type /Pages /Kids [7 0 R] /Count 1000000000 >>'],
  );
  return base;
}

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
