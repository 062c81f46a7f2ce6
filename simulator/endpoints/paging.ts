// Offset paging of list endpoints: validates pageSize and pageToken (bound to its query when that switch
// is on, expiring after the switch's TTL) and builds the `meta.pagination` block with next/previous.
import { decodePageToken, encodePageToken } from '../page-tokens';
import { hash32 } from '../seeded-random';
import type { SimContext } from './context';
import { fail, fail200, type PaginationRequest, type Reply } from './envelope';

export interface Page {
  offset: number;
  pageSize: number;
  /** Seed of an 'unstable' listing, carried by the page token so one paging run stays stable. */
  shuffle: number;
  meta: (returned: number) => Record<string, unknown>;
}

const DEFAULT_PAGE_SIZE = 100;

/** Validates pageSize/pageToken for a query and prepares the pagination block. */
export function page(
  ctx: SimContext,
  queryParts: unknown[],
  total: number,
  pagination: PaginationRequest,
  key: unknown,
): { reply: Reply } | Page {
  const sw = ctx.deps.switches;
  let pageSize = DEFAULT_PAGE_SIZE;
  if (pagination.pageSize !== undefined) {
    const n = Number(pagination.pageSize);
    if (!Number.isInteger(n) || n < 1)
      return {
        reply: fail200(
          fail(key, 'err_validation_invalid_page_size', 'pageSize must be a positive integer', 'pageSize'),
        ),
      };
    pageSize = Math.min(n, sw.pageSizeCap);
  }
  const q = hash32(JSON.stringify(queryParts), sw.pageTokenBinding ? pageSize : 0);
  const now = ctx.deps.now();
  let offset = 0;
  let shuffle = ctx.shuffleRandom.int(0x7fffffff);
  if (pagination.pageToken !== undefined && pagination.pageToken !== null && pagination.pageToken !== '') {
    const state = decodePageToken(pagination.pageToken);
    if (!state)
      return {
        reply: fail200(
          fail(key, 'err_validation_invalid_page_token', 'The page token is not valid', 'pageToken'),
        ),
      };
    if (sw.pageTokenBinding && state.q !== q) {
      return {
        reply: fail200(
          fail(
            key,
            'err_validation_page_token_mismatch',
            'The page token does not belong to this query',
            'pageToken',
          ),
        ),
      };
    }
    if (sw.pageTokenTtlSeconds !== null && now - state.t > sw.pageTokenTtlSeconds * 1000) {
      return {
        reply: fail200(
          fail(key, 'err_validation_page_token_expired', 'The page token has expired', 'pageToken'),
        ),
      };
    }
    offset = state.o;
    shuffle = state.s;
  }
  const meta = (returned: number) => {
    const m: Record<string, unknown> = sw.totalCount ? { pageSize, totalCount: total } : { pageSize };
    const end = offset + pageSize;
    if (end < total || (sw.lastPage === 'empty-with-next' && (returned > 0 || offset >= total))) {
      m.next = encodePageToken({ q, o: Math.min(end, Math.max(total, offset)), t: now, s: shuffle });
    }
    if (offset > 0)
      m.previous = encodePageToken({ q, o: Math.max(0, offset - pageSize), t: now, s: shuffle });
    return m;
  };
  return { offset, pageSize, shuffle, meta };
}
