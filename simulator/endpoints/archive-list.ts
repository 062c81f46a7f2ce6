// POST /api/archive/get-message-list: one mailbox view between start and end (default: the last month),
// paged, in the order the listOrder switch picks (newest first, oldest first, or unstable within a second),
// with the `to` field as an object or an array (listToShape switch).
import { createHash } from 'node:crypto';
import type { MessageSpec } from '../message-spec';
import { lowerBound, type Listing } from '../view-index';
import { defaultListWindow, formatMimecastDate, parseMimecastDate } from '../mimecast-date';
import { recordDefect, withDefect } from '../message-faults';
import { hash32 } from '../seeded-random';
import type { SimContext } from './context';
import { fail, fail200, ok, type PaginationRequest, type Reply } from './envelope';
import { page } from './paging';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An optional mailbox field: absent is fine, blank or not an address is a fail[]. */
export function validateMailbox(item: Record<string, unknown>, field = 'mailbox'): Reply | null {
  const v = item[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !v.trim())
    return fail200(fail(item, 'err_validation_blank', `${field} must not be blank`, field));
  if (!EMAIL.test(v))
    return fail200(
      fail(item, 'err_validation_invalid_email_address', `${field} is not a valid email address`, field),
    );
  return null;
}

export function messageList(
  ctx: SimContext,
  item: Record<string, unknown>,
  pagination: PaginationRequest,
): Reply {
  const bad = validateMailbox(item);
  if (bad) return bad;
  const view = item.view ?? 'INBOX';
  if (view !== 'INBOX' && view !== 'SENT')
    return fail200(fail(item, 'err_validation_invalid_value', 'view must be INBOX or SENT', 'view'));
  const window = defaultListWindow(ctx.deps.now());
  const dates: Record<'start' | 'end', number> = { start: window.start, end: window.end };
  for (const f of ['start', 'end'] as const) {
    const v = item[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || !v.trim())
      return fail200(fail(item, 'err_validation_blank', `${f} must not be blank`, f));
    const ms = parseMimecastDate(v);
    if (ms === null)
      return fail200(
        fail(
          item,
          'err_validation_invalid_date_format',
          `${f} must be formatted yyyy-MM-ddTHH:mm:ss+0000`,
          f,
        ),
      );
    dates[f] = ms;
  }
  for (const f of ['includeAliases', 'includeDelegates'] as const) {
    if (item[f] !== undefined && typeof item[f] !== 'boolean')
      return fail200(fail(item, 'err_validation_invalid_type', `${f} must be a boolean`, f));
  }
  const mailbox = typeof item.mailbox === 'string' ? item.mailbox.toLowerCase() : null;
  const includeAliases = item.includeAliases !== false;
  const includeDelegates = item.includeDelegates === true;
  const startSec = Math.floor(dates.start / 1000);
  const endSec = Math.floor(dates.end / 1000);
  const corpus = ctx.deps.corpus;
  const listing: Listing =
    mailbox && startSec <= endSec
      ? corpus.list({ mailbox, view, startSec, endSec, includeAliases, includeDelegates })
      : { count: 0, times: new Float64Array(0), mbx: 0, refs: new Int32Array(0) };
  const p = page(
    ctx,
    ['list', mailbox, view, startSec, endSec, includeAliases, includeDelegates],
    listing.count,
    pagination,
    item,
  );
  if ('reply' in p) return p.reply;
  const order = ctx.deps.switches.listOrder;
  const records = [];
  for (let i = p.offset; i < Math.min(listing.count, p.offset + p.pageSize); i++) {
    let a = order === 'oldest-first' ? i : listing.count - 1 - i;
    if (order === 'unstable') a = permuteWithinSecond(listing.times, a, p.shuffle);
    const m = typeof listing.mbx === 'number' ? listing.mbx : listing.mbx[a];
    const spec = corpus.specUnchecked(corpus.refFor(m, view, listing.refs[a]));
    const record = listRecord(ctx, spec);
    const defect = recordDefect(ctx.deps.faults, spec.id);
    records.push(defect ? withDefect(record, defect) : record);
  }
  return ok(records, p.meta(records.length));
}

function listRecord(ctx: SimContext, spec: MessageSpec) {
  const to = ctx.deps.switches.listToShape === 'array' ? spec.to : spec.to[0];
  return {
    id: spec.id,
    subject: spec.subject,
    from: spec.from,
    to,
    received: formatMimecastDate(spec.receivedSec * 1000),
    size: spec.sizeEstimate,
    attachmentCount: spec.attachments.length,
    status: 'ARCHIVED',
    smash: createHash('sha1').update(spec.id).digest('hex'),
    read: spec.read,
    ccm: false,
    recalled: spec.recalled,
    expired: spec.expired,
  };
}

/** 'unstable' order: a seeded bijection inside each run of equal received seconds. */
export function permuteWithinSecond(times: Float64Array, a: number, seed: number): number {
  const t = times[a];
  const g0 = lowerBound(times, t);
  const g1 = lowerBound(times, t + 1);
  const size = g1 - g0;
  if (size < 2) return a;
  let mult = (hash32(seed, t) % size) | 1;
  while (gcd(mult, size) !== 1) mult += 2;
  const add = hash32(seed, t, 'add') % size;
  return g0 + ((mult * (a - g0) + add) % size);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
