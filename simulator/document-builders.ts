// Deterministic document files for the simulator's attachments: PDF, DOCX and XLSX that real parsers
// read, Outlook's TNEF container, and — only for the hostile option — decompression bombs and a PDF
// that makes naive parsers spin. Same input, same bytes.
import { deflateRawSync, gzipSync } from 'node:zlib';
import { buildZip, crc32 } from './zip-writer';

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

/** The OOXML package's [Content_Types].xml: the two defaults every package has, plus its parts. */
function contentTypesXml(overrides: Record<string, string>): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    Object.entries(overrides)
      .map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`)
      .join('') +
    '</Types>'
  );
}

export function buildDocx(paragraphs: string[]): Buffer {
  const body = paragraphs
    .map((p) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`)
    .join('');
  return buildZip([
    {
      name: '[Content_Types].xml',
      data: contentTypesXml({
        '/word/document.xml':
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
      }),
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
      data: contentTypesXml({
        '/xl/workbook.xml': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
        '/xl/worksheets/sheet1.xml':
          'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml',
      }),
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

/** 50 entries × 20 MiB of zeros: about 1 GiB inflated from about 1 MB. */
export function buildZipBomb(): Buffer {
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
export function buildGzipBomb(): Buffer {
  const member = gzipSync(Buffer.alloc(20 * 1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: 25 }, () => member));
}

/** A valid-looking PDF whose resources hold an array nested 50,000 deep and a self-referencing page tree. */
export function buildHostilePdf(): Buffer {
  const depth = 50_000;
  const nested = '['.repeat(depth) + ']'.repeat(depth);
  const base = buildPdf(
    ['hostile pdf: deeply nested objects follow'],
    [nested, '<< /Type /Pages /Kids [7 0 R] /Count 1000000000 >>'],
  );
  return base;
}
