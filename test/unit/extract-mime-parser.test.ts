// parseRfc822 on the simulator's real MIME (nodemailer-built): bodies, attachments with part paths
// and hashes, and the defined behaviour of nested messages, calendars, S/MIME and TNEF.
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parseRfc822 } from '../../activities/extract/mime-parser';
import { decodeTnef } from '../../activities/extract/tnef-decoder';
import { attachmentPayload } from '../../simulator/attachment-factory';
import { buildRfc822, serializeMimeNode } from '../../simulator/message-builder';
import type { AttachmentSpec, MessageSpec } from '../../simulator/message-spec';

function spec(overrides: Partial<MessageSpec> = {}): MessageSpec {
  return {
    ref: { kind: 'local', mailboxIdx: 0, view: 'INBOX', index: 0 },
    id: 'sim-msg-1',
    receivedSec: 1_704_272_000,
    subject: 'Quarterly plan',
    from: { emailAddress: 'Bob@Example.com', displayableName: 'Bob Sender' },
    to: [{ emailAddress: 'alice@example.com', displayableName: 'Alice' }],
    cc: [{ emailAddress: 'carol@example.com', displayableName: 'Carol' }],
    replyTo: null,
    envelopeFrom: null,
    body: 'both',
    structure: 'mixed',
    attachments: [],
    expired: false,
    recalled: false,
    read: false,
    toAlias: null,
    marker: 'bodymarker42',
    sizeEstimate: 1000,
    ...overrides,
  };
}

const att = (kind: AttachmentSpec['kind'], variant = 1): AttachmentSpec => ({ kind, variant });

async function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return serializeMimeNode(
    new MailComposer({ disableFileAccess: true, disableUrlAccess: true, ...options }).compile(),
  );
}

describe('parseRfc822', () => {
  test('reads headers, the plain body and every attachment with its part path, size and sha256', async () => {
    const pdf = attachmentPayload('pdf', 1);
    const parsed = await parseRfc822(buildRfc822(spec({ attachments: [att('pdf'), att('txt')] })));
    expect(parsed.subject).toBe('Quarterly plan');
    expect(parsed.messageId).toBe('<bodymarker42@mail.Example.com>');
    expect(parsed.from).toEqual({ address: 'bob@example.com', name: 'Bob Sender' });
    expect(parsed.to).toEqual([{ address: 'alice@example.com', name: 'Alice' }]);
    expect(parsed.cc).toEqual([{ address: 'carol@example.com', name: 'Carol' }]);
    expect(parsed.date).toBe(new Date((1_704_272_000 - 7) * 1000).toISOString());
    expect(parsed.text).toContain('bodymarker42');
    expect(parsed.attachments.map((a) => a.filename)).toEqual([
      pdf.filename,
      attachmentPayload('txt', 1).filename,
    ]);
    const first = parsed.attachments[0]!;
    expect(first.partPath).toMatch(/^\d+(\.\d+)*$/);
    expect(first.size).toBe(pdf.bytes.length);
    expect(first.sha256).toBe(createHash('sha256').update(pdf.bytes).digest('hex'));
    expect(first.bytes?.equals(pdf.bytes)).toBe(true);
    expect(new Set(parsed.attachments.map((a) => a.partPath)).size).toBe(2);
  });

  test('turns HTML into text when there is no plain part', async () => {
    const parsed = await parseRfc822(buildRfc822(spec({ body: 'html' })));
    expect(parsed.text).toContain('bodymarker42');
    expect(parsed.text).not.toMatch(/<p>|<html|margin:0/);
  });

  test('caps the body and flags it', async () => {
    const raw = await compose({
      from: 'a@x.test',
      to: 'b@x.test',
      subject: 'long',
      text: 'word '.repeat(5000),
    });
    const parsed = await parseRfc822(raw, { maxTextChars: 1000 });
    expect(parsed.text.length).toBe(1000);
    expect(parsed.textTruncated).toBe(true);
  });

  test('keeps the hash but not the bytes of an attachment above maxAttachmentBytes', async () => {
    const pdf = attachmentPayload('pdf', 2);
    const parsed = await parseRfc822(buildRfc822(spec({ attachments: [att('pdf', 2)] })), {
      maxAttachmentBytes: 100,
    });
    expect(parsed.attachments[0]!.bytes).toBeUndefined();
    expect(parsed.attachments[0]!.flags).toContain('oversize');
    expect(parsed.attachments[0]!.sha256).toBe(createHash('sha256').update(pdf.bytes).digest('hex'));
  });

  test('a nested message/rfc822 adds its text to the body and its attachments with a nested part path', async () => {
    const parsed = await parseRfc822(buildRfc822(spec({ attachments: [att('eml')] })));
    expect(parsed.text).toContain('bodymarker42-inner');
    const inner = parsed.attachments.find((a) => a.filename === 'inner-note.txt');
    expect(inner).toBeDefined();
    expect(inner!.partPath).toMatch(/\d+\.\d+/);
    expect(inner!.bytes!.toString()).toContain('inner attachment bodymarker42-inner');
  });

  test('a text/calendar body part appends the event summary; an attached .ics stays an attachment', async () => {
    const ics = attachmentPayload('ics', 3);
    const raw = await compose({
      from: 'a@x.test',
      to: 'b@x.test',
      subject: 'invite',
      text: 'see invite',
      icalEvent: { method: 'REQUEST', content: ics.bytes.toString() },
      attachments: [{ filename: 'invite.ics', content: ics.bytes, contentType: 'text/calendar' }],
    });
    const parsed = await parseRfc822(raw);
    expect(parsed.text).toContain('see invite');
    expect(parsed.text).toContain(`SUMMARY: ${ics.marker} review meeting`);
    expect(parsed.flags).toContain('calendar');
    expect(parsed.attachments.map((a) => a.filename)).toContain('invite.ics');
  });

  test('S/MIME signed: the signed content is read and the signature part dropped', async () => {
    const parsed = await parseRfc822(
      buildRfc822(spec({ structure: 'smime-signed', body: 'text', attachments: [att('p7s')] })),
    );
    expect(parsed.text).toContain('bodymarker42');
    expect(parsed.attachments).toEqual([]);
    expect(parsed.flags).toContain('smime-signed');
  });

  test('S/MIME encrypted: headers only, flagged, no attachment documents', async () => {
    const parsed = await parseRfc822(
      buildRfc822(spec({ structure: 'smime-opaque', attachments: [att('p7m')] })),
    );
    expect(parsed.subject).toBe('Quarterly plan');
    expect(parsed.text).toBe('');
    expect(parsed.attachments).toEqual([]);
    expect(parsed.flags).toContain('smime-encrypted');
  });

  test('TNEF: winmail.dat is replaced by its inner files when a decoder is given', async () => {
    const tnef = attachmentPayload('tnef', 4);
    const raw = buildRfc822(spec({ attachments: [att('tnef', 4)] }));
    const parsed = await parseRfc822(raw, { decodeTnef: async (bytes) => decodeTnef(bytes) });
    expect(parsed.flags).toContain('tnef');
    expect(parsed.attachments).toHaveLength(1);
    const inner = parsed.attachments[0]!;
    expect(inner.filename).toBe('tnef-inner-4.txt');
    expect(inner.partPath).toMatch(/\/0$/);
    expect(inner.bytes!.toString()).toContain(tnef.marker);
  });

  test('TNEF without a decoder, or undecodable, stays one binary attachment and is flagged', async () => {
    const raw = buildRfc822(spec({ attachments: [att('tnef', 4)] }));
    const plain = await parseRfc822(raw);
    expect(plain.attachments.map((a) => [a.filename, a.flags])).toEqual([
      ['winmail.dat', ['tnef-undecodable']],
    ]);
    const failing = await parseRfc822(raw, {
      decodeTnef: async () => {
        throw new Error('bad');
      },
    });
    expect(failing.attachments[0]!.flags).toContain('tnef-undecodable');
  });

  test('a nameless attachment has an empty file name (filters see the raw value)', async () => {
    const parsed = await parseRfc822(buildRfc822(spec({ attachments: [att('nameless')] })));
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.filename).toBe('');
  });
});
