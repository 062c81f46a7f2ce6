// The error taxonomy of docs/architecture.md, Error scopes: every failure is one kind (item, throttled,
// transient, mailbox, source), and each kind maps to exactly one action. Activities throw these classes (or
// anything else, which is classified by its shape) and `toApplicationFailure` turns them into the
// ApplicationFailure the workflows and Temporal's retry policy act on.
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes, type ErrorKind } from '../contracts';

export type { ErrorKind } from '../contracts';

/** Base of the crawler's own errors: the kind is decided where the error is raised. */
export class CrawlerError extends Error {
  constructor(
    message: string,
    public readonly kind: ErrorKind,
    public readonly retryable: boolean,
    public readonly nextRetryDelayMs?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A configuration or permission problem no retry can fix: fail the pass with this message. */
export class SourceError extends CrawlerError {
  constructor(message: string) {
    super(message, 'source', false);
  }
}

/** The API asked us to wait longer than one activity may: retry after `nextRetryDelayMs`. */
export class ThrottledError extends CrawlerError {
  constructor(message: string, nextRetryDelayMs: number) {
    super(message, 'throttled', true, Math.max(1, Math.ceil(nextRetryDelayMs)));
  }
}

/** Worth retrying with backoff (5xx, network, a malformed response). */
export class TransientError extends CrawlerError {
  constructor(message: string) {
    super(message, 'transient', true);
  }
}

/** One mailbox cannot go on (error budget, a page token still invalid after a restart). */
export class MailboxError extends CrawlerError {
  constructor(message: string) {
    super(message, 'mailbox', false);
  }
}

/** One message or attachment is bad: the caller records it in `<prefix>-failed` and goes on. */
export class ItemError extends CrawlerError {
  constructor(message: string) {
    super(message, 'item', false);
  }
}

/** A download larger than its cap (messages.maxMessageBytes): indexed as metadata only, recorded. */
export class OversizeError extends ItemError {
  constructor(
    public readonly maxBytes: number,
    public readonly seenBytes: number,
    what: string,
  ) {
    super(`${what} is larger than the limit of ${maxBytes} bytes (at least ${seenBytes} bytes)`);
  }
}

export interface ErrorClassification {
  kind: ErrorKind;
  message: string;
  retryable: boolean;
  nextRetryDelayMs?: number;
}

// Node / undici error codes: DNS and TLS failures are configuration problems (docs/architecture.md, Error
// scopes); a temporary DNS failure (EAI_AGAIN) and connection drops are worth retrying.
const SOURCE_CODES = new Set([
  'ENOTFOUND',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

const TYPE_TO_KIND: Record<string, ErrorKind> = {
  [FailureTypes.source]: 'source',
  [FailureTypes.mailbox]: 'mailbox',
  [FailureTypes.throttled]: 'throttled',
  [FailureTypes.transient]: 'transient',
  [FailureTypes.item]: 'item',
};

function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: any = err;
  // The interesting code often sits on a cause (undici wraps socket and TLS errors).
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (typeof current.code === 'string') return current.code;
    current = current.cause;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : 'unknown error';
}

/** Elasticsearch client errors, recognised by shape so this module stays free of that client. */
function classifyElasticsearch(err: any): ErrorClassification | undefined {
  const name: unknown = err?.name;
  if (name === 'ConnectionError' || name === 'TimeoutError' || name === 'NoLivingConnectionsError') {
    return { kind: 'transient', message: `Elasticsearch unreachable: ${messageOf(err)}`, retryable: true };
  }
  if (name !== 'ResponseError') return undefined;
  const status: number | undefined = err.meta?.statusCode ?? err.statusCode;
  const type: string = err.meta?.body?.error?.type ?? '';
  const reason: string = err.meta?.body?.error?.reason ?? messageOf(err);
  if (type === 'cluster_block_exception') {
    return {
      kind: 'source',
      message: `Elasticsearch refuses writes (${reason}); free disk space or lift the read-only block`,
      retryable: false,
    };
  }
  if (status === 429 || (status !== undefined && status >= 500)) {
    return { kind: 'transient', message: `Elasticsearch ${status}: ${reason}`, retryable: true };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'source',
      message: `Elasticsearch refused the request (${status}): ${reason}`,
      retryable: false,
    };
  }
  return undefined;
}

/** The kind of any error an activity may meet (docs/architecture.md, Error scopes). Unknown = transient. */
export function classifyError(err: unknown): ErrorClassification {
  if (err instanceof CrawlerError) {
    return {
      kind: err.kind,
      message: err.message,
      retryable: err.retryable,
      nextRetryDelayMs: err.nextRetryDelayMs,
    };
  }
  if (err instanceof ApplicationFailure) {
    const kind = (err.type && TYPE_TO_KIND[err.type]) || (err.nonRetryable ? 'source' : 'transient');
    return { kind, message: err.message, retryable: !err.nonRetryable };
  }
  const es = classifyElasticsearch(err);
  if (es) return es;
  const code = errorCode(err);
  if (code && SOURCE_CODES.has(code)) {
    return {
      kind: 'source',
      message: `${messageOf(err)} (${code}): check the host name and its TLS certificate`,
      retryable: false,
    };
  }
  return { kind: 'transient', message: messageOf(err), retryable: true };
}

/**
 * The ApplicationFailure for an error, by kind: source/mailbox/item are non-retryable (their
 * type tells the workflow the scope), throttled carries nextRetryDelay, transient is retried.
 */
export function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const c = classifyError(err);
  const type = FailureTypes[c.kind];
  switch (c.kind) {
    case 'throttled':
      return ApplicationFailure.create({
        type,
        message: c.message,
        nonRetryable: false,
        nextRetryDelay: c.nextRetryDelayMs ?? 60_000,
      });
    case 'transient':
      return ApplicationFailure.create({ type, message: c.message, nonRetryable: false });
    default:
      return ApplicationFailure.create({ type, message: c.message, nonRetryable: true });
  }
}
