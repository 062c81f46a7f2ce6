// The directory endpoints: get-internal-domain (all domains for `data: []`, else the ones asked for; at
// most 500 items) and get-internal-users (paged in data[0].users with userCount; at most one item).
import type { SimContext } from './context';
import { envelope, fail, fail200, ok, type FailItem, type PaginationRequest, type Reply } from './envelope';
import { page } from './paging';

export function internalDomains(ctx: SimContext, items: unknown[]): Reply {
  if (items.length > 500)
    return fail200(fail({}, 'err_validation_too_many_items', 'at most 500 items', 'data'));
  const all = ctx.deps.corpus.listDomains();
  if (!items.length) return ok(all);
  const failures: FailItem[] = [];
  const out = [];
  for (const item of items as Record<string, unknown>[]) {
    const d = item?.domain;
    if (d === undefined || d === null)
      failures.push(fail(item, 'err_validation_null', 'domain is required', 'domain'));
    else if (typeof d !== 'string' || !d.trim())
      failures.push(fail(item, 'err_validation_blank', 'domain must not be blank', 'domain'));
    else {
      const hit = all.find((x) => x.domain === d.toLowerCase());
      if (hit) out.push(hit);
    }
  }
  return { kind: 'json', status: 200, body: envelope(out, failures) };
}

export function internalUsers(ctx: SimContext, items: unknown[], pagination: PaginationRequest): Reply {
  if (items.length > 1)
    return fail200(
      items.map((k) =>
        fail(k, 'err_validation_too_many_items', 'data must contain at most one item', 'data'),
      ),
    );
  const item = (items[0] ?? {}) as Record<string, unknown>;
  const d = item.domain;
  if (d !== undefined && (typeof d !== 'string' || !d.trim()))
    return fail200(fail(item, 'err_validation_blank', 'domain must not be blank', 'domain'));
  const users = ctx.deps.corpus
    .listUsers()
    .filter((u) => d === undefined || u.domain === String(d).toLowerCase());
  const p = page(ctx, ['users', d ?? ''], users.length, pagination, item);
  if ('reply' in p) return p.reply;
  const slice = users
    .slice(p.offset, p.offset + p.pageSize)
    .map(({ emailAddress, addressType, alias, name }) => ({ emailAddress, addressType, alias, name }));
  return ok([{ users: slice, userCount: users.length }], p.meta(slice.length));
}
