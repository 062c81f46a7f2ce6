// Opaque Mimecast-style ids ('eNpV...', 100+ chars) that encode where a message lives, with a checksum
// so that a truncated or altered id is detectably malformed (the real API answers 400, empty body).
import { hash32, hashBytes } from './seeded-random';
import type { View } from './types';

// Module-level copies of globals: a global lookup per call is very slow inside jest's vm context.
const NodeBuffer = Buffer;
const NodeMath = Math;

export interface MessageRef {
  /** 'local': message `index` of mailbox `mailboxIdx`/`view`; 'shared': entry `index` of the shared pool. */
  kind: 'local' | 'shared';
  mailboxIdx: number;
  view: View;
  index: number;
}

export interface AttachmentRef extends MessageRef {
  attachment: number;
}

const MESSAGE_PREFIX = 'eNpV';
const ATTACHMENT_PREFIX = 'eNpVUNFO';
const MESSAGE_FILLER = 58;
const ATTACHMENT_FILLER = 30;

// The location bytes are masked so that ids look opaque (no runs of zeros).
const MASK = hashBytes(12, 'mimecast-simulator-id-mask');
function mask(b: Buffer): Buffer {
  const out = NodeBuffer.from(b);
  for (let i = 0; i < NodeMath.min(out.length, MASK.length); i++) out[i] ^= MASK[i];
  return out;
}

function checksum(payload: Buffer): Buffer {
  const b = NodeBuffer.alloc(4);
  b.writeUInt32BE(hash32(payload.toString('latin1')), 0);
  return b;
}

function head(ref: MessageRef, version: number): Buffer {
  const b = NodeBuffer.alloc(11);
  b[0] = version;
  b[1] = ref.kind === 'local' ? 0 : 1;
  b[2] = ref.view === 'INBOX' ? 0 : 1;
  b.writeUInt32BE(ref.mailboxIdx >>> 0, 3);
  b.writeUInt32BE(ref.index >>> 0, 7);
  return b;
}

function finish(prefix: string, body: Buffer): string {
  return (
    prefix +
    NodeBuffer.concat([body, checksum(body)])
      .toString('base64')
      .replace(/=+$/, '')
  );
}

export function encodeMessageId(ref: MessageRef): string {
  const h = head(ref, 1);
  return finish(
    MESSAGE_PREFIX,
    NodeBuffer.concat([mask(h), hashBytes(MESSAGE_FILLER, 'msg', h.toString('hex'))]),
  );
}

export function encodeAttachmentId(ref: MessageRef, attachment: number): string {
  const h = head(ref, 2);
  const a = NodeBuffer.from([attachment & 0xff]);
  return finish(
    ATTACHMENT_PREFIX,
    NodeBuffer.concat([
      mask(NodeBuffer.concat([h, a])),
      hashBytes(ATTACHMENT_FILLER, 'att', h.toString('hex'), attachment),
    ]),
  );
}

function open(id: string, prefix: string, length: number): Buffer | null {
  if (typeof id !== 'string' || !id.startsWith(prefix)) return null;
  const b64 = id.slice(prefix.length);
  if (!/^[A-Za-z0-9+/]+$/.test(b64)) return null;
  const raw = NodeBuffer.from(b64, 'base64');
  if (raw.length !== length + 4) return null;
  const body = raw.subarray(0, length);
  if (!checksum(body).equals(raw.subarray(length))) return null;
  return mask(body);
}

function readHead(body: Buffer): MessageRef {
  return {
    kind: body[1] === 0 ? 'local' : 'shared',
    view: body[2] === 0 ? 'INBOX' : 'SENT',
    mailboxIdx: body.readUInt32BE(3),
    index: body.readUInt32BE(7),
  };
}

/** Null when the id is malformed (wrong prefix, truncated, checksum mismatch). */
export function decodeMessageId(id: string): MessageRef | null {
  if (typeof id === 'string' && id.startsWith(ATTACHMENT_PREFIX)) return null;
  const body = open(id, MESSAGE_PREFIX, 11 + MESSAGE_FILLER);
  if (!body || body[0] !== 1) return null;
  return readHead(body);
}

export function decodeAttachmentId(id: string): AttachmentRef | null {
  const body = open(id, ATTACHMENT_PREFIX, 12 + ATTACHMENT_FILLER);
  if (!body || body[0] !== 2) return null;
  return { ...readHead(body), attachment: body[11] };
}
