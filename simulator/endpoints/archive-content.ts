// The archive's content endpoints: get-message-detail, get-message-part (RFC822, PLAIN, HTML; RECEIVED or
// DELIVERED), get-file (an attachment by its id from detail) and a minimal archive search. Malformed ids
// answer 400 with an empty body, as the real service does; ids in the failIds fault fail in fail[].
import { createHash } from 'node:crypto';
import type { MessageSpec } from '../message-spec';
import {
  MessageCache,
  attachmentsOf,
  bodies,
  buildRfc822,
  plainPart,
  type Context,
} from '../message-builder';
import { contentTrickles } from '../message-faults';
import { formatMimecastDate, rfc2822Date } from '../mimecast-date';
import { decodeAttachmentId, decodeMessageId, encodeAttachmentId, encodeMessageId } from '../opaque-ids';
import type { SimContext } from './context';
import { fail, fail200, ok, type Reply } from './envelope';
import { validateMailbox } from './archive-list';

const PART_TYPES = ['RFC822', 'PLAIN', 'HTML', 'TRANSMISSION_MESSAGE_BODY'];

export class ArchiveContent {
  private readonly cache = new MessageCache(256);

  constructor(private readonly ctx: SimContext) {}

  /** The message's RFC822 bytes, built once per context and kept in a small cache. */
  rfc822(spec: MessageSpec, context: Context): Buffer {
    return this.cache.get(`${spec.id}:${context}`, () => buildRfc822(spec, context));
  }

  /** Looks up a message id: a Reply for errors (400 empty for malformed, fail[] otherwise), or the spec. */
  private resolveMessage(item: Record<string, unknown>, field = 'id'): Reply | MessageSpec {
    const id = item[field];
    if (id === undefined || id === null)
      return fail200(fail(item, 'err_validation_null', `${field} is required`, field));
    if (typeof id !== 'string' || !id.trim())
      return fail200(fail(item, 'err_validation_blank', `${field} must not be blank`, field));
    const ref = decodeMessageId(id);
    if (!ref) return { kind: 'empty', status: 400 };
    if (this.ctx.deps.faults.failIds.includes(id))
      return fail200(
        fail(item, 'err_message_retrieval_failed', 'The message could not be retrieved', field, false),
      );
    const spec = this.ctx.deps.corpus.spec(ref);
    if (!spec)
      return fail200(fail(item, 'err_message_not_found', 'The message was not found in the archive', field));
    return spec;
  }

  messageDetail(item: Record<string, unknown>): Reply {
    const r = this.resolveMessage(item);
    if ('kind' in r) return r;
    const spec = r;
    const raw = this.rfc822(spec, 'RECEIVED');
    const atts = attachmentsOf(spec);
    const { html, text } = bodies(spec);
    const received = spec.receivedSec * 1000;
    return ok([
      {
        id: spec.id,
        subject: spec.subject,
        status: spec.expired ? 'Expired' : 'Active',
        smash: createHash('sha1').update(spec.id).digest('hex'),
        mimeMessageId: `<${spec.marker}@mail.${spec.from.emailAddress.split('@')[1]}>`,
        received: formatMimecastDate(received),
        processed: formatMimecastDate(received + 1000),
        headerDate: rfc2822Date(received - 7000),
        size: raw.length,
        from: spec.from,
        replyTo: spec.replyTo,
        envelopeFrom: spec.envelopeFrom,
        to: spec.to,
        cc: spec.cc,
        headers: [
          { name: 'X-Mailer', values: ['Mimecast Simulator'] },
          { name: 'MIME-Version', values: ['1.0'] },
        ],
        hasHtmlBody: html !== null,
        messageBodyPreview: (text ?? plainPart(spec, 'RECEIVED')).slice(0, 120),
        attachments: atts.map((a, i) => ({
          id: encodeAttachmentId(spec.ref, i),
          filename: a.filename ?? '',
          extension: a.extension,
          contentType: a.contentType,
          contentId: a.contentId,
          size: a.bytes.length,
          sha256: a.sha256,
          bodyType: 5,
        })),
        recalled: spec.recalled,
        expired: spec.expired,
      },
    ]);
  }

  messagePart(item: Record<string, unknown>): Reply {
    const bad = validateMailbox(item);
    if (bad) return bad;
    const type = item.type;
    if (type === undefined || type === null)
      return fail200(fail(item, 'err_validation_null', 'type is required', 'type'));
    if (!PART_TYPES.includes(String(type))) {
      return fail200(
        fail(
          item,
          'err_validation_invalid_value',
          'type must be one of HTML, PLAIN, RFC822, TRANSMISSION_MESSAGE_BODY',
          'type',
        ),
      );
    }
    const context = item.context ?? 'RECEIVED';
    if (context !== 'RECEIVED' && context !== 'DELIVERED')
      return fail200(
        fail(item, 'err_validation_invalid_value', 'context must be RECEIVED or DELIVERED', 'context'),
      );
    const r = this.resolveMessage(item);
    if ('kind' in r) return r;
    const spec = r;
    const refused = this.ctx.deps.switches.rfc822Refused;
    if (type === 'RFC822') {
      if (refused === true || (Array.isArray(refused) && refused.includes(spec.id))) {
        return fail200(
          fail(
            item,
            'err_message_part_unavailable',
            'The RFC822 content of this message is not available',
            'type',
          ),
        );
      }
      return {
        kind: 'bytes',
        status: 200,
        bytes: this.rfc822(spec, context),
        contentType: spec.ref.index % 2 ? 'message/rfc822' : 'application/octet-stream',
        filename: `${spec.marker}.eml`,
        trickle: contentTrickles(this.ctx.deps.faults, spec.id),
      };
    }
    if (type === 'HTML') {
      const { html } = bodies(spec, context);
      if (html === null)
        return fail200(fail(item, 'err_message_part_not_found', 'The message has no HTML body', 'type'));
      return {
        kind: 'bytes',
        status: 200,
        bytes: Buffer.from(html),
        contentType: 'text/html; charset=utf-8',
        filename: null,
        trickle: contentTrickles(this.ctx.deps.faults, spec.id),
      };
    }
    return {
      kind: 'bytes',
      status: 200,
      bytes: Buffer.from(plainPart(spec, context)),
      contentType: 'text/plain; charset=utf-8',
      filename: null,
      trickle: contentTrickles(this.ctx.deps.faults, spec.id),
    };
  }

  getFile(item: Record<string, unknown>): Reply {
    const id = item.id;
    if (id === undefined || id === null)
      return fail200(fail(item, 'err_validation_null', 'id is required', 'id'));
    if (typeof id !== 'string' || !id.trim())
      return fail200(fail(item, 'err_validation_blank', 'id must not be blank', 'id'));
    const ref = decodeAttachmentId(id);
    if (!ref) return { kind: 'empty', status: 400 };
    const messageId = encodeMessageId({
      kind: ref.kind,
      mailboxIdx: ref.mailboxIdx,
      view: ref.view,
      index: ref.index,
    });
    const failIds = this.ctx.deps.faults.failIds;
    if (failIds.includes(id) || failIds.includes(messageId))
      return fail200(fail(item, 'err_file_retrieval_failed', 'The file could not be retrieved', 'id'));
    const spec = this.ctx.deps.corpus.spec(ref);
    const att = spec ? attachmentsOf(spec)[ref.attachment] : undefined;
    if (!spec || !att)
      return fail200(fail(item, 'err_file_not_found', 'The file was not found in the archive', 'id'));
    const ct = ref.index % 3 === 0 ? 'application/octet-stream' : att.contentType;
    return {
      kind: 'bytes',
      status: 200,
      bytes: att.bytes,
      contentType: ct === 'application/json' ? 'application/octet-stream' : ct,
      filename: att.filename,
      trickle: contentTrickles(this.ctx.deps.faults, messageId),
    };
  }

  search(item: Record<string, unknown>): Reply {
    const query = item.query;
    if (query === undefined || query === null)
      return fail200(fail(item, 'err_validation_null', 'query is required', 'query'));
    if (typeof query !== 'string' || !query.trim().startsWith('<'))
      return fail200(fail(item, 'err_invalid_search_xml', 'The search query is not valid XML', 'query'));
    // Search is not used by the crawler; with admin:false the real service answers an empty result.
    return ok([{ items: [], queryDuration: 1 }], { pageSize: 25, recordStart: 0 });
  }
}
