// The seeded traits of one message (subject, body, recipients, attachments, flags) and their vocabulary.
import { hash32, type SeededRandom } from './seeded-random';
import { HOSTILE_KINDS, type AttachmentKind } from './attachment-factory';
import {
  estimateSize,
  type Addr,
  type AttachmentSpec,
  type MessageSpec,
  type SpecialKind,
} from './message-spec';

const SUBJECT_TOPICS = [
  'Q1 plan',
  'budget review',
  'weekly sync',
  'invoice',
  'contract draft',
  'offsite',
  'hiring update',
  'release notes',
  'incident report',
  'board deck',
];
const UNICODE_SUBJECTS = [
  'Réunion — ordre du jour ✓',
  '会议纪要 📅',
  'Ünïcödé Grüße aus Köln',
  'Привет: отчёт',
  'مرحبا بالعالم',
  '🚀 Launch día',
];
export const EXTERNAL = [
  'partner@vendor.test',
  'billing@supplier.test',
  'news@newsletter.test',
  'ceo@customer.test',
  'noreply@service.test',
];
const ATTACHMENT_MIX: [AttachmentKind | SpecialKind | 'pdf+xlsx' | 'ics+docx', number][] = [
  ['pdf', 14],
  ['docx', 10],
  ['xlsx', 10],
  ['csv', 4],
  ['txt', 5],
  ['binary', 6],
  ['png', 4],
  ['nameless', 5],
  ['ics', 6],
  ['tnef', 6],
  ['eml', 6],
  ['p7s', 6],
  ['p7m', 4],
  ['pdf+xlsx', 8],
  ['ics+docx', 6],
];
const MIX_TOTAL = ATTACHMENT_MIX.reduce((n, [, w]) => n + w, 0);

/** Where a message lives and who it is between: decided by the corpus before its traits are rolled. */
export interface MessageHead {
  ref: MessageSpec['ref'];
  id: string;
  receivedSec: number;
  from: Addr;
  to: Addr[];
  toAlias: string | null;
}

/** Rolls the rest of the message from `rnd`, continuing the stream the corpus started (order matters). */
export function composeMessageSpec(
  rnd: SeededRandom,
  head: MessageHead,
  person: (address: string) => Addr,
  hostile: boolean,
  plainRate: number,
): MessageSpec {
  const { ref, id, receivedSec, from, to, toAlias } = head;
  const cc: Addr[] = rnd.chance(0.3) ? [person(rnd.pick(EXTERNAL))] : [];
  const subjRoll = rnd.next();
  const subject =
    subjRoll < 0.05
      ? ''
      : subjRoll < 0.15
        ? rnd.pick(UNICODE_SUBJECTS)
        : `${rnd.pick(SUBJECT_TOPICS)} #${ref.index}`;
  const bodyRoll = rnd.next();
  const body: MessageSpec['body'] = bodyRoll < 0.15 ? 'html' : bodyRoll < 0.4 ? 'text' : 'both';
  let structure: MessageSpec['structure'] = 'mixed';
  const attachments: AttachmentSpec[] = [];
  const variant = rnd.int(6);
  if (hostile && rnd.chance(0.15)) {
    attachments.push({ kind: HOSTILE_KINDS[ref.index % HOSTILE_KINDS.length], variant: 0 });
  } else if (!rnd.chance(plainRate)) {
    let roll = rnd.int(MIX_TOTAL);
    let pick = ATTACHMENT_MIX[0][0];
    for (const [k, w] of ATTACHMENT_MIX) {
      if (roll < w) {
        pick = k;
        break;
      }
      roll -= w;
    }
    if (pick === 'pdf+xlsx')
      attachments.push({ kind: 'pdf', variant }, { kind: 'xlsx', variant: (variant + 1) % 6 });
    else if (pick === 'ics+docx') attachments.push({ kind: 'ics', variant }, { kind: 'docx', variant });
    else if (pick === 'p7s') {
      structure = 'smime-signed';
      attachments.push({ kind: 'p7s', variant });
    } else if (pick === 'p7m') {
      structure = 'smime-opaque';
      attachments.push({ kind: 'p7m', variant });
    } else attachments.push({ kind: pick, variant });
  }
  const marker = `simmsg${hash32(id).toString(36)}`;
  const spec: MessageSpec = {
    ref,
    id,
    receivedSec,
    subject,
    from,
    to,
    cc,
    replyTo: rnd.chance(0.5) ? from : null,
    envelopeFrom: rnd.chance(0.5)
      ? { emailAddress: `bounce@${from.emailAddress.split('@')[1]}`, displayableName: '' }
      : null,
    body: structure === 'smime-opaque' ? 'text' : body,
    structure,
    attachments,
    expired: rnd.chance(0.02),
    recalled: rnd.chance(0.01),
    read: rnd.chance(0.5),
    toAlias,
    marker,
    sizeEstimate: 0,
  };
  spec.sizeEstimate = estimateSize(spec);
  return spec;
}
