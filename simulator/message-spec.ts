// The shape of one simulated message (what message-builder.ts renders) and its size estimate.
import { attachmentPayload, type AttachmentKind } from './attachment-factory';
import type { MessageRef } from './opaque-ids';

// Module-level copy of a global: a global lookup per call is very slow inside jest's vm context.
const NodeMath = Math;

export interface Addr {
  emailAddress: string;
  displayableName: string;
}

export type SpecialKind = 'eml' | 'p7s' | 'p7m';
export interface AttachmentSpec {
  kind: AttachmentKind | SpecialKind;
  variant: number;
}

export interface MessageSpec {
  ref: MessageRef;
  id: string;
  receivedSec: number;
  subject: string;
  from: Addr;
  to: Addr[];
  cc: Addr[];
  replyTo: Addr | null;
  envelopeFrom: Addr | null;
  body: 'text' | 'html' | 'both';
  structure: 'mixed' | 'smime-signed' | 'smime-opaque';
  attachments: AttachmentSpec[];
  expired: boolean;
  recalled: boolean;
  read: boolean;
  toAlias: string | null;
  /** A phrase unique to this message, present in its body. */
  marker: string;
  sizeEstimate: number;
}

export function estimateSize(spec: MessageSpec): number {
  let n = 420 + spec.subject.length * 2 + (spec.to.length + spec.cc.length) * 60;
  n += spec.body === 'both' ? 1100 : 500;
  for (const a of spec.attachments) {
    const len =
      a.kind === 'eml'
        ? 1400
        : a.kind === 'p7s'
          ? 600
          : a.kind === 'p7m'
            ? 2400
            : attachmentPayload(a.kind, a.variant).bytes.length;
    n += NodeMath.ceil(len / 57) * 78 + 220;
  }
  return n;
}
