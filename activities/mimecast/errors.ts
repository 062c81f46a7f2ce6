// Typed errors of the Mimecast client. Each extends a kind of the taxonomy (common/node/errors.ts), so
// callers and `classifyError` know the action without parsing messages.
import { CrawlerError, SourceError, ThrottledError } from '../../common/node/errors';

export { OversizeError, SourceError, ThrottledError, TransientError } from '../../common/node/errors';

export interface MimecastFailDetail {
  code: string;
  message: string;
  retryable?: boolean;
  field?: string;
}

/**
 * A function failure: `fail[]` at HTTP 200 (or a JSON error body). Item-scoped by default — the
 * caller decides what it means (a rejected page token, a bad message id, a window to narrow).
 */
export class MimecastFunctionError extends CrawlerError {
  readonly codes: string[];
  readonly messages: string[];
  readonly fields: string[];
  constructor(
    public readonly endpoint: string,
    public readonly httpStatus: number,
    public readonly details: MimecastFailDetail[],
  ) {
    const text = details.map((d) => `${d.code}${d.field ? ` (${d.field})` : ''}: ${d.message}`).join('; ');
    const retryable = details.length > 0 && details.every((d) => d.retryable === true);
    super(
      `${endpoint} failed: ${text || 'unspecified failure'}`,
      retryable ? 'transient' : 'item',
      retryable,
    );
    this.codes = details.map((d) => d.code);
    this.messages = details.map((d) => d.message);
    this.fields = details.map((d) => d.field ?? '').filter(Boolean);
  }
}

/** A non-2xx answer that is neither auth, permission nor throttling (4xx: item; 5xx: transient). */
export class MimecastHttpError extends CrawlerError {
  constructor(
    public readonly endpoint: string,
    public readonly httpStatus: number,
    detail: string,
  ) {
    const transient = httpStatus >= 500 || httpStatus === 408;
    super(
      `${endpoint} answered HTTP ${httpStatus}${detail ? `: ${detail}` : ''}`,
      transient ? 'transient' : 'item',
      transient,
    );
  }
}

/**
 * A response that does not have the documented shape (zod), naming endpoint and field. Transient
 * for listings (the page is retried); item-scoped for one message's detail or content.
 */
export class MimecastResponseError extends CrawlerError {
  constructor(
    public readonly endpoint: string,
    detail: string,
    kind: 'transient' | 'item' = 'transient',
  ) {
    super(`unexpected response from ${endpoint}: ${detail}`, kind, kind === 'transient');
  }
}

/** Thrown by a scope whose throttling budget ran out; kept as a named export for callers. */
export function throttledFor(waitMs: number, credential: string): ThrottledError {
  return new ThrottledError(
    `Mimecast throttled credential "${credential}"; retry in ${Math.ceil(waitMs / 1000)} s`,
    waitMs,
  );
}

/** Roles and products a 2.0 app needs per endpoint, to name them when a call is refused. */
export const REQUIRED_PERMISSION: Record<string, string> = {
  '/api/domain/get-internal-domain': 'role permission Directories › Internal › Read',
  '/api/user/get-internal-users': 'role permission Directories › Internal › Read',
  '/api/archive/get-message-list': 'role permission Archive › Search › Read',
  '/api/archive/get-message-detail': 'role permission Archive › Search Content View',
  '/api/archive/get-message-part': 'role permission Archive › Search Content View',
  '/api/archive/get-file': 'role permission Archive › Read',
};

export function forbiddenError(
  endpoint: string,
  httpStatus: number,
  codes: string[],
  detail: string,
): SourceError {
  const need = REQUIRED_PERMISSION[endpoint] ?? 'the role permission for this endpoint';
  const appForbidden = codes.includes('app_forbidden');
  const what = appForbidden
    ? `the Mimecast API 2.0 application has no Product that includes ${endpoint} (app_forbidden): assign the Archive and Directory products to the app in the Administration Console (Integrations › API and Platform Integrations)`
    : `the API application's role lacks the ${need} for ${endpoint} (HTTP ${httpStatus})`;
  return new SourceError(`Mimecast refused the call: ${what}${detail ? ` — ${detail}` : ''}`);
}
